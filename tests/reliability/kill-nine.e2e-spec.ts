import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { newKey, payment, program, year } from '../support/test-app';
import { builtCli, projectRoot, ServerProcess } from '../support/server-process';
import { createTestDatabase } from '../../libs/event-store/test/support/postgres-test-db';

/**
 * A 2xx means the events are durable: the server is killed with SIGKILL right after answering,
 * and in the middle of a burst (after a number of acknowledgements, with payments still
 * unanswered), then started again on the same data folder.
 */
describe.each(['sqlite', 'sqlite, writer thread', 'postgres'])('kill -9 of the server (%s store)', (store) => {
  let server: ServerProcess;
  let database: { url: string; drop(): Promise<void> } | null = null;
  beforeAll(async () => {
    database = store === 'postgres' ? await createTestDatabase() : null;
    server = await ServerProcess.create(
      database ? { EARMARK_STORE: 'postgres', EARMARK_DATABASE_URL: database.url } : store === 'sqlite' ? {} : { EARMARK_SQLITE_WRITER: 'thread' },
    );
    await server.start();
  }, 120_000);
  afterAll(async () => {
    await server.kill();
    await database?.drop();
    rmSync(server.dataDir, { recursive: true, force: true });
  });

  const region = (code: string) => server.call('GET', `/v1/programs/${program}/years/${year}/regions/${code}`);

  it('right after a 201: after a restart the event and its balance are there', async () => {
    const paid = await server.call('POST', '/v1/disbursements', payment('510400', '123.45', 'KILL-1'), 'pzh', newKey());
    expect(paid.status).toBe(201);
    await server.kill();
    await server.start();
    const after = await region('510400');
    expect(after.body).toMatchObject({ paid: '123.45', available: '204576.55' });
    const trail = await server.call('GET', `/v1/programs/${program}/years/${year}/regions/510400/trail`);
    expect(trail.body.map((e: { reference: string }) => e.reference)).toEqual(['川财社〔2024〕2号', 'KILL-1']);
  }, 120_000);

  it('in the middle of a burst: every acknowledged command survives, and projections equal a rebuild', async () => {
    const total = 200;
    const killAfterAcknowledged = 20;
    const acknowledged: string[] = [];
    let settled = 0;
    let unansweredAtKill = -1;
    let killed: Promise<void> | null = null;
    const burst = Array.from({ length: total }, (_, i) =>
      server
        .call('POST', '/v1/disbursements', payment('510100', '1.00', `BURST-${i}`, { beneficiaries: 1 }), 'cd', newKey())
        .then((answer) => {
          if (answer.status === 201) acknowledged.push(`BURST-${i}`);
        })
        .catch(() => undefined)
        .finally(() => {
          settled += 1;
          // Killed once enough are acknowledged, while others are still unanswered: in flight.
          if (killed === null && acknowledged.length >= killAfterAcknowledged) {
            unansweredAtKill = total - settled;
            killed = server.kill();
          }
        }),
    );
    await Promise.all(burst);
    expect(killed).not.toBeNull();
    await killed;
    expect(unansweredAtKill).toBeGreaterThan(0);
    expect(acknowledged.length).toBeGreaterThanOrEqual(killAfterAcknowledged);
    process.stdout.write(`kill -9 (${store}) with ${unansweredAtKill} of ${total} payments unanswered; ${acknowledged.length} acknowledged in all\n`);
    await server.start();

    const trail = await server.call('GET', `/v1/programs/${program}/years/${year}/regions/510100/trail`);
    const recorded = new Set<string>(trail.body.map((e: { reference: string }) => e.reference));
    for (const voucher of acknowledged) expect(recorded.has(voucher)).toBe(true);
    const live = (await region('510100')).body;
    expect(live.paid).toBe(`${recorded.size - 1}.00`);

    await server.kill();
    const replay = spawnSync(process.execPath, [builtCli, 'replay'], { cwd: projectRoot, env: server.env(), encoding: 'utf8' });
    expect(replay.status).toBe(0);
    await server.start();
    expect((await region('510100')).body).toEqual(live);
  }, 180_000);
});
