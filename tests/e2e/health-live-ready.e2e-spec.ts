import { join } from 'node:path';
import { sqliteFileName } from '@earmark/runtime';
import Database from 'better-sqlite3';
import { startTestApp, type TestApp } from '../support/test-app';

/** Liveness (the process answers) apart from readiness (the store answers, projections close behind). */
describe('liveness and readiness', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { EARMARK_READY_MAX_LAG_EVENTS: '5' } });
  }, 60_000);
  afterAll(() => app.close());

  it('GET /v1/health keeps the shape API.md gives it, and needs no token; on SQLite it shows who checkpoints the WAL', async () => {
    const store = app.infrastructure.store;
    const positions = { status: 'ok', store: store.kind, position: 23, projectionPosition: 23, projectionLag: 0 };
    if (store.kind !== 'sqlite') {
      const health = await app.call('GET', '/v1/health', { token: null });
      expect([health.status, health.body]).toEqual([200, positions]);
      return;
    }
    // The seed's commits started the checkpointer thread (the service's default); wait until its
    // passes have copied everything and stopped (with no commit and no frame left, none follows).
    const passes = () => store.health?.().checkpoints as { passes: number; completePasses: number } | undefined;
    const deadline = Date.now() + 20_000;
    for (let last = -1; ; ) {
      const now = passes();
      if (now !== undefined && now.passes > 0 && now.passes === now.completePasses && now.passes === last) break;
      if (Date.now() > deadline) throw new Error(`the checkpointer's passes did not settle: ${JSON.stringify(store.health?.())}`);
      last = now?.passes ?? -1;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const settled = passes()!.passes;
    // The WAL as a connection of the test's own finds it, with no commit since the thread's pass.
    const db = new Database(join(app.dataDir, sqliteFileName));
    const [wal] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    db.close();
    expect([wal.busy, wal.log > 0, wal.checkpointed]).toEqual([0, true, wal.log]);
    const health = await app.call('GET', '/v1/health', { token: null });
    expect([health.status, health.body]).toEqual([
      200,
      {
        ...positions,
        checkpoints: { mode: 'background', thread: 'running', restarts: 0, passes: settled, completePasses: settled, failedPasses: 0, walFrames: wal.log, framesLeft: 0 },
      },
    ]);
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
