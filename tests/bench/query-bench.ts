import { defaultProgramCode } from '@earmark/runtime';
import { fullSizes } from './bench-sizes';
import { benchFiscalYear } from './ledger-context';
import { measureQueries } from './query-latency';
import { withServedLog } from './served-log';

/**
 * The query latencies alone, on SQLite (or BENCH_STORE=postgres), over a generated log of
 * BENCH_EVENTS events (200,000 unless given): generate, rebuild, start `earmark serve`, then each
 * query's first call and its warm calls, as `npm run bench` measures them, printed as JSON. For
 * looking at the queries without the whole bench:
 *
 *   npm run build && BENCH_EVENTS=200000 node dist/tests/bench/query-bench.js
 */
async function main(): Promise<void> {
  const events = Number(process.env.BENCH_EVENTS ?? '200000');
  const store = process.env.BENCH_STORE ?? 'sqlite';
  if (store !== 'sqlite' && store !== 'postgres') throw new Error(`BENCH_STORE may be sqlite or postgres, not ${store}`);
  const figures = await withServedLog(
    events,
    (server) =>
      measureQueries({
        port: server.port,
        token: server.operatorToken,
        programCode: defaultProgramCode,
        fiscalYear: benchFiscalYear,
        regionCode: '510100',
        calls: fullSizes.queryCalls,
        budgetMs: fullSizes.queryBudgetMs,
      }),
    store,
  );
  process.stdout.write(`${JSON.stringify({ store, events, figures }, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`query bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
