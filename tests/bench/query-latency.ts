import { percentile, round } from './command-throughput';

export interface QueryTask {
  readonly port: number;
  /** An operator token covering every region, the funding root included. */
  readonly token: string;
  readonly programCode: string;
  readonly fiscalYear: number;
  readonly regionCode: string;
  readonly calls: number;
  /** The most time one query's calls may take together; the count reached is reported. */
  readonly budgetMs: number;
}

export interface QueryFigure {
  readonly query: string;
  readonly path: string;
  /**
   * The first call after the service started, timed alone: for flags and performance it folds the
   * fund's events (once, shared by both) and judges the rules; later calls find both kept.
   */
  readonly firstCallMs: number;
  /** Calls measured after the first and the warm-up: what a repeat caller sees. */
  readonly calls: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Size of the last answer, and when it is a list how many entries it held. */
  readonly answerBytes: number;
  readonly entries: number | null;
}

/** The trail page the bench asks for; a service that does not page yet answers the whole trail. */
export const trailPageLimit = 100;
/** The flags page the bench asks for beside the default page. */
export const flagPageLimit = 100;

/**
 * One call at a time over loopback HTTP to the running service, each answer read whole and
 * required to be 200; latency is from sending to the last byte.
 */
export async function measureQueries(task: QueryTask): Promise<QueryFigure[]> {
  const fund = `/v1/programs/${task.programCode}/years/${task.fiscalYear}`;
  const region = `${fund}/regions/${task.regionCode}`;
  const queries: [string, string][] = [
    ['region balance', region],
    ['program-year totals', fund],
    ['trail page', `${region}/trail?limit=${trailPageLimit}`],
    // Performance first: its first call folds the fund, which flags then share.
    ['performance', `${fund}/performance`],
    ['flags', `${fund}/flags`],
    ['flags page', `${fund}/flags?limit=${flagPageLimit}`],
  ];
  const figures: QueryFigure[] = [];
  for (const [query, path] of queries) {
    const get = async (): Promise<{ text: string; body: unknown }> => {
      const response = await fetch(`http://127.0.0.1:${task.port}${path}`, { headers: { authorization: `Bearer ${task.token}` } });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${text.slice(0, 500)}`);
      return { text, body: JSON.parse(text) as unknown };
    };
    const first = process.hrtime.bigint();
    await get();
    const firstCallMs = Number(process.hrtime.bigint() - first) / 1e6;
    // As many untimed calls as timed ones first, as the command bench warms up: the figure is then the
    // service's, not the JIT compiler's (after a few calls the p99 was partly code still being optimised).
    for (let i = 0; i < task.calls; i += 1) await get();
    const latenciesMs: number[] = [];
    let last = { text: '', body: null as unknown };
    const deadline = Date.now() + task.budgetMs;
    while (latenciesMs.length < task.calls && (latenciesMs.length === 0 || Date.now() < deadline)) {
      const before = process.hrtime.bigint();
      last = await get();
      latenciesMs.push(Number(process.hrtime.bigint() - before) / 1e6);
    }
    figures.push({
      query,
      path,
      firstCallMs: round(firstCallMs, 1),
      calls: latenciesMs.length,
      p50Ms: round(percentile(latenciesMs, 0.5), 2),
      p99Ms: round(percentile(latenciesMs, 0.99), 2),
      maxMs: round(Math.max(...latenciesMs), 2),
      answerBytes: Buffer.byteLength(last.text),
      entries: entriesOf(last.body),
    });
  }
  return figures;
}

/** A list answer's length (the trail page, flags, performance rows); null for a single object. */
function entriesOf(body: unknown): number | null {
  return Array.isArray(body) ? body.length : null;
}

/** GET a program-year's totals; its `paid` must read `paidYuan`. */
export async function expectPaidOverHttp(port: number, token: string, programCode: string, fiscalYear: number, paidYuan: string): Promise<void> {
  const path = `/v1/programs/${programCode}/years/${fiscalYear}`;
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${text.slice(0, 500)}`);
  const paid = (JSON.parse(text) as { paid?: unknown }).paid;
  if (paid !== paidYuan) throw new Error(`the service shows ${String(paid)} 元 paid of ${programCode}, not ${paidYuan}`);
}
