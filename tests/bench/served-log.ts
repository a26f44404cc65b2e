import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchRebuild, generateLedger } from './rebuild-throughput';
import { ServiceProcess } from './service-process';

/**
 * The bench's generated log of `events` events on SQLite, its projections rebuilt, served by
 * `earmark serve` (no seed, no checkpoints signed during the calls): `use` runs against it, then the
 * service stops and the files go.
 */
export async function withServedLog<T>(events: number, use: (server: ServiceProcess) => Promise<T>): Promise<T> {
  if (!Number.isSafeInteger(events) || events < 200) throw new Error('BENCH_EVENTS must be a whole number of at least 200');
  const dataDir = mkdtempSync(join(tmpdir(), 'earmark-served-log-'));
  try {
    const task = { store: 'sqlite' as const, dataDir, databaseUrl: null, events };
    const generated = await generateLedger(task);
    process.stderr.write(`generated ${generated.events} events in ${generated.seconds.toFixed(1)} s\n`);
    await benchRebuild(task, generated.paidFenByFund);
    const server = await ServiceProcess.start(
      dataDir,
      { EARMARK_STORE: 'sqlite', EARMARK_SEED_NOTICE: '', EARMARK_CHECKPOINT_EVERY: '1000000000', EARMARK_CHECKPOINT_SECONDS: '2147483' },
      180_000,
    );
    try {
      return await use(server);
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
