import { formatYuan, parseYuan } from '@earmark/domain';
import { newKey, payment, startTestApp, type TestApp } from '../support/test-app';

/** The tests share one ledger: each measures the change it made, whatever ran before it. */
describe('Idempotency-Key', () => {
  let app: TestApp;
  beforeAll(async () => (app = await startTestApp()));
  afterAll(() => app.close());

  const paidFen = async (region: string): Promise<bigint> => parseYuan((await app.region(region)).body.paid);

  it('the same key and body: the same answer, and one event only', async () => {
    const key = newKey();
    const body = payment('510400', '100.00', 'IDEM-1');
    const paidBefore = await paidFen('510400');
    const first = await app.post('/v1/disbursements', body, 'pzh', key);
    const headAfterFirst = await app.infrastructure.store.headPosition();
    const second = await app.post('/v1/disbursements', body, 'pzh', key);
    expect(first.status).toBe(201);
    expect(second).toEqual(first);
    expect(await app.infrastructure.store.headPosition()).toBe(headAfterFirst);
    expect(formatYuan(await paidFen('510400'))).toBe(formatYuan(paidBefore + 10_000n));
  });

  it('the same key with another body: 409 idempotency-key-reused, and nothing recorded', async () => {
    const key = newKey();
    await app.post('/v1/disbursements', payment('510400', '1.00', 'IDEM-2'), 'pzh', key);
    const head = await app.infrastructure.store.headPosition();
    const reused = await app.post('/v1/disbursements', payment('510400', '2.00', 'IDEM-3'), 'pzh', key);
    expect(reused.status).toBe(409);
    expect(reused.body.code).toBe('idempotency-key-reused');
    expect(await app.infrastructure.store.headPosition()).toBe(head);
  });

  it('a refused command retried with its key: the same 422, and one refusal recorded', async () => {
    const key = newKey();
    const body = payment('510400', '99999999.00', 'IDEM-4');
    const first = await app.post('/v1/disbursements', body, 'pzh', key);
    const head = await app.infrastructure.store.headPosition();
    const second = await app.post('/v1/disbursements', body, 'pzh', key);
    expect(first.status).toBe(422);
    expect(second).toEqual(first);
    expect(await app.infrastructure.store.headPosition()).toBe(head);
  });

  it('concurrent retries of one key record it once', async () => {
    const key = newKey();
    const body = payment('510400', '10.00', 'IDEM-5');
    const paidBefore = await paidFen('510400');
    const answers = await Promise.all(Array.from({ length: 8 }, () => app.post('/v1/disbursements', body, 'pzh', key)));
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(answers.every((a) => a.status === 201)).toBe(true);
    expect(formatYuan(await paidFen('510400'))).toBe(formatYuan(paidBefore + 1_000n));
  });

  it('a key that is not 1–128 of [A-Za-z0-9._:-]: 400 validation-failed', async () => {
    const { status, body } = await app.post('/v1/disbursements', payment('510400', '1.00', 'IDEM-6'), 'pzh', 'bad key!');
    expect(status).toBe(400);
    expect(body.code).toBe('validation-failed');
  });
});
