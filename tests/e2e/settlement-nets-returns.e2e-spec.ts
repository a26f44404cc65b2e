import { payment, program, returned, settlement, startTestApp, year, type TestApp } from '../support/test-app';

/**
 * 攀枝花 (510400) was pre-allocated 204,700.00 元, sent 50,000.00 back to the province mid-year and
 * paid the rest for 1,547 people. Settled at 1,547 × 100.00 = 154,700.00, it owes nothing. v1
 * weighed the actuals against the gross 204,700.00 and asked for a claw-back of 50,000.00 that
 * had already been returned: the same money twice.
 */
describe('A settlement nets what the region returned before it', () => {
  // Each test starts from the seeded ledger and takes the story as far as it needs.
  let app: TestApp;
  beforeEach(async () => (app = await startTestApp()));
  afterEach(() => app.close());

  const returnMidYear = () => app.post('/v1/disbursements', returned('510400', '50000.00', 'PZH-RET-0615', '2024-06-15'), 'pzh');
  const payTheRest = () =>
    app.post('/v1/disbursements', payment('510400', '154700.00', 'PZH-PAY-0701', { beneficiaries: 1547, paidOn: '2024-07-01' }), 'pzh');
  const settle = () =>
    app.post('/v1/settlements', settlement('510400', [{ category: 'dibao', persons: 1547, perPerson: '100.00' }], '川财社〔2025〕10号'), 'prov');

  it('returns 50,000.00 on 2024-06-15: 201, 154,700.00 left', async () => {
    const { status, body } = await returnMidYear();
    expect(status).toBe(201);
    expect(body.available).toBe('154700.00');
  });

  it('pays 154,700.00 for 1,547 persons: 201, nothing left', async () => {
    expect((await returnMidYear()).status).toBe(201);
    const paid = await payTheRest();
    expect(paid.status).toBe(201);
    expect(paid.body.available).toBe('0.00');
  });

  it('settled by the province at 1,547 × 100.00: allocated 154,700.00 net, adjustment 0.00, reconciled', async () => {
    expect([(await returnMidYear()).status, (await payTheRest()).status]).toEqual([201, 201]);
    const { status, body } = await settle();
    expect(status).toBe(201);
    expect(body).toEqual({
      regionCode: '510400',
      entitled: '154700.00',
      preAllocated: '204700.00',
      returnedBefore: '50000.00',
      allocated: '154700.00',
      adjustment: '0.00',
      position: expect.any(Number),
    });
    const region = await app.region('510400');
    expect(region.body).toMatchObject({
      allocated: '204700.00',
      paid: '154700.00',
      beneficiaries: 1547,
      returned: '50000.00',
      available: '0.00',
      status: 'reconciled',
    });
    expect(region.body.settlement).toMatchObject({
      documentNo: '川财社〔2025〕10号',
      settledOn: '2025-03-31',
      entitled: '154700.00',
      preAllocated: '204700.00',
      returnedBefore: '50000.00',
      allocated: '154700.00',
      adjustment: '0.00',
      outstanding: '0.00',
    });
    expect((await app.get(`/v1/programs/${program}/years/${year}`)).body).toMatchObject({
      allocated: '135000000.00',
      paid: '154700.00',
      beneficiaries: 1547,
      returned: '50000.00',
      available: '134795300.00',
      settledRegions: 1,
    });
  });

  it('no claw-back is owed, so nothing more may be returned: 422 year-settled', async () => {
    expect([(await returnMidYear()).status, (await payTheRest()).status, (await settle()).status]).toEqual([201, 201, 201]);
    const { status, body } = await app.post('/v1/disbursements', returned('510400', '0.01', 'PZH-RET-AFTER', '2025-04-01'), 'pzh');
    expect([status, body.code]).toEqual([422, 'year-settled']);
    expect((await app.region('510400')).body).toMatchObject({ returned: '50000.00', status: 'reconciled' });
  });
});
