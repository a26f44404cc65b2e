import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { defaultFundPolicy } from '@earmark/domain';
import type { FlagThresholds } from '@earmark/projections';
import { flagThresholdsFromEnv } from './flag-thresholds';

export type StoreChoice = 'sqlite' | 'postgres' | 'kurrentdb';

/** Everything the service reads from its environment, read in one place. */
export interface EarmarkConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly keysFile: string | null;
  readonly store: StoreChoice;
  readonly databaseUrl: string | null;
  /**
   * Where SQLite's group commits run: on the event loop's thread ('inline', the default), or on a
   * writer thread with a connection of its own ('thread'). The thread did not measure faster on the
   * 2-core machine the bench runs on (README, "Tests"): it needs a core to itself.
   */
  readonly sqliteWriter: 'thread' | 'inline';
  /**
   * Who copies SQLite's WAL back into the database file: a thread of its own after commits
   * ('background', the default), or the commit that takes the WAL past SQLite's threshold
   * ('inline'), which every append waiting behind that commit waits for.
   */
  readonly sqliteCheckpoints: 'background' | 'inline';
  readonly kurrentDbUrl: string | null;
  readonly production: boolean;
  readonly projectRoot: string;
  readonly seedNotice: string | null;
  readonly signingKeyFile: string | null;
  readonly checkpointEveryEvents: number;
  /** A checkpoint is also issued this often when events arrived since the last one. */
  readonly checkpointSeconds: number;
  /** Days after the fiscal year during which payments and pass-downs are still recorded, flagged late. */
  readonly latePaymentGraceDays: number;
  /** The region registry's file (EARMARK_REGIONS_FILE, else the one shipped in seeds/). */
  readonly regionsFile: string;
  /** What the flags are measured against (EARMARK_FLAG_*). */
  readonly flagThresholds: FlagThresholds;
  /** Requests a minute each key may make; null: no limit. */
  readonly rateLimitPerMinute: number | null;
  /** Readiness fails while the projections trail the log by more events than this. */
  readonly readyMaxLagEvents: number;
  /** Events of one fund folded in memory for a past view or the auditors' views (LedgerSettings). */
  readonly replayMaxFundEvents: number;
  /** Request and service logs: JSON lines, or readable lines for a developer (NODE_ENV=development). */
  readonly logFormat: 'json' | 'pretty';
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The folder holding package.json, found from wherever the compiled file runs. */
export function findProjectRoot(from: string = __dirname): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'seeds'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): EarmarkConfig {
  const projectRoot = findProjectRoot();
  const store = (env.EARMARK_STORE ?? 'sqlite') as StoreChoice;
  if (!['sqlite', 'postgres', 'kurrentdb'].includes(store)) {
    throw new ConfigError(`EARMARK_STORE must be sqlite, postgres or kurrentdb, not "${store}"`);
  }
  const port = Number(env.EARMARK_PORT ?? env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ConfigError(`EARMARK_PORT "${env.EARMARK_PORT}" is not a port`);
  const databaseUrl = env.EARMARK_DATABASE_URL ?? null;
  const sqliteWriter = env.EARMARK_SQLITE_WRITER || 'inline';
  if (sqliteWriter !== 'thread' && sqliteWriter !== 'inline') {
    throw new ConfigError(`EARMARK_SQLITE_WRITER must be thread or inline, not "${sqliteWriter}"`);
  }
  const sqliteCheckpoints = env.EARMARK_SQLITE_CHECKPOINTS || 'background';
  if (sqliteCheckpoints !== 'background' && sqliteCheckpoints !== 'inline') {
    throw new ConfigError(`EARMARK_SQLITE_CHECKPOINTS must be background or inline, not "${sqliteCheckpoints}"`);
  }
  if (store === 'postgres' && !databaseUrl) throw new ConfigError('EARMARK_STORE=postgres needs EARMARK_DATABASE_URL');
  const kurrentDbUrl = env.KURRENTDB_URL ?? null;
  if (store === 'kurrentdb' && !kurrentDbUrl) throw new ConfigError('EARMARK_STORE=kurrentdb needs KURRENTDB_URL');
  const dataDir = resolve(env.EARMARK_DATA_DIR ?? join(process.cwd(), 'data'));
  const seed = env.EARMARK_SEED_NOTICE ?? join(projectRoot, 'seeds', 'sichuan-2024-pension-contribution-preallocation.txt');
  return {
    port,
    host: env.EARMARK_HOST || '127.0.0.1',
    dataDir,
    keysFile: env.EARMARK_KEYS_FILE ? resolve(env.EARMARK_KEYS_FILE) : null,
    store,
    sqliteWriter,
    sqliteCheckpoints,
    databaseUrl,
    kurrentDbUrl,
    production: env.NODE_ENV === 'production',
    projectRoot,
    seedNotice: env.EARMARK_SEED_NOTICE === '' ? null : seed,
    signingKeyFile: env.EARMARK_SIGNING_KEY_FILE ? resolve(env.EARMARK_SIGNING_KEY_FILE) : null,
    checkpointEveryEvents: wholeNumber(env, 'EARMARK_CHECKPOINT_EVERY', 1_000, 1, maxCheckpointEveryEvents),
    checkpointSeconds: wholeNumber(env, 'EARMARK_CHECKPOINT_SECONDS', 60, 1, maxCheckpointSeconds),
    latePaymentGraceDays: wholeNumber(
      env,
      'EARMARK_LATE_PAYMENT_GRACE_DAYS',
      defaultFundPolicy.latePaymentGraceDays,
      0,
      maxLatePaymentGraceDays,
    ),
    regionsFile: regionsFileOf(env, projectRoot),
    flagThresholds: flagThresholdsFromEnv(env),
    rateLimitPerMinute: env.EARMARK_RATE_LIMIT_PER_MINUTE ? wholeNumber(env, 'EARMARK_RATE_LIMIT_PER_MINUTE', 0, 1, maxRateLimitPerMinute) : null,
    readyMaxLagEvents: wholeNumber(env, 'EARMARK_READY_MAX_LAG_EVENTS', 1_000, 0, maxCheckpointEveryEvents),
    replayMaxFundEvents: wholeNumber(env, 'EARMARK_REPLAY_MAX_FUND_EVENTS', defaultReplayMaxFundEvents, 1, maxCheckpointEveryEvents),
    logFormat: env.NODE_ENV === 'development' ? 'pretty' : 'json',
  };
}

/**
 * The region registry's file alone: the offline verifier reads the registry and nothing else of
 * the configuration, so a store setting it does not use cannot stop it.
 */
export function regionsFileOf(env: NodeJS.ProcessEnv = process.env, projectRoot: string = findProjectRoot()): string {
  return env.EARMARK_REGIONS_FILE ?? join(projectRoot, 'seeds', 'sichuan-regions.tsv');
}

const maxCheckpointEveryEvents = 1_000_000_000;
/**
 * A fund's fold for the auditors' views holds about 0.8 KiB an event and its judged flags up to
 * 1.1 KiB a flag, so a million events stay well inside Node's default heap of about 4 GiB.
 */
const defaultReplayMaxFundEvents = 1_000_000;
const maxRateLimitPerMinute = 1_000_000_000;
/** Node fires a timer longer than 2^31 − 1 ms at once, which would checkpoint continuously. */
const maxCheckpointSeconds = 2_147_483;
/** Ten years: a grace period longer than that is a typo, not a policy. */
const maxLatePaymentGraceDays = 3_650;

/**
 * A whole number from the environment, within bounds: a typo must not silently turn checkpoints
 * off or let every late payment through.
 */
function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = /^[0-9]{1,10}$/.test(value) ? Number.parseInt(value, 10) : NaN;
  if (!(parsed >= min && parsed <= max)) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${value}"`);
  return parsed;
}
