import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExportFormatError, readExport, verifyLedger, type Checkpoint, type VerifyReport } from '@earmark/audit';
import { defaultFundPolicy, parseRegionsTsv, RegionRegistry } from '@earmark/domain';
import type { RecordedEvent } from '@earmark/event-store';
import { parseCheckpointJson } from '../../../api/src/audit/checkpoint-record';
import { verifyStore } from '../../../api/src/audit/ledger-audit';
import { openInfrastructure } from '../../../api/src/bootstrap/infrastructure';
import { findPublicKey } from '../../../api/src/bootstrap/signing-key';
import { findProjectRoot, loadConfig } from '../../../api/src/config/earmark-config';
import { option, parseArgs, UsageError } from '../args';
import { checkSavedCheckpoint, firstFinding, verdictLine } from './verdict';

/**
 * `earmark verify`: the live store as configured, or with --file an export, offline. Offline it
 * reads nothing but the files it is given and the region registry: no configuration, no store.
 */
export async function runVerify(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.positional.length > 0) throw new UsageError(`verify takes no word "${args.positional[0]}"`);
  const file = option(args, 'file');
  const publicKeyFile = option(args, 'public-key');
  const savedFile = option(args, 'checkpoint');
  const saved = savedFile === undefined ? null : parseCheckpointJson(readFileSync(savedFile, 'utf8'), savedFile);
  const givenKey = publicKeyFile === undefined ? undefined : readFileSync(publicKeyFile, 'utf8');
  if (file !== undefined) {
    // A key shipped inside the file proves nothing about it: the auditor brings their own.
    if (givenKey === undefined) throw new UsageError('verify --file needs --public-key KEY.pem, obtained from the ledger’s operators');
    return verifyExportFile(file, givenKey, saved, graceDaysOption(option(args, 'grace-days')));
  }
  return verifyLiveStore(givenKey, saved);
}

/**
 * The grace period the ledger ran with (EARMARK_LATE_PAYMENT_GRACE_DAYS): offline there is no
 * configuration, so the auditor states it, 90 days unless told.
 */
function graceDaysOption(text: string | undefined): number {
  if (text === undefined) return defaultFundPolicy.latePaymentGraceDays;
  if (!/^[0-9]{1,4}$/.test(text)) throw new UsageError(`--grace-days takes a whole number of days, not "${text}"`);
  return Number(text);
}

async function verifyExportFile(file: string, publicKeyPem: string, saved: Checkpoint | null, graceDays: number): Promise<number> {
  let events: RecordedEvent[];
  let checkpoint: Checkpoint | null;
  try {
    ({ events, checkpoint } = await readExport(file));
  } catch (error) {
    if (!(error instanceof ExportFormatError)) throw error;
    process.stdout.write(`FAILED: ${file} is not a complete export: ${error.message}\n`);
    return 1;
  }
  const report = verifyLedger({ events, checkpoint, publicKeyPem, registry: offlineRegistry(), latePaymentGraceDays: graceDays });
  return conclude(report, events, saved, publicKeyPem);
}

async function verifyLiveStore(givenKey: string | undefined, saved: Checkpoint | null): Promise<number> {
  const config = loadConfig();
  const publicKeyPem = givenKey ?? findPublicKey(config)?.publicKeyPem;
  const infrastructure = await openInfrastructure(config);
  try {
    const { report, events } = await verifyStore(infrastructure.store, infrastructure.registry, publicKeyPem, config.latePaymentGraceDays);
    return conclude(report, events, saved, publicKeyPem);
  } finally {
    await infrastructure.close();
  }
}

function conclude(report: VerifyReport, events: readonly RecordedEvent[], saved: Checkpoint | null, publicKeyPem: string | undefined): number {
  const savedFinding = report.ok && saved !== null ? checkSavedCheckpoint(sortedByPosition(events), saved, publicKeyPem) : null;
  const failure = firstFinding(report, savedFinding);
  process.stdout.write(`${verdictLine(report, failure, saved?.treeSize ?? null)}\n`);
  return failure === null ? 0 : 1;
}

/** verifyLedger accepts any order; the saved checkpoint's root needs positions 1..n in order. */
function sortedByPosition(events: readonly RecordedEvent[]): RecordedEvent[] {
  return [...events].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
}

/** The registry shipped with the code (or EARMARK_REGIONS_FILE): data the replay checks regions against. */
function offlineRegistry(): RegionRegistry {
  const file = process.env.EARMARK_REGIONS_FILE ?? join(findProjectRoot(), 'seeds', 'sichuan-regions.tsv');
  return new RegionRegistry(parseRegionsTsv(readFileSync(file, 'utf8')));
}
