import { defaultProgramCode } from '@earmark/runtime';
import { benchFiscalYear } from './ledger-context';
import { withServedLog } from './served-log';

/**
 * The views that replay a fund, on SQLite, over a generated log of BENCH_EVENTS events (200,000
 * unless given; ten funds): the desk's calls for one past day (the totals, the regions, two
 * regions, the totals again), six calls for six days at once with the service's peak resident set,
 * and a flag step that names no program-year (one whose id is a payment's position, with the
 * slowest of the health checks sent every 2 ms meanwhile; the same for an id no event has), and
 * today's flags of that fund after each of ten payments to it. Each figure
 * is a call's time from sending to the last byte, printed as JSON:
 *
 *   npm run bench:views        (BENCH_EVENTS=1000000 unless given; about 6 minutes)
 *
 * Only a wrong answer fails it (a view not 200, the step or a payment not 201, the unknown id not 404); `npm run
 * bench:small` runs it at 2,000 events to prove that it still works.
 */
async function main(): Promise<void> {
  const events = Number(process.env.BENCH_EVENTS ?? '200000');
  await withServedLog(events, async (server) => {
    const timed = async (method: 'GET' | 'POST', path: string, body?: unknown, token = server.operatorToken): Promise<{ status: number; ms: number }> => {
      const started = process.hrtime.bigint();
      const response = await fetch(`http://127.0.0.1:${server.port}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json', 'idempotency-key': `views-bench-${started}` }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      await response.arrayBuffer();
      return { status: response.status, ms: Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10 };
    };
    const fund = `/v1/programs/${defaultProgramCode}/years/${benchFiscalYear}`;
    const day = '2024-06-30';
    const deskDay: Record<string, { status: number; ms: number }> = {};
    for (const [name, path] of [
      ['totals', `${fund}?asOf=${day}`],
      ['regions', `${fund}/regions?asOf=${day}`],
      ['region 510100', `${fund}/regions/510100?asOf=${day}`],
      ['region 510300', `${fund}/regions/510300?asOf=${day}`],
      ['totals again', `${fund}?asOf=${day}`],
    ] as const) {
      deskDay[name] = await timed('GET', path);
    }
    const started = process.hrtime.bigint();
    const days = await Promise.all(['01', '02', '03', '04', '05', '07'].map((month) => timed('GET', `${fund}/regions/510100?asOf=2024-${month}-28`)));
    const sixDays = { statuses: days.map((answer) => answer.status), ms: Math.round(Number(process.hrtime.bigint() - started) / 1e6) };
    const peakRssMiB = server.peakRssMiB();
    // 510100's first payment in the first fund: the second entry of its trail, after the allocation.
    const trail = await fetch(`http://127.0.0.1:${server.port}${fund}/regions/510100/trail?limit=2`, {
      headers: { authorization: `Bearer ${server.operatorToken}` },
    });
    const paymentPosition = ((await trail.json()) as { position: number; type: string }[])[1]?.position;
    if (paymentPosition === undefined) throw new Error('510100 has no payment in the first fund');
    const step = { action: 'acknowledge', note: 'views bench' };
    // The first step folds the fund, judges it and lists its flags: meanwhile a health check every
    // 2 ms says how long the service leaves other requests waiting.
    let stepping = true;
    const healthMs: number[] = [];
    const probing = (async () => {
      while (stepping) {
        const health = await timed('GET', '/v1/health');
        if (health.status !== 200) throw new Error(`health answered ${health.status} during the flag step`);
        healthMs.push(health.ms);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    const firstStep = await timed('POST', `/v1/flags/${encodeURIComponent(`headcount-mismatch:510100:payment-${paymentPosition}`)}/actions`, step);
    stepping = false;
    await probing;
    const flagStep = {
      'a payment of the first fund': firstStep,
      'an id no event has': await timed('POST', `/v1/flags/${encodeURIComponent(`headcount-mismatch:510100:payment-${events * 10}`)}/actions`, step),
    };
    const healthDuringFirstStep = { calls: healthMs.length, slowestMs: Math.max(...healthMs) };
    // Today's flags of the first fund after each of ten payments to it: every payment of the generated
    // log is off the per-person standard (1.00 元 for one person), so the fund holds a flag per payment
    // and each call after a payment judges them all again.
    const flagsPage = `${fund}/flags?limit=100`;
    const totals = await fetch(`http://127.0.0.1:${server.port}${fund}`, { headers: { authorization: `Bearer ${server.operatorToken}` } });
    const { expenditureSubject } = (await totals.json()) as { expenditureSubject: string };
    const flagsAfterPayment: { paid: number; flags: number; ms: number }[] = [];
    for (let n = 1; n <= 10; n += 1) {
      const paid = await timed(
        'POST',
        '/v1/disbursements',
        {
          programCode: defaultProgramCode,
          fiscalYear: benchFiscalYear,
          regionCode: '510100',
          kind: 'beneficiary-payment',
          amount: '1.00',
          paidOn: day,
          voucherNo: `VIEWS-BENCH-${n}`,
          expenditureSubject,
          beneficiaries: 1,
        },
        server.financeToken,
      );
      const flags = await timed('GET', flagsPage);
      flagsAfterPayment.push({ paid: paid.status, flags: flags.status, ms: flags.ms });
    }
    const afterPaymentMs = flagsAfterPayment.map((call) => call.ms).sort((a, b) => a - b);
    const flagsAfterAPayment = { calls: flagsAfterPayment.length, medianMs: afterPaymentMs[afterPaymentMs.length >> 1], maxMs: afterPaymentMs[afterPaymentMs.length - 1] };
    // A wrong answer fails the bench; its timings never do.
    if (flagsAfterPayment.some((call) => call.paid !== 201 || call.flags !== 200)) throw new Error(`a payment or its flags answered ${JSON.stringify(flagsAfterPayment)}`);
    const statuses = [...Object.values(deskDay).map((answer) => answer.status), ...sixDays.statuses];
    if (statuses.some((status) => status !== 200)) throw new Error(`a past view answered ${JSON.stringify({ deskDay, sixDays })}`);
    const steps = Object.values(flagStep).map((answer) => answer.status);
    if (steps[0] !== 201 || steps[1] !== 404) throw new Error(`the flag steps answered ${JSON.stringify(flagStep)}, not 201 and 404`);
    process.stdout.write(
      `${JSON.stringify({ events, deskDay, sixDays, peakRssMiBAfterSixDays: peakRssMiB, flagStep, healthDuringFirstStep, flagsAfterAPayment, peakRssMiB: server.peakRssMiB() }, null, 2)}\n`,
    );
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`views bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
