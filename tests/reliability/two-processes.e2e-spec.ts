import { createTestDatabase } from '../../libs/event-store/test/support/postgres-test-db';
import { newKey, payment, program, year } from '../support/test-app';
import { freePort, ServerProcess } from '../support/server-process';

/**
 * Two API processes on one PostgreSQL database: concurrent payments from one region, worth more
 * in total than it holds, never overdraw it, and both processes answer with the same balance.
 */
describe('two processes on one PostgreSQL', () => {
  let database: { url: string; drop(): Promise<void> };
  let first: ServerProcess;
  let second: ServerProcess;

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = { EARMARK_STORE: 'postgres', EARMARK_DATABASE_URL: database.url };
    first = await ServerProcess.create(env);
    await first.start();
    second = new ServerProcess(first.dataDir, await freePort(), env);
    await second.start();
  }, 120_000);

  afterAll(async () => {
    await first?.kill();
    await second?.kill();
    await database?.drop();
  });

  it('64 concurrent payments of 5,000.00 against 204,700.00: 40 accepted, 24 refused as insufficient-funds', async () => {
    const answers = await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        (i % 2 === 0 ? first : second).call(
          'POST',
          '/v1/disbursements',
          payment('510400', '5000.00', `TWO-${i}`, { beneficiaries: 50 }),
          'pzh',
          newKey(),
        ),
      ),
    );
    const accepted = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status !== 201);
    expect(accepted).toHaveLength(40);
    expect(refused).toHaveLength(24);
    expect(new Set(refused.map((a) => `${a.status} ${a.body.code}`))).toEqual(new Set(['422 insufficient-funds']));

    const last = Math.max(...accepted.map((a) => a.body.position));
    const path = `/v1/programs/${program}/years/${year}/regions/510400?minPosition=${last}`;
    const [fromFirst, fromSecond] = await Promise.all([first.call('GET', path), second.call('GET', path)]);
    expect(fromFirst.body).toMatchObject({ paid: '200000.00', beneficiaries: 2000, available: '4700.00' });
    expect(fromSecond.body).toEqual(fromFirst.body);
  }, 120_000);
});
