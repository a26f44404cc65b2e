/**
 * How much work each measurement does. `full` is what the README's table comes from; `small`
 * (BENCH_SIZE=small) only proves in CI that every measurement still runs and answers right: its
 * figures are too short to mean anything.
 */
export interface BenchSizes {
  readonly name: 'full' | 'small';
  /** Events in the generated log that rebuild, verify and the queries run over (BENCH_EVENTS). */
  readonly events: number;
  /** The smaller log the rebuild is measured on as well, to see whether its rate holds as the log grows. */
  readonly flatnessEvents: number;
  /** Commands through the command bus, per concurrency level, after a warm-up. */
  readonly commandsAtConcurrency1: number;
  readonly commandsAtConcurrency64: number;
  readonly postgresCommandsAtConcurrency1: number;
  /** Commands each of the two processes sharing one PostgreSQL database sends. */
  readonly commandsPerProcess: number;
  /** Raw single-row commits, and raw 64-row commits, on SQLite. */
  readonly rawSingleRowCommits: number;
  readonly raw64RowCommits: number;
  /** Raw single-row commits spread over 64 PostgreSQL clients. */
  readonly rawPostgresCommits: number;
  /** POSTs to the real service, and to the empty endpoint, after a warm-up. */
  readonly httpRequests: number;
  /**
   * Calls per query, and the most time one query may take for all of them. A thousand, so that the
   * p99 is the tenth-slowest call: of 200 it was the second-slowest, one pause on either side of
   * the socket.
   */
  readonly queryCalls: number;
  readonly queryBudgetMs: number;
}

export const fullSizes: BenchSizes = {
  name: 'full',
  events: 1_000_000,
  flatnessEvents: 100_000,
  commandsAtConcurrency1: 3_000,
  commandsAtConcurrency64: 20_000,
  postgresCommandsAtConcurrency1: 1_000,
  commandsPerProcess: 10_000,
  rawSingleRowCommits: 3_000,
  raw64RowCommits: 3_000,
  rawPostgresCommits: 50_000,
  httpRequests: 20_000,
  queryCalls: 1_000,
  queryBudgetMs: 20_000,
};

export const smallSizes: BenchSizes = {
  name: 'small',
  events: 5_000,
  flatnessEvents: 500,
  commandsAtConcurrency1: 100,
  commandsAtConcurrency64: 300,
  postgresCommandsAtConcurrency1: 50,
  commandsPerProcess: 300,
  rawSingleRowCommits: 200,
  raw64RowCommits: 50,
  rawPostgresCommits: 2_000,
  httpRequests: 300,
  queryCalls: 20,
  queryBudgetMs: 5_000,
};

/** The preset BENCH_SIZE names, with BENCH_EVENTS (and a tenth of it for flatness) when given. */
export function benchSizesFrom(env: NodeJS.ProcessEnv): BenchSizes {
  const preset = env.BENCH_SIZE ?? 'full';
  if (preset !== 'full' && preset !== 'small') throw new Error(`BENCH_SIZE is full or small, not "${preset}"`);
  const sizes = preset === 'small' ? smallSizes : fullSizes;
  const events = env.BENCH_EVENTS;
  if (events === undefined || events === '') return sizes;
  const parsed = Number(events);
  if (!Number.isSafeInteger(parsed) || parsed < minEvents) throw new Error(`BENCH_EVENTS must be a whole number of at least ${minEvents}, not "${events}"`);
  return { ...sizes, events: parsed, flatnessEvents: Math.max(minEvents, Math.round(parsed / 10)) };
}

/** The generated log starts with one allocation per fund; a few hundred payments after them. */
const minEvents = 200;
