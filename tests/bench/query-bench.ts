import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultProgramCode } from '@earmark/runtime';
import { fullSizes } from './bench-sizes';
import { benchFiscalYear } from './ledger-context';
import { measureQueries } from './query-latency';
import { benchRebuild, generateLedger } from './rebuild-throughput';
import { ServiceProcess } from './service-process';

/**
 * The query latencies alone, on SQLite, over a generated log of BENCH_EVENTS events (200,000
 * unless given): generate, rebuild, start `earmark serve`, then each query's first call and its
 * warm calls, as `npm run bench` measures them, printed as JSON. For looking at the queries
 * without the whole bench:
 *
 *   npm run build && BENCH_EVENTS=200000 node dist/tests/bench/query-bench.js
 */
async function main(): Promise<void> {
  const events = Number(process.env.BENCH_EVENTS ?? '200000');
  if (!Number.isSafeInteger(events) || events < 200) throw new Error(`BENCH_EVENTS must be a whole number of at least 200`);
  const dataDir = mkdtempSync(join(tmpdir(), 'earmark-query-bench-'));
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
      const figures = await measureQueries({
        port: server.port,
        token: server.operatorToken,
        programCode: defaultProgramCode,
        fiscalYear: benchFiscalYear,
        regionCode: '510100',
        calls: fullSizes.queryCalls,
        budgetMs: fullSizes.queryBudgetMs,
      });
      process.stdout.write(`${JSON.stringify({ events, figures }, null, 2)}\n`);
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`query bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
