import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { findProjectRoot, type StoreChoice } from '../../apps/api/src/config/earmark-config';
import { createTestDatabase } from '../../libs/event-store/test/support/postgres-test-db';
import { benchCommands, type CommandBenchTask, type CommandFigure } from './command-throughput';
import { benchRebuild, generateLedger, type GeneratedLedger, type LedgerTask, type RebuildFigure } from './rebuild-throughput';

/**
 * `npm run bench`: commands per second through the command bus at concurrency 1 and 64, and
 * projection rebuild speed, for SQLite and PostgreSQL; printed as a table and written as JSON to
 * bench-results/. Each measurement runs in a child process of its own, on a fresh store, so that
 * one's heap, JIT state and resident set do not colour the next.
 *
 * BENCH_EVENTS sets the size of the rebuilt log (1,000,000); BENCH_STORES picks the stores
 * (`sqlite,postgres`). PostgreSQL runs on EARMARK_TEST_DATABASE_URL's server, in throwaway databases.
 */

type ChildTask =
  | { readonly kind: 'commands'; readonly task: CommandBenchTask }
  | { readonly kind: 'generate'; readonly task: LedgerTask }
  | { readonly kind: 'rebuild'; readonly task: LedgerTask; readonly paidFenByFund: Record<string, string> };

type ChildAnswer = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: string };

const commandLevels = [
  { concurrency: 1, commands: 3_000 },
  { concurrency: 64, commands: 20_000 },
] as const;
const defaultRebuildEvents = 1_000_000;
const benchStores: readonly StoreChoice[] = ['sqlite', 'postgres'];

interface StoreFigures {
  readonly store: StoreChoice;
  readonly commands: CommandFigure[];
  readonly generated: { readonly events: number; readonly seconds: number };
  readonly rebuild: RebuildFigure;
}

async function main(): Promise<void> {
  const events = positiveInteger('BENCH_EVENTS', defaultRebuildEvents);
  const stores = (process.env.BENCH_STORES ?? benchStores.join(',')).split(',').map((store) => store.trim());
  for (const store of stores) {
    if (!benchStores.includes(store as StoreChoice)) throw new Error(`BENCH_STORES names ${store}; the bench knows ${benchStores.join(', ')}`);
  }
  const startedAt = new Date();
  const figures: StoreFigures[] = [];
  for (const store of stores as StoreChoice[]) {
    const commands: CommandFigure[] = [];
    for (const level of commandLevels) {
      process.stderr.write(`${store}: ${level.commands} commands at concurrency ${level.concurrency}... `);
      const figure = await withFreshStore(store, (dataDir, databaseUrl) =>
        inChild<CommandFigure>({ kind: 'commands', task: { store, dataDir, databaseUrl, ...level } }),
      );
      process.stderr.write(`${figure.commandsPerSecond}/s\n`);
      commands.push(figure);
    }
    const { generated, rebuild } = await withFreshStore(store, async (dataDir, databaseUrl) => {
      const task: LedgerTask = { store, dataDir, databaseUrl, events };
      process.stderr.write(`${store}: writing ${events} events... `);
      const ledger = await inChild<GeneratedLedger>({ kind: 'generate', task });
      process.stderr.write(`${ledger.seconds.toFixed(1)} s\n${store}: rebuilding the projections... `);
      const figure = await inChild<RebuildFigure>({ kind: 'rebuild', task, paidFenByFund: ledger.paidFenByFund });
      process.stderr.write(`${figure.eventsPerSecond} events/s\n`);
      return { generated: { events: ledger.events, seconds: Number(ledger.seconds.toFixed(2)) }, rebuild: figure };
    });
    figures.push({ store, commands, generated, rebuild });
  }

  console.table(
    figures.flatMap(({ store, commands, rebuild }) => [
      ...commands.map((figure) => ({
        store,
        measure: `commands, concurrency ${figure.concurrency}`,
        count: figure.commands,
        seconds: figure.seconds,
        perSecond: figure.commandsPerSecond,
        p50Ms: figure.p50Ms,
        p99Ms: figure.p99Ms,
        peakRssMiB: '',
      })),
      {
        store,
        measure: 'projection rebuild, events',
        count: rebuild.events,
        seconds: rebuild.seconds,
        perSecond: rebuild.eventsPerSecond,
        p50Ms: '',
        p99Ms: '',
        peakRssMiB: Math.max(rebuild.peakRssMiB, rebuild.maxRssMiB),
      },
    ]),
  );
  const dir = join(findProjectRoot(), 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', totalMemoryMiB: Math.round(totalmem() / 1024 / 1024) };
  writeFileSync(file, `${JSON.stringify({ startedAt: startedAt.toISOString(), node: process.version, machine, events, figures }, null, 2)}\n`);
  process.stdout.write(`written to ${file}\n`);
}

/** A new data dir, and for PostgreSQL a throwaway database, removed afterwards. */
async function withFreshStore<T>(store: StoreChoice, work: (dataDir: string, databaseUrl: string | null) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), `earmark-bench-${store}-`));
  const database = store === 'postgres' ? await createTestDatabase() : null;
  try {
    return await work(dataDir, database?.url ?? null);
  } finally {
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function inChild<T>(task: ChildTask): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = fork(__filename, ['--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let answer: ChildAnswer | null = null;
    child.once('message', (message) => {
      answer = message as ChildAnswer;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (answer?.ok) resolve(answer.result as T);
      else reject(new Error(`${task.kind} on ${task.task.store}: ${answer && !answer.ok ? answer.error : `child exited with ${code}`}`));
    });
    child.send(task);
  });
}

async function runChildTask(task: ChildTask): Promise<unknown> {
  switch (task.kind) {
    case 'commands':
      return benchCommands(task.task);
    case 'generate':
      return generateLedger(task.task);
    case 'rebuild':
      return benchRebuild(task.task, task.paidFenByFund);
    default:
      return assertNever(task);
  }
}

function positiveInteger(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1) throw new Error(`${name} must be a positive whole number, not "${value}"`);
  return parsed;
}

function assertNever(value: never): never {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}

if (process.argv[2] === '--child') {
  process.once('message', (task: ChildTask) => {
    runChildTask(task).then(
      (result): ChildAnswer => ({ ok: true, result }),
      (error: unknown): ChildAnswer => ({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    ).then((answer) => process.send?.(answer, () => process.exit(0)));
  });
} else if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
