import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FundCommandRunner,
  RecordAllocationCommand,
  RecordAllocationHandler,
  systemClock,
  uuidGenerator,
  type CommandContext,
} from '@earmark/application';
import { fenFromString, fundStreamName, type DisbursementRecorded } from '@earmark/domain';
import { PostgresEventStore, SqliteEventStore, type JsonObject, type NewEvent, type StreamAppend } from '@earmark/event-store';
import { parseAllocationNotice } from '@earmark/notice-import';
import { collections, createLedgerProjection, fundKey, rebuildProjections, type ProgramYearDoc } from '@earmark/projections';
import { loadRegistry, sqliteFileName } from '../../apps/api/src/bootstrap/infrastructure';
import { defaultProgramCode } from '../../apps/api/src/bootstrap/notice-importer';
import { loadConfig, type StoreChoice } from '../../apps/api/src/config/earmark-config';

export interface LedgerTask {
  readonly store: StoreChoice;
  readonly dataDir: string;
  readonly databaseUrl: string | null;
  readonly events: number;
}

export interface GeneratedLedger {
  readonly events: number;
  readonly seconds: number;
  /** What each fund paid, in 分 (a decimal string), for the rebuild to check its books against. */
  readonly paidFenByFund: Record<string, string>;
}

export interface RebuildFigure {
  readonly store: StoreChoice;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** Largest resident set sampled during the rebuild, and the kernel's high-water mark for the process. */
  readonly peakRssMiB: number;
  readonly maxRssMiB: number;
}

const fiscalYear = 2024;
/** Funds the generated log spreads over: one seed allocation each, then payments round-robin. */
const fundCount = 10;
/** Events per append while generating: large appends make a million events quick to write. */
const eventsPerAppend = 5_000;
const paymentFen = 100n;
const paidOn = '2024-06-30';
const rssSampleIntervalMs = 25;
const mebibyte = 1024 * 1024;

const generatorActor: CommandContext['actor'] = { name: 'bench-generator', role: 'system', regions: ['*'] };

function openStoreWithoutProjections(task: LedgerTask): SqliteEventStore | PostgresEventStore {
  if (task.store === 'sqlite') return new SqliteEventStore({ file: join(task.dataDir, sqliteFileName) });
  if (task.store === 'postgres' && task.databaseUrl) return new PostgresEventStore({ connectionString: task.databaseUrl });
  throw new Error(`the rebuild bench runs on sqlite or postgres with a database URL, not ${task.store}`);
}

const programCodeOf = (fund: number): string => (fund === 0 ? defaultProgramCode : `bench-fund-${String(fund + 1).padStart(2, '0')}`);

/**
 * A valid ledger of `task.events` events, written fast: each fund's allocation goes through the
 * real command handler, then beneficiary payments of 1.00 元 are appended as events directly,
 * thousands per append and across funds, each checked against what its region still holds. No
 * projection runs: the rebuild measured afterwards does all of that work.
 */
export async function generateLedger(task: LedgerTask): Promise<GeneratedLedger> {
  const config = loadConfig({
    EARMARK_STORE: task.store,
    EARMARK_DATA_DIR: task.dataDir,
    ...(task.databaseUrl ? { EARMARK_DATABASE_URL: task.databaseUrl } : {}),
  });
  if (!config.seedNotice) throw new Error('the bench needs the seed notice');
  const registry = loadRegistry(config);
  const notice = readFileSync(config.seedNotice, 'utf8');
  const store = openStoreWithoutProjections(task);
  const started = process.hrtime.bigint();
  try {
    await store.init();
    const allocations = new RecordAllocationHandler(new FundCommandRunner(store, registry, systemClock, uuidGenerator), store);
    const funds = [];
    for (let fund = 0; fund < fundCount; fund += 1) {
      const programCode = programCodeOf(fund);
      const { allocation } = parseAllocationNotice(notice, registry, { programCode });
      const documentNo = fund === 0 ? allocation.documentNo : `${allocation.documentNo}-${programCode}`;
      const outcome = await allocations.execute(new RecordAllocationCommand({ actor: generatorActor }, { ...allocation, documentNo }));
      if (outcome.status !== 201) throw new Error(`allocation of ${programCode} answered ${outcome.status}`);
      funds.push({
        programCode,
        streamName: fundStreamName(programCode, fiscalYear),
        expenditureSubject: allocation.expenditureSubject,
        regions: allocation.lines.map((line) => ({ regionCode: line.regionCode, availableFen: fenFromString(line.amountFen) })),
        // The allocation is the fund stream's only event so far.
        version: 0n,
        payments: 0,
      });
    }

    let written = Number(await store.headPosition());
    if (written > task.events) throw new Error(`${task.events} events is fewer than the ${written} the allocations take`);
    while (written < task.events) {
      const inThisAppend = Math.min(eventsPerAppend, task.events - written);
      const streams: StreamAppend[] = funds.map((fund, index) => {
        const share = Math.floor(inThisAppend / funds.length) + (index < inThisAppend % funds.length ? 1 : 0);
        const events: NewEvent[] = [];
        for (let i = 0; i < share; i += 1) {
          const region = fund.regions[fund.payments % fund.regions.length];
          if (region.availableFen < paymentFen) throw new Error(`${region.regionCode} of ${fund.programCode} has run out of money`);
          region.availableFen -= paymentFen;
          events.push(paymentEvent(fund, region.regionCode, fund.payments));
          fund.payments += 1;
        }
        const append: StreamAppend = { streamName: fund.streamName, expectedVersion: fund.version, events };
        fund.version += BigInt(share);
        return append;
      });
      await store.append({ streams: streams.filter((stream) => stream.events.length > 0) });
      written += inThisAppend;
    }
    const paidFenByFund = Object.fromEntries(funds.map((fund) => [fund.programCode, (BigInt(fund.payments) * paymentFen).toString()]));
    return { events: written, seconds: Number(process.hrtime.bigint() - started) / 1e9, paidFenByFund };
  } finally {
    await store.close();
  }
}

function paymentEvent(fund: { programCode: string; expenditureSubject: string }, regionCode: string, n: number): NewEvent {
  const voucherNo = `GEN-${fund.programCode}-${n}`;
  // Shaped as the command runner records a payment made through the API.
  const data: DisbursementRecorded['data'] = {
    disbursementId: randomUUID(),
    programCode: fund.programCode,
    fiscalYear,
    regionCode,
    kind: 'beneficiary-payment',
    amountFen: paymentFen.toString(),
    paidOn,
    voucherNo,
    expenditureSubject: fund.expenditureSubject,
    beneficiaries: 1,
    afterSettlement: false,
  };
  return {
    id: randomUUID(),
    type: 'DisbursementRecorded',
    data: data as unknown as JsonObject,
    metadata: { actor: 'bench-finance', role: 'finance', commandId: randomUUID(), idempotencyKey: voucherNo },
  };
}

/**
 * `rebuildProjections` over the generated log, as `earmark replay` runs it, with the process's
 * resident set sampled throughout: a rebuild must stream, not hold the log in memory.
 */
export async function benchRebuild(task: LedgerTask, paidFenByFund: Record<string, string>): Promise<RebuildFigure> {
  const store = openStoreWithoutProjections(task);
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, rssSampleIntervalMs);
  try {
    await store.init();
    const started = process.hrtime.bigint();
    const report = await rebuildProjections(store, store, [createLedgerProjection()]);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    peakRss = Math.max(peakRss, process.memoryUsage.rss());

    for (const [programCode, paidFen] of Object.entries(paidFenByFund)) {
      const doc = await store.getDoc(collections.programYear, fundKey(programCode, fiscalYear));
      const rebuilt = (doc?.doc as ProgramYearDoc | undefined)?.paidFen ?? 'nothing';
      if (rebuilt !== paidFen) throw new Error(`rebuilt books of ${programCode} show ${rebuilt} 分 paid, the log ${paidFen}`);
    }
    return {
      store: task.store,
      events: report.events,
      seconds: Number(seconds.toFixed(2)),
      eventsPerSecond: Math.round(report.events / seconds),
      peakRssMiB: Math.round(peakRss / mebibyte),
      // resourceUsage() gives maxRSS in kibibytes.
      maxRssMiB: Math.round((process.resourceUsage().maxRSS * 1024) / mebibyte),
    };
  } finally {
    clearInterval(sampler);
    await store.close();
  }
}
