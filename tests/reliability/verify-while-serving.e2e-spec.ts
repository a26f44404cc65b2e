import { appendFiller, fillerEvent } from '../support/filler-events';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * An auditor's GET /v1/audit/verify checks the whole log; on the embedded store the service went on
 * answering nothing else until it was done (the store answers each read within the turn). The real
 * app on SQLite, a log of some 40,000 events: a liveness probe and a region's balance sent while the
 * verification runs are answered before it.
 */

const filler = 40_000;

describe('the service answers while it verifies the log (SQLite)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ store: 'sqlite', env: { EARMARK_CHECKPOINT_EVERY: '1000000000', EARMARK_CHECKPOINT_SECONDS: '2147483' } });
    await appendFiller(app.infrastructure.store, 'filler-1', filler, 2_000);
  }, 120_000);

  afterAll(async () => {
    await app.close();
  });

  it('a liveness probe and a balance sent during GET /v1/audit/verify are answered before it', async () => {
    const answeredAt: Record<string, number> = {};
    const head = Number(await app.infrastructure.store.headPosition());
    const verifying = app.call('GET', '/v1/audit/verify', { token: 'aud' }).then((answer) => {
      answeredAt['verify'] = performance.now();
      return answer;
    });
    // Sent once the verification has begun reading (it runs for a second or more here).
    await new Promise((resolve) => setTimeout(resolve, 100));
    const live = app.call('GET', '/v1/health/live', { token: null }).then((answer) => {
      answeredAt['live'] = performance.now();
      return answer;
    });
    const balance = app.region('510100').then((answer) => {
      answeredAt['balance'] = performance.now();
      return answer;
    });
    const [verified, alive, region] = await Promise.all([verifying, live, balance]);
    expect([alive.status, alive.body]).toEqual([200, { status: 'ok' }]);
    expect(region.status).toBe(200);
    expect([verified.status, (verified.body as { events: number }).events, (verified.body as { checks: { chain: string } }).checks.chain]).toEqual([
      200,
      head,
      'passed',
    ]);
    expect([answeredAt['live'] < answeredAt['verify'], answeredAt['balance'] < answeredAt['verify']]).toEqual([true, true]);
  }, 120_000);

  it('callers who ask while a verification runs share the next one, which checks what was appended meanwhile', async () => {
    const head = await app.infrastructure.store.headPosition();
    const eventsOf = (answer: { status: number; body: unknown }) => [answer.status, (answer.body as { events: number }).events];
    const first = app.call('GET', '/v1/audit/verify', { token: 'aud' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const appended = await app.infrastructure.store.append({
      streams: [{ streamName: 'filler-2', expectedVersion: 'no-stream', events: [fillerEvent(filler + 1)] }],
    });
    expect(appended.lastPosition).toBe(head + 1n);
    const during = await Promise.all([1, 2, 3, 4].map(() => app.call('GET', '/v1/audit/verify', { token: 'aud' })));
    expect(eventsOf(await first)).toEqual([200, Number(head)]);
    expect(during.map(eventsOf)).toEqual([1, 2, 3, 4].map(() => [200, Number(head) + 1]));
  }, 120_000);
});
