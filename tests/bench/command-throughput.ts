import { readdirSync, readFileSync } from 'node:fs';
import { RecordAllocationCommand, RecordDisbursementCommand, uuidGenerator, type CommandContext } from '@earmark/application';
import { canonicalJson, sha256Hex, type JsonValue } from '@earmark/event-store';
import { parseAllocationNotice } from '@earmark/notice-import';
import { benchFiscalYear, configFor, expectPaid, openLedgerContext, type LedgerContext, type StorePlace } from './ledger-context';
import { defaultProgramCode, importerActor, importNotice, loadRegistry } from '@earmark/runtime';

export interface CommandBenchTask extends StorePlace {
  readonly concurrency: number;
  readonly commands: number;
  /** The program-year the payments draw on, recorded first by the seed. */
  readonly programCode: string;
  /** Makes vouchers and idempotency keys unique when two processes share one database. */
  readonly label: string;
  /**
   * Alone: the process imports the seed notice and checks the books itself. Together: the funds
   * are already recorded (seedFunds), the process waits for the others before it starts timing,
   * and the caller checks the books once all are done.
   */
  readonly together: boolean;
}

export interface CommandFigure {
  readonly store: StorePlace['store'];
  readonly concurrency: number;
  readonly commands: number;
  readonly seconds: number;
  readonly commandsPerSecond: number;
  /** Latency of one CommandBus.execute, queueing behind the fund's other commands included. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Wall-clock bounds of the timed part, to combine processes that ran together. */
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
  /** Warm-up included: what the books must show paid. */
  readonly paymentsIssued: number;
  /** This process's CPU time (user and system) over the timed part, per command. */
  readonly cpuUsPerCommand: number;
  /**
   * PostgreSQL: the CPU time of the server processes serving this database over the timed part
   * (with two processes, both processes' backends), per command of this process; null elsewhere.
   */
  readonly serverCpuUsPerCommand: number | null;
}

/** 1.00 元: small enough that 93 regions cover any run many times over. */
export const paymentFen = 100n;
const paidOn = '2024-06-30';
/** Untimed commands first, so that the figure is not the JIT compiler's. */
const warmUpShare = 0.1;
const maxWarmUpCommands = 2_000;

const benchActor: CommandContext['actor'] = { name: 'bench-finance', role: 'finance', regions: ['*'] };

/** The seed notice's regions and expenditure subject, as the import records them. */
export function seedAllocation(place: StorePlace): { regions: string[]; expenditureSubject: string; notice: string } {
  const config = configFor(place);
  if (!config.seedNotice) throw new Error('the bench needs the seed notice');
  const notice = readFileSync(config.seedNotice, 'utf8');
  const { allocation } = parseAllocationNotice(notice, loadRegistry(config), { programCode: defaultProgramCode });
  return { regions: allocation.lines.map((line) => line.regionCode), expenditureSubject: allocation.expenditureSubject, notice };
}

/** Records the seed notice through the command bus, as `npm start` does on an empty store. */
async function importSeed(ledger: LedgerContext, notice: string): Promise<void> {
  const imported = await importNotice(ledger.commandBus, ledger.infrastructure.registry, notice, { programCode: defaultProgramCode, dryRun: false });
  if (imported.allocation?.kind !== 'recorded') throw new Error(`seed import answered ${JSON.stringify(imported.allocation)}`);
}

/**
 * One fund per program code, for processes that will share the store: the seed notice imported
 * for the first, its allocation recorded again for each other program under a document number of
 * its own (a document number is unique across the ledger).
 */
export async function seedFunds(place: StorePlace, programCodes: readonly string[]): Promise<void> {
  const ledger = await openLedgerContext(place);
  try {
    const { notice } = seedAllocation(place);
    await importSeed(ledger, notice);
    for (const programCode of programCodes.filter((code) => code !== defaultProgramCode)) {
      const { allocation } = parseAllocationNotice(notice, ledger.infrastructure.registry, { programCode });
      const outcome = await ledger.commandBus.execute(
        new RecordAllocationCommand({ actor: importerActor }, { ...allocation, documentNo: `${allocation.documentNo}-${programCode}` }),
      );
      if (outcome.kind !== 'recorded') throw new Error(`allocation of ${programCode} answered ${JSON.stringify(outcome)}`);
    }
  } finally {
    await ledger.close();
  }
}

/**
 * Beneficiary payments through the real command bus (no HTTP), as the CLI builds it: the store
 * with its inline ledger projection. `concurrency` callers each execute one command at a time;
 * each payment has its own voucher and idempotency key and goes to the next of the 93 funded
 * regions in turn. Every command must answer 201.
 */
export async function benchCommands(task: CommandBenchTask, startTogether: () => Promise<void>): Promise<CommandFigure> {
  const ledger = await openLedgerContext(task);
  try {
    const { regions, expenditureSubject, notice } = seedAllocation(task);
    if (!task.together) {
      if (task.programCode !== defaultProgramCode) throw new Error(`a process alone pays from the seed's program, not ${task.programCode}`);
      await importSeed(ledger, notice);
    }
    let issued = 0;
    const execute = async (n: number): Promise<void> => {
      const input = {
        // Minted as `POST /v1/disbursements` mints it: time-ordered (the service's ID_GENERATOR).
        disbursementId: uuidGenerator.newId(),
        programCode: task.programCode,
        fiscalYear: benchFiscalYear,
        regionCode: regions[n % regions.length],
        kind: 'beneficiary-payment' as const,
        amountFen: paymentFen.toString(),
        paidOn,
        voucherNo: `BENCH-${task.label}-${n}`,
        expenditureSubject,
        beneficiaries: 1,
      };
      const key = `bench-${task.label}-${n}`;
      const requestHash = sha256Hex(canonicalJson(input as unknown as JsonValue));
      const outcome = await ledger.commandBus.execute(new RecordDisbursementCommand({ actor: benchActor, idempotency: { key, requestHash } }, input));
      if (outcome.kind !== 'recorded') throw new Error(`command ${n} answered ${JSON.stringify(outcome)}`);
      issued += 1;
    };
    let next = 0;
    const run = async (count: number, latenciesMs: number[] | null): Promise<void> => {
      const last = next + count;
      await Promise.all(
        Array.from({ length: task.concurrency }, async () => {
          while (next < last) {
            const n = next;
            next += 1;
            const before = process.hrtime.bigint();
            await execute(n);
            latenciesMs?.push(Number(process.hrtime.bigint() - before) / 1e6);
          }
        }),
      );
    };

    await run(Math.min(maxWarmUpCommands, Math.ceil(task.commands * warmUpShare)), null);
    await startTogether();
    const latenciesMs: number[] = [];
    const startedAtMs = performance.timeOrigin + performance.now();
    const serverCpuBefore = task.store === 'postgres' ? postgresServerCpuUs(task.databaseUrl) : null;
    const cpuBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    await run(task.commands, latenciesMs);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    const serverCpuAfter = task.store === 'postgres' ? postgresServerCpuUs(task.databaseUrl) : null;
    const finishedAtMs = performance.timeOrigin + performance.now();

    // The inline projection saw every payment: the books must say so, to the 分.
    if (!task.together) await expectPaid(ledger.queryBus, task.programCode, BigInt(issued) * paymentFen);

    return {
      store: task.store,
      concurrency: task.concurrency,
      commands: task.commands,
      seconds: round(seconds, 2),
      commandsPerSecond: Math.round(task.commands / seconds),
      p50Ms: round(percentile(latenciesMs, 0.5), 2),
      p99Ms: round(percentile(latenciesMs, 0.99), 2),
      startedAtMs,
      finishedAtMs,
      paymentsIssued: issued,
      cpuUsPerCommand: Math.round((cpu.user + cpu.system) / task.commands),
      serverCpuUsPerCommand:
        serverCpuBefore === null || serverCpuAfter === null ? null : Math.round((serverCpuAfter - serverCpuBefore) / task.commands),
    };
  } finally {
    await ledger.close();
  }
}

/**
 * CPU time (user and system, µs) of the PostgreSQL server processes serving `databaseUrl`'s
 * database (found by the name their command line shows), read from /proc; null where there is none
 * to read (not Linux, or the server runs elsewhere). Other databases' work on the same server is
 * left out; the server's shared background processes (WAL writer, checkpointer) too, a few µs a
 * command.
 */
function postgresServerCpuUs(databaseUrl: string | null): number | null {
  if (databaseUrl === null) return null;
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  let ticks = 0;
  let found = false;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  for (const pid of pids) {
    let stat: string;
    let commandLine: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const close = stat.lastIndexOf(')');
    if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
    // A backend names itself "postgres: <cluster>: <user> <database> <client> <state>".
    if (!commandLine.split(' ').includes(database)) continue;
    ticks += cpuTicksOfStat(stat);
    found = true;
  }
  return found ? ticks * microsecondsPerTick : null;
}

/** Linux reports CPU time in clock ticks of 1/100 s (USER_HZ) on every common platform. */
const microsecondsPerTick = 10_000;

/** User and system clock ticks from a /proc/<pid>/stat line: all the process's threads. */
function cpuTicksOfStat(stat: string): number {
  // After "pid (comm)": state is field 3; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** The CPU time (user and system, µs) another process has used so far, its threads included; null where /proc does not tell. */
export function processCpuUs(pid: number): number | null {
  try {
    return cpuTicksOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8')) * microsecondsPerTick;
  } catch {
    return null;
  }
}

/** The p-quantile of `values` (sorted here), the nearest rank below. */
export function percentile(values: number[], p: number): number {
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.floor(values.length * p))] ?? 0;
}

export function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
