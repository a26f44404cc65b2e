import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../../libs/event-store/test/support/postgres-test-db';
import type { StorePlace } from './ledger-context';
import { benchRebuild, generateLedger } from './rebuild-throughput';
import { ServiceProcess } from './service-process';

/**
 * The bench's generated log of `events` events on `store` (SQLite unless given; PostgreSQL in a
 * throwaway database of the test server), its projections rebuilt, served by `earmark serve` (no
 * seed, no checkpoints signed during the calls): `use` runs against it, then the service stops and
 * the files and the database go.
 */
export async function withServedLog<T>(
  events: number,
  use: (server: ServiceProcess) => Promise<T>,
  store: StorePlace['store'] = 'sqlite',
): Promise<T> {
  if (!Number.isSafeInteger(events) || events < 200) throw new Error('BENCH_EVENTS must be a whole number of at least 200');
  const dataDir = mkdtempSync(join(tmpdir(), 'earmark-served-log-'));
  try {
    const database = store === 'postgres' ? await createTestDatabase() : null;
    try {
      const task = { store, dataDir, databaseUrl: database?.url ?? null, events };
      const generated = await generateLedger(task);
      process.stderr.write(`generated ${generated.events} events in ${generated.seconds.toFixed(1)} s\n`);
      await benchRebuild(task, generated.paidFenByFund);
      const server = await ServiceProcess.start(
        dataDir,
        {
          EARMARK_STORE: store,
          ...(database ? { EARMARK_DATABASE_URL: database.url } : {}),
          EARMARK_SEED_NOTICE: '',
          EARMARK_CHECKPOINT_EVERY: '1000000000',
          EARMARK_CHECKPOINT_SECONDS: '2147483',
        },
        180_000,
      );
      try {
        return await use(server);
      } finally {
        await server.stop();
      }
    } finally {
      await database?.drop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
