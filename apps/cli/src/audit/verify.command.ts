import { readFileSync } from 'node:fs';
import {
  ExportFormatError,
  keyIdOf,
  MerkleRootBuilder,
  openExport,
  verifyCheckpoint,
  verifyLedgerStream,
  type Checkpoint,
  type VerifyReport,
} from '@earmark/audit';
import { defaultFundPolicy, parseRegionsTsv, RegionRegistry } from '@earmark/domain';
import type { RecordedEvent } from '@earmark/event-store';
import { findPublicKey, loadConfig, openInfrastructure, regionsFileOf, verifyStore } from '@earmark/runtime';
import { option, parseArgs, UsageError } from '../args';
import { firstFinding, verdictLine, type Finding } from './verdict';
import { parseCheckpointJson } from '@earmark/audit';

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
  const savedPrefix = saved === null ? null : new SavedCheckpointPrefix(saved);
  try {
    // The header and trailer are read first; the events follow page by page, so a format error
    // in the middle of the file surfaces from the verification itself.
    const opened = await openExport(file);
    const pages = savedPrefix === null ? opened.pages() : watched(opened.pages(), savedPrefix);
    const report = await verifyLedgerStream(pages, {
      checkpoint: opened.checkpoint,
      publicKeyPem,
      registry: offlineRegistry(),
      latePaymentGraceDays: graceDays,
    });
    return conclude(report, savedPrefix, publicKeyPem);
  } catch (error) {
    if (!(error instanceof ExportFormatError)) throw error;
    process.stdout.write(`FAILED: ${file} is not a complete export: ${error.message}\n`);
    return 1;
  }
}

async function verifyLiveStore(givenKey: string | undefined, saved: Checkpoint | null): Promise<number> {
  const config = loadConfig();
  const publicKeyPem = givenKey ?? findPublicKey(config)?.publicKeyPem;
  const infrastructure = await openInfrastructure(config);
  const savedPrefix = saved === null ? null : new SavedCheckpointPrefix(saved);
  try {
    const { report } = await verifyStore(
      infrastructure.store,
      infrastructure.registry,
      publicKeyPem,
      config.latePaymentGraceDays,
      savedPrefix === null ? undefined : (page) => savedPrefix.watch(page),
    );
    return conclude(report, savedPrefix, publicKeyPem);
  } finally {
    await infrastructure.close();
  }
}

function conclude(report: VerifyReport, savedPrefix: SavedCheckpointPrefix | null, publicKeyPem: string | undefined): number {
  const savedFinding = report.ok && savedPrefix !== null ? savedPrefix.finding(publicKeyPem) : null;
  const failure = firstFinding(report, savedFinding);
  process.stdout.write(`${verdictLine(report, failure, savedPrefix?.saved.treeSize ?? null)}\n`);
  return failure === null ? 0 : 1;
}

/**
 * A checkpoint the auditor kept from earlier: the log must still hold its first treeSize events
 * unchanged. The root of that prefix is taken as the pages pass, so the log is read once and never
 * held; it means something only once the report has passed the chain (positions 1..n in order,
 * every hash well formed), and is consulted only then.
 */
class SavedCheckpointPrefix {
  private readonly builder = new MerkleRootBuilder();
  private rootHash: string | null = null;
  private events = 0;

  constructor(readonly saved: Checkpoint) {
    this.takeRoot();
  }

  watch(page: readonly RecordedEvent[]): void {
    this.events += page.length;
    for (let i = 0; i < page.length && this.rootHash === null; i += 1) {
      // Never a throw here: a malformed hash fails the chain check, and then this root is not read.
      this.builder.append(Buffer.from(page[i].hash, 'hex'));
      this.takeRoot();
    }
  }

  finding(publicKeyPem: string | undefined): Finding | null {
    const { saved } = this;
    if (saved.treeSize > this.events) {
      const missing = BigInt(this.events + 1);
      return {
        position: missing,
        reason: `missing: the saved checkpoint signs ${saved.treeSize} events and the log holds ${this.events}, so events were removed`,
      };
    }
    if (this.rootHash !== saved.rootHash) {
      return {
        reason:
          `the log is not consistent with the saved checkpoint: the Merkle root of positions 1..${saved.treeSize} is ${this.rootHash}, ` +
          `the saved checkpoint signs ${saved.rootHash}, so those events were rewritten`,
      };
    }
    if (publicKeyPem !== undefined && !verifyCheckpoint(saved, publicKeyPem)) {
      return {
        reason: `the saved checkpoint's signature (key ${saved.keyId}) does not verify with the public key given (key ${keyIdOf(publicKeyPem)})`,
      };
    }
    return null;
  }

  private takeRoot(): void {
    if (this.rootHash === null && this.builder.size === this.saved.treeSize) this.rootHash = this.builder.root().toString('hex');
  }
}

async function* watched(pages: AsyncIterable<RecordedEvent[]>, prefix: SavedCheckpointPrefix): AsyncGenerator<RecordedEvent[]> {
  for await (const page of pages) {
    prefix.watch(page);
    yield page;
  }
}

/** The registry shipped with the code (or EARMARK_REGIONS_FILE): data the replay checks regions against. */
function offlineRegistry(): RegionRegistry {
  return new RegionRegistry(parseRegionsTsv(readFileSync(regionsFileOf(), 'utf8')));
}
