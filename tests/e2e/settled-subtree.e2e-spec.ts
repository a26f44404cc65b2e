import { passDownDocument, payment, returned, settlement, startTestApp, type TestApp } from '../support/test-app';

/**
 * Settling a 市 closes its whole subtree. v1 closed only the 市 itself: after 成都 was settled, its
 * district 青羊区 could still pay out, or send money up to 成都, which 成都 could then neither spend
 * nor return, and the settlement no longer described the books.
 */
describe('After 成都 (510100) is settled, money in its districts is closed too', () => {
  // Each test starts from the seeded ledger and arranges the pass-down and the settlement it is about.
  let app: TestApp;
  beforeEach(async () => (app = await startTestApp()));
  afterEach(() => app.close());

  const passDownToQingyang = () =>
    app.post('/v1/pass-downs', passDownDocument('510100', '成财社〔2024〕20号', [{ regionCode: '510105', amount: '100000.00' }], '100000.00'), 'cd');
  const settleChengdu = () =>
    app.post('/v1/settlements', settlement('510100', [{ category: 'dibao', persons: 25566, perPerson: '100.00' }]), 'prov');
  const passDownThenSettle = async () => {
    expect((await passDownToQingyang()).status).toBe(201);
    expect((await settleChengdu()).status).toBe(201);
  };

  it('before settlement, 成都 passes 100,000.00 down to 青羊区 (510105): 201', async () => {
    const { status, body } = await passDownToQingyang();
    expect(status).toBe(201);
    expect(body.available).toBe('2456600.00');
  });

  it('the province settles 成都 at 25,566 × 100.00: adjustment 0.00, nothing owed either way', async () => {
    expect((await passDownToQingyang()).status).toBe(201);
    const { status, body } = await settleChengdu();
    expect(status).toBe(201);
    expect(body).toEqual({
      regionCode: '510100',
      entitled: '2556600.00',
      preAllocated: '2556600.00',
      returnedBefore: '0.00',
      allocated: '2556600.00',
      adjustment: '0.00',
      position: expect.any(Number),
    });
    expect((await app.region('510100')).body.status).toBe('reconciled');
  });

  it('青羊区 paying out after the settlement: 422 year-settled', async () => {
    await passDownThenSettle();
    const { status, body } = await app.post(
      '/v1/disbursements',
      payment('510105', '1000.00', 'QY-2025-1', { beneficiaries: 10, paidOn: '2025-04-01' }),
      'cd',
    );
    expect([status, body.code]).toEqual([422, 'year-settled']);
  });

  it('青羊区 returning to 成都, which owes no claw-back: 422 year-settled', async () => {
    await passDownThenSettle();
    const { status, body } = await app.post('/v1/disbursements', returned('510105', '1000.00', 'QY-2025-2', '2025-04-01'), 'cd');
    expect([status, body.code]).toEqual([422, 'year-settled']);
  });

  it('成都 itself passing down or paying after the settlement: 422 year-settled', async () => {
    await passDownThenSettle();
    const document = passDownDocument('510100', '成财社〔2025〕3号', [{ regionCode: '510105', amount: '1000.00' }], '1000.00', '2025-04-01');
    const passed = await app.post('/v1/pass-downs', document, 'cd');
    expect([passed.status, passed.body.code]).toEqual([422, 'year-settled']);
    const paid = await app.post('/v1/disbursements', payment('510100', '1000.00', 'CD-2025-1', { paidOn: '2025-04-01' }), 'cd');
    expect([paid.status, paid.body.code]).toEqual([422, 'year-settled']);
  });

  it('nothing moved after the settlement: 青羊区 still holds the 100,000.00, 成都 the rest', async () => {
    await passDownThenSettle();
    const after = [
      await app.post('/v1/disbursements', payment('510105', '1000.00', 'QY-2025-1', { beneficiaries: 10, paidOn: '2025-04-01' }), 'cd'),
      await app.post('/v1/disbursements', returned('510105', '1000.00', 'QY-2025-2', '2025-04-01'), 'cd'),
    ];
    expect(after.map((answer) => answer.status)).toEqual([422, 422]);
    expect((await app.region('510105')).body).toMatchObject({
      received: '100000.00',
      paid: '0.00',
      returned: '0.00',
      available: '100000.00',
    });
    expect((await app.region('510100')).body).toMatchObject({
      allocated: '2556600.00',
      passedDown: '100000.00',
      paid: '0.00',
      receivedFromReturns: '0.00',
      available: '2456600.00',
    });
  });
});
