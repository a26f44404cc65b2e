import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { NewEvent } from '@earmark/event-store';
import { PostgresEventStore } from '@earmark/event-store/postgres';

export interface PostgresAppendFigure {
  readonly concurrency: number;
  readonly maxBatch: number;
  readonly appends: number;
  readonly seconds: number;
  readonly appendsPerSecond: number;
  /** Median and 99th percentile latency of one append, queueing included. */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface PostgresAppendBenchOptions {
  /** A server where this user may CREATE DATABASE; a throwaway database is made and dropped per run. */
  readonly serverUrl?: string;
  readonly concurrencies?: readonly number[];
  readonly durationMs?: number;
  readonly maxBatch?: number;
}

const defaultServerUrl = 'postgres://postgres@127.0.0.1:5432/postgres';
const defaultDurationMs = 5_000;
const warmUpAppendsPerWriter = 5;

/** One disbursement-sized event: what a real append carries. */
function disbursementEvent(writer: number, n: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'DisbursementRecorded',
    data: {
      regionCode: '510100',
      toRegionCode: '510104',
      amountFen: String(100_000 + n),
      voucherNo: `bench-${writer}-${n}`,
      subjectCode: '2083001',
      occurredOn: '2024-03-01',
    },
    metadata: { correlationId: randomUUID(), actor: 'bench' },
  };
}

async function withThrowawayDatabase<T>(serverUrl: string, work: (url: string) => Promise<T>): Promise<T> {
  const name = `earmark_bench_${randomBytes(8).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return await work(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function measure(url: string, concurrency: number, durationMs: number, maxBatch: number): Promise<PostgresAppendFigure> {
  // One pool connection appends (group commit); the rest serve reads, unused here.
  const store = new PostgresEventStore({ connectionString: url, poolSize: 4, groupCommit: { maxBatch } });
  await store.init();
  try {
    const versions = new Array<bigint>(concurrency).fill(-1n);
    const appendOnce = async (writer: number, n: number): Promise<void> => {
      const result = await store.append({
        streams: [
          {
            streamName: `region-bench${writer}`,
            expectedVersion: versions[writer] < 0n ? 'no-stream' : versions[writer],
            events: [disbursementEvent(writer, n)],
          },
        ],
      });
      versions[writer] = result.nextExpectedVersions[0];
    };
    await Promise.all(
      Array.from({ length: concurrency }, async (_, writer) => {
        for (let n = 0; n < warmUpAppendsPerWriter; n += 1) await appendOnce(writer, n);
      }),
    );

    const latenciesMs: number[] = [];
    const started = process.hrtime.bigint();
    const deadline = started + BigInt(durationMs) * 1_000_000n;
    await Promise.all(
      Array.from({ length: concurrency }, async (_, writer) => {
        for (let n = warmUpAppendsPerWriter; process.hrtime.bigint() < deadline; n += 1) {
          const before = process.hrtime.bigint();
          await appendOnce(writer, n);
          latenciesMs.push(Number(process.hrtime.bigint() - before) / 1e6);
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    latenciesMs.sort((a, b) => a - b);
    const percentile = (p: number): number => latenciesMs[Math.min(latenciesMs.length - 1, Math.floor(latenciesMs.length * p))] ?? 0;
    return {
      concurrency,
      maxBatch,
      appends: latenciesMs.length,
      seconds: Number(seconds.toFixed(2)),
      appendsPerSecond: Math.round(latenciesMs.length / seconds),
      p50Ms: Number(percentile(0.5).toFixed(2)),
      p99Ms: Number(percentile(0.99).toFixed(2)),
    };
  } finally {
    await store.close();
  }
}

/**
 * Appends per second through PostgresEventStore, one event per append, each writer on its own stream
 * with an exact expected version. Concurrency 1 shows the cost of one commit; 64 shows what the
 * group commit makes of many waiting appends.
 */
export async function benchPostgresAppends(options: PostgresAppendBenchOptions = {}): Promise<PostgresAppendFigure[]> {
  const serverUrl = options.serverUrl ?? process.env.EARMARK_TEST_DATABASE_URL ?? defaultServerUrl;
  const figures: PostgresAppendFigure[] = [];
  for (const concurrency of options.concurrencies ?? [1, 64]) {
    figures.push(
      await withThrowawayDatabase(serverUrl, (url) =>
        measure(url, concurrency, options.durationMs ?? defaultDurationMs, options.maxBatch ?? 256),
      ),
    );
  }
  return figures;
}
