import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@earmark/event-store/sqlite';

export interface SqliteAppendBenchOptions {
  /** Appends measured per concurrency level, after the warm-up. */
  readonly appendsPerLevel?: number;
  readonly concurrencyLevels?: readonly number[];
  /** Where the throwaway database files go; the OS temp dir by default. */
  readonly dir?: string;
}

export interface SqliteAppendBenchResult {
  readonly concurrency: number;
  readonly appends: number;
  readonly elapsedMs: number;
  readonly appendsPerSecond: number;
}

const defaultAppendsPerLevel = 5_000;
const defaultConcurrencyLevels = [1, 64] as const;
const warmUpAppends = 200;

/**
 * Appends per second on a fresh file per level: `concurrency` writers, each appending one small
 * event at a time to its own stream with an exact expected version, so that every append is a
 * real version check, hash link and durable commit (synchronous=FULL). At concurrency 1 each
 * append pays its own fsync; above that, group commit shares one between the appends of a tick.
 */
export async function benchSqliteAppends(options: SqliteAppendBenchOptions = {}): Promise<SqliteAppendBenchResult[]> {
  const appendsPerLevel = options.appendsPerLevel ?? defaultAppendsPerLevel;
  const results: SqliteAppendBenchResult[] = [];
  for (const concurrency of options.concurrencyLevels ?? defaultConcurrencyLevels) {
    results.push(await benchOneLevel(concurrency, appendsPerLevel, options.dir ?? tmpdir()));
  }
  return results;
}

async function benchOneLevel(concurrency: number, appends: number, parent: string): Promise<SqliteAppendBenchResult> {
  const dir = mkdtempSync(join(parent, 'earmark-bench-'));
  const store = new SqliteEventStore({ file: join(dir, 'bench.sqlite') });
  try {
    await store.init();
    await runWriters(store, 'warm-up', concurrency, warmUpAppends);
    const started = process.hrtime.bigint();
    await runWriters(store, 'bench', concurrency, appends);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    return { concurrency, appends, elapsedMs: Math.round(elapsedMs), appendsPerSecond: Math.round((appends / elapsedMs) * 1000) };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runWriters(store: SqliteEventStore, prefix: string, concurrency: number, appends: number): Promise<void> {
  let next = 0;
  const writer = async (w: number): Promise<void> => {
    let version = -1n;
    while (next < appends) {
      const n = next;
      next += 1;
      await store.append({
        streams: [{
          streamName: `${prefix}-${w}`,
          expectedVersion: version < 0n ? 'no-stream' : version,
          events: [{
            id: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
            type: 'DisbursementRecorded',
            data: { regionCode: '510100', amountFen: '1350000', voucher: `凭证-${n}` },
            metadata: { correlationId: `bench-${n}` },
          }],
        }],
      });
      version += 1n;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => writer(w)));
}

if (require.main === module) {
  benchSqliteAppends().then(
    (results) => console.table(results),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
