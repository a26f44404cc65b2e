import { startTestApp, type TestApp } from '../support/test-app';

/** Liveness (the process answers) apart from readiness (the store answers, projections close behind). */
describe('liveness and readiness', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { EARMARK_READY_MAX_LAG_EVENTS: '5' } });
  }, 60_000);
  afterAll(() => app.close());

  it('GET /v1/health keeps the shape API.md gives it, and needs no token', async () => {
    const health = await app.call('GET', '/v1/health', { token: null });
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok', store: app.infrastructure.store.kind, position: 23, projectionPosition: 23, projectionLag: 0 });
  });

  it('live: 200 without a token', async () => {
    const live = await app.call('GET', '/v1/health/live', { token: null });
    expect([live.status, live.body]).toEqual([200, { status: 'ok' }]);
  });

  it('ready: 200 with the positions and the threshold', async () => {
    const ready = await app.call('GET', '/v1/health/ready', { token: null });
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', store: app.infrastructure.store.kind, position: 23, projectionPosition: 23, projectionLag: 0, maxLag: 5 });
  });

  it('ready: 503 while the projections trail by more than the threshold', async () => {
    // A test double: the SQL stores project in the append's own transaction, so their projections
    // never trail; a read-model store whose checkpoint stands 6 events back stands in for one that does.
    const readModels = app.infrastructure.readModels;
    const real = readModels.checkpoint.bind(readModels);
    readModels.checkpoint = async (name: string) => (await real(name)) - 6n;
    try {
      const ready = await app.call('GET', '/v1/health/ready', { token: null });
      expect(ready.status).toBe(503);
      expect(ready.contentType).toBe('application/problem+json; charset=utf-8');
      expect(ready.body).toMatchObject({ code: 'unavailable', detail: 'projections trail the log by 6 events, more than 5', projectionLag: 6, maxLag: 5 });
      expect((await app.call('GET', '/v1/health/live', { token: null })).status).toBe(200);
    } finally {
      readModels.checkpoint = real;
    }
  });

  it('ready: 503 when the store does not answer, naming the error type only; live stays 200', async () => {
    // A test double again: a store whose connection is gone, without stopping the test's store.
    const store = app.infrastructure.store;
    const real = store.headPosition.bind(store);
    store.headPosition = async () => {
      throw new TypeError('connect ECONNREFUSED postgres://secret@db/earmark');
    };
    try {
      const ready = await app.call('GET', '/v1/health/ready', { token: null });
      expect([ready.status, ready.body.code, ready.body.detail]).toEqual([503, 'unavailable', 'the store does not answer (TypeError)']);
      expect((await app.call('GET', '/v1/health/live', { token: null })).status).toBe(200);
    } finally {
      store.headPosition = real;
    }
  });
});
