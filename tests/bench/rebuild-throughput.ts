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
import type { JsonObject, NewEvent, StreamAppend } from '@earmark/event-store';
import { PostgresEventStore } from '@earmark/event-store/postgres';
import { SqliteEventStore } from '@earmark/event-store/sqlite';
import { parseAllocationNotice } from '@earmark/notice-import';
import { createLedgerProjection, rebuildProjections } from '@earmark/projections';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { checkPaid, configFor, type StorePlace } from './ledger-context';
import { defaultProgramCode, loadRegistry, sqliteFileName, type StoreChoice } from '@earmark/runtime';

export interface LedgerTask extends StorePlace {
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

export interface ScanFigure {
  readonly store: StoreChoice;
  readonly events: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
}

const fiscalYear = 2024;
/** Funds the generated log spreads over: one seed allocation each, then payments round-robin. */
const fundCount = 10;
/** Events per append while generating: large appends make a million events quick to write. */
const eventsPerAppend = 5_000;
const paymentFen = 100n;
const paidOn = '2024-06-30';
const rssSampleIntervalMs = 25;
/** Rows per page of the raw scan (the rebuild's page when this was written). */
const scanPageRows = 5_000;
const mebibyte = 1024 * 1024;

const generatorActor: CommandContext['actor'] = { name: 'bench-generator', role: 'system', regions: ['*'] };

export function openStoreWithoutProjections(task: LedgerTask): SqliteEventStore | PostgresEventStore {
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
  const config = configFor(task);
  if (!config.seedNotice) throw new Error('the bench needs the seed notice');
  const registry = loadRegistry(config);
  const notice = readFileSync(config.seedNotice, 'utf8');
  const store = openStoreWithoutProjections(task);
  const started = process.hrtime.bigint();
  try {
    await store.init();
    const allocations = new RecordAllocationHandler(new FundCommandRunner(store, registry, systemClock, uuidGenerator));
    const funds = [];
    for (let fund = 0; fund < fundCount; fund += 1) {
      const programCode = programCodeOf(fund);
      const { allocation } = parseAllocationNotice(notice, registry, { programCode });
      const documentNo = fund === 0 ? allocation.documentNo : `${allocation.documentNo}-${programCode}`;
      const outcome = await allocations.execute(new RecordAllocationCommand({ actor: generatorActor }, { ...allocation, documentNo }));
      if (outcome.kind !== 'recorded') throw new Error(`allocation of ${programCode} answered ${JSON.stringify(outcome)}`);
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
    // Time-ordered, as the service mints disbursement and command ids; the event's id is a hash there.
    disbursementId: uuidGenerator.newId(),
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
    metadata: { actor: 'bench-finance', role: 'finance', commandId: uuidGenerator.newId(), idempotencyKey: voucherNo },
  };
}

/**
 * `rebuildProjections` over the generated log, as `earmark replay` runs it, with the process's
 * resident set sampled throughout: a rebuild must stream, not hold the log in memory. The store is
 * opened without inline projections, so that opening it does not catch them up first (a store
 * being replayed in service has them current). The books are checked afterwards, through the query
 * bus, outside the timing and after the resident set is read.
 */
export async function benchRebuild(task: LedgerTask, paidFenByFund: Record<string, string>): Promise<RebuildFigure> {
  const store = openStoreWithoutProjections(task);
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, rssSampleIntervalMs);
  let figure: RebuildFigure;
  try {
    await store.init();
    const started = process.hrtime.bigint();
    const report = await rebuildProjections(store, store, [createLedgerProjection()]);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    if (report.events !== task.events) throw new Error(`the rebuild read ${report.events} events of ${task.events}`);
    figure = {
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
  await checkPaid(task, paidFenByFund);
  return figure;
}

/**
 * The yardstick for the rebuild: every event row read in position order, a page at a time, with
 * its data and metadata parsed, straight from the driver and nothing else.
 */
export async function scanEvents(task: LedgerTask): Promise<ScanFigure> {
  const columns = 'position, id, stream_name, stream_version, type, data, metadata, recorded_at, hash, previous_hash';
  let rows = 0;
  let parsedFields = 0;
  const started = process.hrtime.bigint();
  if (task.store === 'sqlite') {
    const db = new Database(join(task.dataDir, sqliteFileName), { readonly: true });
    try {
      const page = db.prepare<[number, number], { position: number; data: string; metadata: string }>(
        `SELECT ${columns} FROM events WHERE position > ? ORDER BY position LIMIT ?`,
      );
      for (let after = 0; ; ) {
        const found = page.all(after, scanPageRows);
        if (found.length === 0) break;
        for (const row of found) parsedFields += countFields(JSON.parse(row.data), JSON.parse(row.metadata));
        rows += found.length;
        after = found[found.length - 1].position;
      }
    } finally {
      db.close();
    }
  } else if (task.store === 'postgres' && task.databaseUrl) {
    const client = new Client({ connectionString: task.databaseUrl });
    await client.connect();
    try {
      for (let after = '0'; ; ) {
        const found = await client.query<{ position: string; data: string; metadata: string }>(
          `SELECT ${columns} FROM events WHERE position > $1 ORDER BY position LIMIT $2`,
          [after, scanPageRows],
        );
        if (found.rows.length === 0) break;
        for (const row of found.rows) parsedFields += countFields(JSON.parse(row.data), JSON.parse(row.metadata));
        rows += found.rows.length;
        after = found.rows[found.rows.length - 1].position;
      }
    } finally {
      await client.end();
    }
  } else {
    throw new Error(`the scan runs on sqlite or postgres with a database URL, not ${task.store}`);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (rows !== task.events || parsedFields === 0) throw new Error(`the scan read ${rows} rows of ${task.events}`);
  return { store: task.store, events: rows, seconds: Number(seconds.toFixed(2)), rowsPerSecond: Math.round(rows / seconds) };
}

/** Uses what JSON.parse made, so that the work cannot be optimised away. */
function countFields(data: object, metadata: object): number {
  return Object.keys(data).length + Object.keys(metadata).length;
}
