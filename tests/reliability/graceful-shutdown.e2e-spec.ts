import { request } from 'node:http';
import { payment, program, year } from '../support/test-app';
import { serverForThisFile, type ServerProcess } from '../support/server-process';

type Outcome = { voucher: string; status: number; body: string } | { voucher: string; error: string };

/**
 * SIGTERM in the middle of a burst of payments: the service stops accepting, finishes what it
 * accepted, commits, closes the store and exits 0. Every acknowledged payment is in the log after
 * a restart, nothing else is, and no request that reached it lost its connection.
 */
describe.each([
  ['inline', {}],
  ['thread', { EARMARK_SQLITE_WRITER: 'thread' }],
])('SIGTERM during a burst of payments (SQLite, %s writer)', (_writer, env) => {
  let server: ServerProcess;
  serverForThisFile((created) => (server = created), env);

  /** One payment on its own connection, so that no keep-alive reuse blurs what was accepted. */
  const pay = (voucher: string): Promise<Outcome> =>
    new Promise((resolve) => {
      const body = JSON.stringify(payment('510100', '1.00', voucher, { beneficiaries: 1 }));
      const sent = request(
        {
          host: '127.0.0.1',
          port: server.port,
          method: 'POST',
          path: '/v1/disbursements',
          agent: false,
          headers: {
            authorization: `Bearer ${server.tokens.cd}`,
            'idempotency-key': `term-${voucher}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve({ voucher, status: response.statusCode ?? 0, body: text }));
          response.on('error', (error: NodeJS.ErrnoException) => resolve({ voucher, error: error.code ?? error.message }));
        },
      );
      sent.on('error', (error: NodeJS.ErrnoException) => resolve({ voucher, error: error.code ?? error.message }));
      sent.end(body);
    });

  it('every acknowledged payment is in the log, nothing else is, no connection was reset, and the exit code is 0', async () => {
    const total = 120;
    const acknowledgedBeforeSignal = 10;
    let answered = 0;
    let inFlightAtSignal = -1;
    let exited: Promise<number | null> | null = null;
    const outcomes = await Promise.all(
      Array.from({ length: total }, (_, i) =>
        pay(`TERM-${i}`).then((outcome) => {
          answered += 1;
          if ('status' in outcome && outcome.status === 201 && answered >= acknowledgedBeforeSignal && exited === null) {
            inFlightAtSignal = total - answered;
            exited = server.terminate();
          }
          return outcome;
        }),
      ),
    );
    expect(exited).not.toBeNull();
    expect(await exited).toBe(0);
    expect(server.output).toContain('stopped: every answered request is committed and the store is closed');
    // The signal went out while payments were still unanswered.
    expect(inFlightAtSignal).toBeGreaterThan(0);

    const failures = outcomes.filter((o): o is { voucher: string; error: string } => 'error' in o);
    // A connection the service never accepted is refused; one it accepted is answered.
    expect(failures.filter((f) => f.error !== 'ECONNREFUSED')).toEqual([]);
    const answers = outcomes.filter((o): o is { voucher: string; status: number; body: string } => 'status' in o);
    for (const answer of answers.filter((a) => a.status !== 201)) {
      expect([answer.status, JSON.parse(answer.body).code]).toEqual([503, 'unavailable']);
    }
    const acknowledged = answers.filter((a) => a.status === 201).map((a) => a.voucher);
    expect(acknowledged.length).toBeGreaterThanOrEqual(acknowledgedBeforeSignal);

    await server.start();
    const trail = await server.call('GET', `/v1/programs/${program}/years/${year}/regions/510100/trail`);
    const recorded = trail.body.map((e: { reference: string }) => e.reference).filter((r: string) => r.startsWith('TERM-'));
    expect([...recorded].sort()).toEqual([...acknowledged].sort());
    process.stdout.write(
      `SIGTERM after ${acknowledgedBeforeSignal} acknowledgements with ${inFlightAtSignal} of ${total} unanswered: ` +
        `${acknowledged.length} acknowledged and recorded, ${answers.length - acknowledged.length} answered 503, ${failures.length} refused connections\n`,
    );
  }, 120_000);
});
