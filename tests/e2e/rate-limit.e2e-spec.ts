import { startTestApp, type TestApp } from '../support/test-app';

/** EARMARK_RATE_LIMIT_PER_MINUTE: a bucket per key, 429 `rate-limited` with Retry-After beyond it. */
describe('rate limit per key', () => {
  describe('set to 3 a minute', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ env: { EARMARK_RATE_LIMIT_PER_MINUTE: '3' } });
    }, 60_000);
    afterAll(() => app.close());

    it('lets each key make 3 requests, then answers 429 with Retry-After; other keys, health and refused tokens are not counted', async () => {
      const regions = (token: string | null) => app.raw('GET', '/v1/regions/510100', token ? { authorization: `Bearer ${app.token(token)}` } : {});
      // Refused tokens and the public health endpoint take nothing from any bucket.
      for (let i = 0; i < 5; i += 1) expect((await regions(null)).status).toBe(401);
      for (let i = 0; i < 5; i += 1) expect((await app.raw('GET', '/v1/health')).status).toBe(200);

      const answers = [];
      for (let i = 0; i < 6; i += 1) answers.push(await regions('op'));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429, 429]);
      const limited = answers[3];
      expect(limited.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(JSON.parse(limited.text)).toMatchObject({ status: 429, code: 'rate-limited' });
      // One request comes back every 20 s: the wait is what is left of that, in whole seconds.
      const retryAfter = Number(limited.headers['retry-after']);
      expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 20).toBe(true);

      const others = [];
      for (let i = 0; i < 4; i += 1) others.push((await regions('aud')).status);
      expect(others).toEqual([200, 200, 200, 429]);
    });

    it('a command beyond the limit is refused before it runs: nothing recorded', async () => {
      const before = await app.infrastructure.store.headPosition();
      const statuses = [];
      for (let i = 0; i < 4; i += 1) {
        statuses.push((await app.post('/v1/disbursements', { not: 'read' }, 'pzh')).status);
      }
      // The three the bucket lets through are refused on their shape; the fourth never reaches it.
      expect(statuses).toEqual([400, 400, 400, 429]);
      expect(await app.infrastructure.store.headPosition()).toBe(before);
    });
  });

  describe('not set', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp();
    }, 60_000);
    afterAll(() => app.close());

    it('no limit: 200 requests of one key all answered', async () => {
      const statuses = new Set<number>();
      for (let i = 0; i < 200; i += 1) statuses.add((await app.raw('GET', '/v1/regions/510100', { authorization: `Bearer ${app.token('op')}` })).status);
      expect([...statuses]).toEqual([200]);
    });
  });
});
