import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { formatYuan } from '@earmark/domain';
import { createTestDatabase } from '../../libs/event-store/test/support/postgres-test-db';
import { benchSizesFrom, type BenchSizes } from './bench-sizes';
import { formatNumber, markdownTable } from './bench-report';
import { benchRows, type BenchDetails, type LedgerDetails, type SqliteDetails, type TwoProcessesFigure } from './bench-rows';
import { benchCommands, paymentFen, seedAllocation, seedFunds, type CommandBenchTask, type CommandFigure } from './command-throughput';
import { httpPaymentFen, loadHttp, serveEmptyEndpoint, type HttpFigure, type HttpLoadTask } from './http-throughput';
import { benchFiscalYear, checkPaid, type StorePlace } from './ledger-context';
import { expectPaidOverHttp, measureQueries, type QueryFigure, type QueryTask } from './query-latency';
import { measureRawPostgres, measureRawSqlite, type RawPostgresFigure, type RawSqliteFigure } from './raw-commits';
import {
  benchRebuild,
  generateLedger,
  scanEvents,
  type GeneratedLedger,
  type LedgerTask,
  type RebuildFigure,
  type ScanFigure,
} from './rebuild-throughput';
import { ServiceProcess } from './service-process';
import { benchVerify, type VerifyFigure } from './verify-throughput';
import { defaultProgramCode, findProjectRoot, type StoreChoice } from '@earmark/runtime';

/**
 * `npm run bench`: each figure of issue 8 beside its yardstick, measured in the same run: commands
 * through the command bus against raw commit loops, HTTP against an empty Nest + Fastify endpoint,
 * the rebuild against a raw scan, offline verify against raw chained SHA-256, and query latency.
 * Prints a Markdown table (figure, value, yardstick, ratio, aim, met) and writes it, with every
 * detail, to bench-results/bench-<time>.json.
 *
 * Each measurement runs in a child process of its own, on a fresh store, so that one's heap, JIT
 * state and resident set do not colour the next. BENCH_SIZE=small shrinks everything so that CI
 * proves the bench still runs; BENCH_EVENTS sets the generated log's size (1,000,000);
 * BENCH_STORES picks the stores (`sqlite,postgres`). PostgreSQL runs on EARMARK_TEST_DATABASE_URL's
 * server, in throwaway databases. BENCH_ONLY=commands measures only the command and HTTP figures
 * (and their yardsticks) and prints them, without the table: for comparing two builds quickly.
 * Only a crash or a wrong answer (a command not answering 201,
 * books that do not add up, a log the verifier refuses) fails the run; unmet aims do not.
 */

type ChildTask =
  | { readonly kind: 'raw-sqlite'; readonly place: StorePlace; readonly singleRowCommits: number; readonly commitsOf64Rows: number }
  | { readonly kind: 'raw-postgres'; readonly place: StorePlace; readonly commits: number }
  | { readonly kind: 'seed'; readonly place: StorePlace; readonly programCodes: readonly string[] }
  | { readonly kind: 'commands'; readonly task: CommandBenchTask }
  | { readonly kind: 'check-paid'; readonly place: StorePlace; readonly paidFenByProgram: Record<string, string> }
  | { readonly kind: 'empty-endpoint' }
  | { readonly kind: 'http-load'; readonly task: HttpLoadTask }
  | { readonly kind: 'generate'; readonly task: LedgerTask }
  | { readonly kind: 'scan'; readonly task: LedgerTask }
  | { readonly kind: 'rebuild'; readonly task: LedgerTask; readonly paidFenByFund: Record<string, string> }
  | { readonly kind: 'verify'; readonly task: LedgerTask }
  | { readonly kind: 'queries'; readonly task: QueryTask };

type ChildMessage =
  | { readonly kind: 'ready'; readonly value: unknown }
  | { readonly kind: 'done'; readonly ok: true; readonly result: unknown }
  | { readonly kind: 'done'; readonly ok: false; readonly error: string };

const benchStores: readonly StoreChoice[] = ['sqlite', 'postgres'];
const commandConcurrency = 64;
const httpConnections = 64;
/** The region whose balance and trail the queries read: 成都市, which has districts under it. */
const queriedRegion = '510100';
const serverStartMs = 180_000;
/** Keeps the service's checkpoint signer idle while queries are timed: its first checkpoint would read the whole generated log. */
const idleCheckpoints = { EARMARK_CHECKPOINT_EVERY: '1000000000', EARMARK_CHECKPOINT_SECONDS: '2147483' };
/** The offline verifier holds the whole log in memory, as it does reading an export. */
const verifyExecArgv = ['--expose-gc', '--max-old-space-size=8192'];

async function main(): Promise<void> {
  const sizes = benchSizesFrom(process.env);
  const stores = (process.env.BENCH_STORES ?? benchStores.join(',')).split(',').map((store) => store.trim());
  for (const store of stores) {
    if (!benchStores.includes(store as StoreChoice)) throw new Error(`BENCH_STORES names ${store}; the bench knows ${benchStores.join(', ')}`);
  }
  const only = process.env.BENCH_ONLY;
  if (only !== undefined && only !== 'commands') throw new Error(`BENCH_ONLY may be commands, not ${only}`);
  if (only === 'commands') {
    await commandsOnly(stores as StoreChoice[], sizes);
    return;
  }
  const startedAt = new Date();
  // Other work on the machine slows figures and yardsticks alike, but not at the same moments.
  const loadAtStart = loadavg()[0];
  const details: BenchDetails = {};
  for (const store of stores as StoreChoice[]) {
    if (store === 'sqlite') {
      const commands = await sqliteCommands(sizes);
      const http = await httpEndToEnd(sizes);
      details.sqlite = { ...commands, http, ...(await ledgerFigures('sqlite', sizes, details)) };
    } else {
      const commands = await postgresCommands(sizes);
      details.postgres = { ...commands, ...(await ledgerFigures('postgres', sizes, details)) };
    }
  }

  const finishedAt = new Date();
  const rows = benchRows(details, sizes);
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    totalMemoryMiB: Math.round(totalmem() / 1024 / 1024),
    loadAverage1m: { atStart: loadAtStart, atEnd: loadavg()[0] },
  };
  process.stdout.write(
    `\n${markdownTable(rows)}\n\n${rows.filter((r) => r.met !== null).length} aims, ${rows.filter((r) => r.met === true).length} met; ` +
      `size ${sizes.name}, ${formatNumber(sizes.events)} events; node ${process.version}, ${machine.cpus} cores, ` +
      `${Math.round(machine.totalMemoryMiB / 1024)} GiB, load ${loadAtStart.toFixed(1)} → ${machine.loadAverage1m.atEnd.toFixed(1)}; ` +
      `${((finishedAt.getTime() - startedAt.getTime()) / 1000).toFixed(0)} s\n`,
  );
  const dir = join(findProjectRoot(), 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  const json = { startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), node: process.version, machine, sizes, stores, rows, details };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(`written to ${file}\n`);
}

/**
 * BENCH_ONLY=commands: on SQLite the raw commits, the commands at concurrency 64 and 1 and HTTP
 * beside the empty endpoint; on PostgreSQL the commands at concurrency 64 from one process and from
 * two together. No ledger figures and no table (for profiling and A/B comparisons); prints JSON.
 */
async function commandsOnly(stores: readonly StoreChoice[], sizes: BenchSizes): Promise<void> {
  const figures: Record<string, unknown> = {};
  for (const store of stores) {
    if (store === 'sqlite') {
      figures[store] = { ...(await sqliteCommands(sizes)), http: await httpEndToEnd(sizes) };
    } else {
      const concurrency64 = await commandsAlone(store, commandConcurrency, sizes.commandsAtConcurrency64);
      figures[store] = { concurrency64, twoProcesses: await twoPostgresProcesses(sizes) };
    }
  }
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}

/** Raw commits beside commands through the bus, at concurrency 64 and 1. */
async function sqliteCommands(sizes: BenchSizes) {
  progress('sqlite: raw commits (better-sqlite3, WAL, synchronous=FULL)... ');
  const rawCommits = await withFreshStore('sqlite', (place) =>
    runChild<RawSqliteFigure>({ kind: 'raw-sqlite', place, singleRowCommits: sizes.rawSingleRowCommits, commitsOf64Rows: sizes.raw64RowCommits }).done,
  );
  progress(`${rawCommits.singleRowCommitsPerSecond} single-row commits/s, ${rawCommits.rowsPerSecondIn64RowCommits} rows/s in 64-row commits\n`);
  const concurrency64 = await commandsAlone('sqlite', commandConcurrency, sizes.commandsAtConcurrency64);
  const concurrency1 = await commandsAlone('sqlite', 1, sizes.commandsAtConcurrency1);
  return { rawCommits, concurrency64, concurrency1 };
}

/** Raw commits from 64 clients, commands from one process, then from two processes sharing the database. */
async function postgresCommands(sizes: BenchSizes) {
  progress('postgres: raw single-row commits from 64 clients... ');
  const rawCommits = await withFreshStore('postgres', (place) =>
    runChild<RawPostgresFigure>({ kind: 'raw-postgres', place, commits: sizes.rawPostgresCommits }).done,
  );
  progress(`${rawCommits.commitsPerSecond}/s\n`);
  const concurrency64 = await commandsAlone('postgres', commandConcurrency, sizes.commandsAtConcurrency64);
  const concurrency1 = await commandsAlone('postgres', 1, sizes.postgresCommandsAtConcurrency1);
  const twoProcesses = await twoPostgresProcesses(sizes);
  return { rawCommits, concurrency64, concurrency1, twoProcesses };
}

/** Two processes, a fund each, sending commands at concurrency 64 to one database at the same time. */
async function twoPostgresProcesses(sizes: BenchSizes): Promise<TwoProcessesFigure> {
  progress(`postgres: 2 processes × ${sizes.commandsPerProcess} commands at concurrency ${commandConcurrency}... `);
  const twoProcesses = await withFreshStore('postgres', async (place): Promise<TwoProcessesFigure> => {
    // Each process pays from a fund of its own: one fund's stream takes one append at a time,
    // whichever process sends it, so only separate funds can show what a second process adds.
    const programCodes = [defaultProgramCode, 'bench-second-process'];
    await runChild({ kind: 'seed', place, programCodes }).done;
    const children = programCodes.map((programCode, p) =>
      runChild<CommandFigure>({
        kind: 'commands',
        task: { ...place, programCode, concurrency: commandConcurrency, commands: sizes.commandsPerProcess, label: `p${p}`, together: true },
      }),
    );
    // Both warm up, then start timing at the same moment.
    await Promise.all(children.map((child) => child.ready));
    for (const child of children) child.go();
    const processes = await Promise.all(children.map((child) => child.done));
    const paidFenByProgram = Object.fromEntries(programCodes.map((code, p) => [code, (BigInt(processes[p].paymentsIssued) * paymentFen).toString()]));
    await runChild({ kind: 'check-paid', place, paidFenByProgram }).done;
    const seconds = (Math.max(...processes.map((f) => f.finishedAtMs)) - Math.min(...processes.map((f) => f.startedAtMs))) / 1000;
    const commands = processes.reduce((sum, figure) => sum + figure.commands, 0);
    return { processes, commands, seconds: Number(seconds.toFixed(2)), commandsPerSecond: Math.round(commands / seconds) };
  });
  progress(`${twoProcesses.commandsPerSecond}/s together (${twoProcesses.processes.map(cpuNote).join('; ')})\n`);
  return twoProcesses;
}

async function commandsAlone(store: StoreChoice, concurrency: number, commands: number): Promise<CommandFigure> {
  progress(`${store}: ${commands} commands at concurrency ${concurrency}... `);
  const figure = await withFreshStore(store, (place) =>
    runChild<CommandFigure>({
      kind: 'commands',
      task: { ...place, programCode: defaultProgramCode, concurrency, commands, label: `c${concurrency}`, together: false },
    }).done,
  );
  progress(`${figure.commandsPerSecond}/s, p99 ${figure.p99Ms} ms, ${cpuNote(figure)}\n`);
  return figure;
}

/**
 * The generated log at full size (raw scan, rebuild, queries, and offline verify on the first
 * store only), then at the flatness size (raw scan, rebuild).
 */
async function ledgerFigures(store: StoreChoice, sizes: BenchSizes, details: BenchDetails) {
  const { ledger, queries } = await withFreshStore(store, async (place) => {
    const task: LedgerTask = { ...place, events: sizes.events };
    const measured = await measureLedger(task);
    const queried = await measureQueriesOn(task, measured.generated, sizes);
    if (!details.verify) {
      progress(`${store}: offline verify of ${sizes.events} events... `);
      details.verify = await runChild<VerifyFigure>({ kind: 'verify', task }, verifyExecArgv).done;
      progress(`${details.verify.verifyEventsPerSecond} events/s, chained SHA-256 ${details.verify.chainedSha256PerSecond}/s\n`);
    }
    return { ledger: measured, queries: queried };
  });
  const flatness = await withFreshStore(store, (place) => measureLedger({ ...place, events: sizes.flatnessEvents }));
  return { ledger, flatness, queries };
}

/**
 * The real service (`earmark serve`, its own process, SQLite) against the empty endpoint (its own
 * process), each loaded by a client process of its own over 64 keep-alive connections.
 */
async function httpEndToEnd(sizes: BenchSizes): Promise<SqliteDetails['http']> {
  const seed = seedAllocation({ store: 'sqlite', dataDir: tmpdir(), databaseUrl: null });
  const load = (port: number, token: string | null, label: string, serverPid: number | null): HttpLoadTask => ({
    port,
    token,
    serverPid,
    requests: sizes.httpRequests,
    connections: httpConnections,
    label,
    programCode: defaultProgramCode,
    fiscalYear: benchFiscalYear,
    regions: seed.regions,
    expenditureSubject: seed.expenditureSubject,
  });

  progress(`http: empty Nest+Fastify endpoint, ${sizes.httpRequests} POSTs over ${httpConnections} connections... `);
  const endpoint = runChild<Record<string, never>>({ kind: 'empty-endpoint' });
  let emptyEndpoint: HttpFigure;
  try {
    const { port, pid } = (await endpoint.ready) as { port: number; pid: number };
    emptyEndpoint = await runChild<HttpFigure>({ kind: 'http-load', task: load(port, null, 'empty', pid) }).done;
  } finally {
    endpoint.go();
    await endpoint.done.catch(() => undefined);
  }
  progress(`${emptyEndpoint.requestsPerSecond}/s\n`);

  progress(`http: earmark serve on SQLite, ${sizes.httpRequests} POST /v1/disbursements over ${httpConnections} connections... `);
  const service = await withFreshStore('sqlite', async ({ dataDir }) => {
    const server = await ServiceProcess.start(dataDir, { EARMARK_STORE: 'sqlite' }, serverStartMs);
    try {
      const figure = await runChild<HttpFigure>({ kind: 'http-load', task: load(server.port, server.financeToken, 'service', server.pid) }).done;
      const paidFen = BigInt(figure.paymentsAccepted) * httpPaymentFen;
      await expectPaidOverHttp(server.port, server.operatorToken, defaultProgramCode, benchFiscalYear, formatYuan(paidFen));
      return figure;
    } finally {
      await server.stop();
    }
  });
  progress(`${service.requestsPerSecond}/s, p99 ${service.p99Ms} ms\n`);
  return { service, emptyEndpoint };
}

/** Generates a log of task.events events, then scans it raw and rebuilds every projection from it. */
async function measureLedger(task: LedgerTask): Promise<LedgerDetails> {
  progress(`${task.store}: writing ${task.events} events... `);
  const generated = await runChild<GeneratedLedger>({ kind: 'generate', task }).done;
  progress(`${generated.seconds.toFixed(1)} s\n${task.store}: raw scan... `);
  const scan = await runChild<ScanFigure>({ kind: 'scan', task }).done;
  progress(`${scan.rowsPerSecond} rows/s\n${task.store}: rebuilding every projection... `);
  const rebuild = await runChild<RebuildFigure>({ kind: 'rebuild', task, paidFenByFund: generated.paidFenByFund }).done;
  progress(`${rebuild.eventsPerSecond} events/s, peak RSS ${Math.max(rebuild.peakRssMiB, rebuild.maxRssMiB)} MiB\n`);
  return { generated: { ...generated, seconds: Number(generated.seconds.toFixed(2)) }, scan, rebuild };
}

/** The real service over the rebuilt log: its books first, then each query's latency. */
async function measureQueriesOn(task: LedgerTask, generated: GeneratedLedger, sizes: BenchSizes): Promise<QueryFigure[]> {
  progress(`${task.store}: queries at ${task.events} events... `);
  const server = await ServiceProcess.start(
    task.dataDir,
    { EARMARK_STORE: task.store, ...(task.databaseUrl ? { EARMARK_DATABASE_URL: task.databaseUrl } : {}), EARMARK_SEED_NOTICE: '', ...idleCheckpoints },
    serverStartMs,
  );
  try {
    for (const [programCode, paidFen] of Object.entries(generated.paidFenByFund)) {
      await expectPaidOverHttp(server.port, server.operatorToken, programCode, benchFiscalYear, formatYuan(BigInt(paidFen)));
    }
    const figures = await runChild<QueryFigure[]>({
      kind: 'queries',
      task: {
        port: server.port,
        token: server.operatorToken,
        programCode: defaultProgramCode,
        fiscalYear: benchFiscalYear,
        regionCode: queriedRegion,
        calls: sizes.queryCalls,
        budgetMs: sizes.queryBudgetMs,
      },
    }).done;
    progress(`${figures.map((f) => `${f.query} p99 ${f.p99Ms} ms`).join(', ')}\n`);
    return figures;
  } finally {
    await server.stop();
  }
}

/** A new data dir, and for PostgreSQL a throwaway database, removed afterwards. */
async function withFreshStore<T>(store: StoreChoice, work: (place: StorePlace) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), `earmark-bench-${store}-`));
  try {
    const database = store === 'postgres' ? await createTestDatabase() : null;
    try {
      return await work({ store, dataDir, databaseUrl: database?.url ?? null });
    } finally {
      await database?.drop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface RunningChild<T> {
  /** What the child offers once it is ready (a port, or nothing when it waits to start together). */
  readonly ready: Promise<unknown>;
  /** Tells a ready child to go on: start timing, or stop serving. */
  go(): void;
  readonly done: Promise<T>;
}

function runChild<T>(task: ChildTask, execArgv: string[] = process.execArgv): RunningChild<T> {
  const child = fork(__filename, ['--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  let markReady: (value: unknown) => void = () => undefined;
  let failReady: (error: Error) => void = () => undefined;
  const ready = new Promise<unknown>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  // A child that never gets ready fails `done` as well; nobody need wait on `ready`.
  ready.catch(() => undefined);
  const done = new Promise<T>((resolve, reject) => {
    let answer: ChildMessage | null = null;
    child.on('message', (message: ChildMessage) => {
      if (message.kind === 'ready') markReady(message.value);
      else answer = message;
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const failure = new Error(
        `${task.kind}: ${answer?.kind === 'done' && !answer.ok ? answer.error : `child exited with ${signal ?? code} before answering`}`,
      );
      failReady(failure);
      if (answer?.kind === 'done' && answer.ok) resolve(answer.result as T);
      else reject(failure);
    });
  });
  child.send(task);
  return { ready, go: () => (child.connected ? child.send('go') : undefined), done };
}

async function runChildTask(task: ChildTask, offer: (value: unknown) => Promise<void>): Promise<unknown> {
  switch (task.kind) {
    case 'raw-sqlite':
      return measureRawSqlite(task.place.dataDir, task.singleRowCommits, task.commitsOf64Rows);
    case 'raw-postgres':
      return measureRawPostgres(required(task.place.databaseUrl), task.commits);
    case 'seed':
      return seedFunds(task.place, task.programCodes);
    case 'commands':
      return benchCommands(task.task, () => (task.task.together ? offer(null) : Promise.resolve()));
    case 'check-paid':
      return checkPaid(task.place, task.paidFenByProgram);
    case 'empty-endpoint': {
      const endpoint = await serveEmptyEndpoint();
      await offer({ port: endpoint.port, pid: process.pid });
      await endpoint.close();
      return {};
    }
    case 'http-load':
      return loadHttp(task.task);
    case 'generate':
      return generateLedger(task.task);
    case 'scan':
      return scanEvents(task.task);
    case 'rebuild':
      return benchRebuild(task.task, task.paidFenByFund);
    case 'verify':
      return benchVerify(task.task);
    case 'queries':
      return measureQueries(task.task);
    default:
      return assertNever(task);
  }
}

function cpuNote(figure: CommandFigure): string {
  const server = figure.serverCpuUsPerCommand === null ? '' : `, server ${figure.serverCpuUsPerCommand} µs`;
  return `CPU a command: process ${figure.cpuUsPerCommand} µs${server}`;
}

function progress(text: string): void {
  process.stderr.write(text);
}

function required(value: string | null): string {
  if (!value) throw new Error('a PostgreSQL measurement needs a database URL');
  return value;
}

function assertNever(value: never): never {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}

if (process.argv[2] === '--child') {
  // Tells the parent the child is ready (with what it offers), then waits for its 'go'.
  const offer = (value: unknown): Promise<void> =>
    new Promise<void>((resolve) => {
      process.once('message', () => resolve());
      process.send?.({ kind: 'ready', value } satisfies ChildMessage);
    });
  process.once('message', (task: ChildTask) => {
    runChildTask(task, offer)
      .then(
        (result): ChildMessage => ({ kind: 'done', ok: true, result: result ?? null }),
        (error: unknown): ChildMessage => ({ kind: 'done', ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      )
      .then((answer) => process.send?.(answer, () => process.exit(0)));
  });
} else if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
