import { payment, settlement, startTestApp, topUp, type TestApp } from '../support/test-app';

/** Each test starts from the seeded ledger and settles 成都 itself when it is about a settled year. */
describe('Settling 510100 against actuals, then topping up', () => {
  let app: TestApp;
  beforeEach(async () => (app = await startTestApp()));
  afterEach(() => app.close());

  const settleChengdu = () =>
    app.post(
      '/v1/settlements',
      settlement('510100', [
        { category: 'dibao', persons: 20000, perPerson: '100.00' },
        { category: 'tekun', persons: 6000, perPerson: '100.00' },
      ]),
      'prov',
    );

  it('actuals worth 2,600,000.00 元: adjustment 43400.00 and status settled', async () => {
    const { status, body } = await settleChengdu();
    expect(status).toBe(201);
    expect(body).toEqual({
      regionCode: '510100',
      entitled: '2600000.00',
      preAllocated: '2556600.00',
      returnedBefore: '0.00',
      allocated: '2556600.00',
      adjustment: '43400.00',
      position: expect.any(Number),
    });
    const region = await app.region('510100');
    expect(region.body.status).toBe('settled');
    expect(region.body.settlement).toEqual({
      documentNo: '川财社〔2025〕9号',
      settledOn: '2025-03-31',
      entitled: '2600000.00',
      preAllocated: '2556600.00',
      returnedBefore: '0.00',
      allocated: '2556600.00',
      adjustment: '43400.00',
      outstanding: '43400.00',
    });
  });

  it('a second settlement of the region-year: 422 year-settled', async () => {
    expect((await settleChengdu()).status).toBe(201);
    const again = await app.post('/v1/settlements', settlement('510100', [{ category: 'dibao', persons: 1, perPerson: '100.00' }]), 'prov');
    expect(again.status).toBe(422);
    expect(again.body.code).toBe('year-settled');
  });

  it('a payment from the settled region-year before any top-up: 422 year-settled', async () => {
    expect((await settleChengdu()).status).toBe(201);
    const paid = await app.post('/v1/disbursements', payment('510100', '1.00', 'CD-S-1', { paidOn: '2025-04-01' }), 'cd');
    expect(paid.status).toBe(422);
    expect(paid.body.code).toBe('year-settled');
  });

  it('a top-up over the outstanding amount: 422 adjustment-exceeded', async () => {
    expect((await settleChengdu()).status).toBe(201);
    const over = await app.post('/v1/allocations', topUp('川财社〔2025〕20号', [{ regionCode: '510100', amount: '43400.01' }], '43400.01'), 'prov');
    expect(over.status).toBe(422);
    expect(over.body.code).toBe('adjustment-exceeded');
  });

  it('a top-up to a region-year not settled: 422 not-settled', async () => {
    const early = await app.post('/v1/allocations', topUp('川财社〔2025〕21号', [{ regionCode: '510300', amount: '1.00' }], '1.00'), 'prov');
    expect(early.status).toBe(422);
    expect(early.body.code).toBe('not-settled');
  });

  it('a top-up of exactly 43,400.00 元: status reconciled, and the top-up may be paid out', async () => {
    expect((await settleChengdu()).status).toBe(201);
    const topped = await app.post('/v1/allocations', topUp('川财社〔2025〕22号', [{ regionCode: '510100', amount: '43400.00' }], '43400.00'), 'prov');
    expect(topped.status).toBe(201);
    expect(topped.body).toEqual({ documentNo: '川财社〔2025〕22号', lines: 1, total: '43400.00', position: expect.any(Number) });
    const region = await app.region('510100');
    expect(region.body).toMatchObject({ status: 'reconciled', allocated: '2600000.00', available: '2600000.00' });
    expect(region.body.settlement.outstanding).toBe('0.00');
    // After settlement, money moves on or after what it follows: here the top-up of 2025-04-15.
    const pay = (amount: string, voucherNo: string, beneficiaries: number, paidOn: string) =>
      app.post('/v1/disbursements', payment('510100', amount, voucherNo, { beneficiaries, paidOn }), 'cd');
    const early = await pay('43400.00', 'CD-S-2', 434, '2025-04-14');
    expect([early.status, early.body.code]).toEqual([422, 'date-out-of-range']);
    const spend = await pay('43400.00', 'CD-S-3', 434, '2025-04-15');
    expect(spend.status).toBe(201);
    const more = await pay('0.01', 'CD-S-4', 1, '2025-04-16');
    expect(more.status).toBe(422);
    expect(more.body.code).toBe('year-settled');
  });

  it('a claw-back is repaid by a return, up to what is outstanding', async () => {
    expect((await settleChengdu()).status).toBe(201);
    const settled = await app.post('/v1/settlements', settlement('510400', [{ category: 'dibao', persons: 2000, perPerson: '100.00' }]), 'prov');
    expect(settled.body).toMatchObject({ preAllocated: '204700.00', returnedBefore: '0.00', allocated: '204700.00', adjustment: '-4700.00' });
    const returnBody = { programCode: 'sc-pension-contribution-subsidy', fiscalYear: 2024, regionCode: '510400', kind: 'return', paidOn: '2025-04-01' };
    const tooMuch = await app.post('/v1/disbursements', { ...returnBody, amount: '4700.01', voucherNo: 'PZH-RET-1' }, 'pzh');
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.code).toBe('adjustment-exceeded');
    const repaid = await app.post('/v1/disbursements', { ...returnBody, amount: '4700.00', voucherNo: 'PZH-RET-2' }, 'pzh');
    expect(repaid.status).toBe(201);
    const region = await app.region('510400');
    expect(region.body).toMatchObject({ status: 'reconciled', returned: '4700.00', available: '200000.00' });
    const totals = await app.get('/v1/programs/sc-pension-contribution-subsidy/years/2024');
    expect(totals.body).toMatchObject({ returned: '4700.00', settledRegions: 2 });
  });
});
