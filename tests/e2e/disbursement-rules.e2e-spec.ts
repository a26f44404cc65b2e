import { passDown, payment, startTestApp, type TestApp } from '../support/test-app';

/** Each test starts from the seeded ledger alone and arranges whatever else it needs. */
describe('Disbursement rules over HTTP', () => {
  let app: TestApp;
  beforeEach(async () => (app = await startTestApp()));
  afterEach(() => app.close());

  it('a payment within the balance: 201 with the balance left, and the region shows it', async () => {
    const { status, body } = await app.post('/v1/disbursements', payment('510400', '100.00', 'PZH-1'), 'pzh');
    expect(status).toBe(201);
    expect(body).toEqual({ disbursementId: expect.any(String), available: '204600.00', position: expect.any(Number) });
    const region = await app.region('510400', `?minPosition=${body.position}`);
    expect(region.body).toMatchObject({ allocated: '204700.00', paid: '100.00', beneficiaries: 10, available: '204600.00' });
  });

  it('paying more than the balance: 422 insufficient-funds naming the balance, and nothing moves', async () => {
    const before = await app.region('510400');
    const { status, body, contentType } = await app.post('/v1/disbursements', payment('510400', '99999999.00', 'PZH-2'), 'pzh');
    expect(status).toBe(422);
    expect(contentType).toContain('application/problem+json');
    expect(body).toEqual({
      type: 'https://earmark.dev/problems/insufficient-funds',
      title: 'Insufficient funds',
      status: 422,
      detail: 'available 204700.00 元',
      code: 'insufficient-funds',
    });
    expect((await app.region('510400')).body).toEqual(before.body);
  });

  it('a payment under another subject: 422 earmark-violation', async () => {
    const { status, body } = await app.post('/v1/disbursements', payment('510400', '1.00', 'PZH-3', { expenditureSubject: '2089999' }), 'pzh');
    expect(status).toBe(422);
    expect(body.code).toBe('earmark-violation');
  });

  it('a pass-down to a 扩权县 or to another city’s county: 422 not-a-child-region', async () => {
    const toExpandedCounty = await app.post('/v1/disbursements', passDown('510300', '510321', '1.00', 'ZG-1'), 'zg');
    expect(toExpandedCounty.status).toBe(422);
    expect(toExpandedCounty.body.code).toBe('not-a-child-region');
    const acrossCities = await app.post('/v1/disbursements', passDown('510300', '510104', '1.00', 'ZG-2'), 'zg');
    expect(acrossCities.status).toBe(422);
    expect(acrossCities.body.code).toBe('not-a-child-region');
    expect((await app.region('510300')).body).toMatchObject({ passedDown: '0.00', available: '1421900.00' });
  });

  it('a pass-down to its own county moves the money and rolls up under children', async () => {
    const moved = await app.post('/v1/disbursements', passDown('510300', '510302', '20000.00', 'ZG-3'), 'zg');
    expect(moved.status).toBe(201);
    expect(moved.body.available).toBe('1401900.00');
    const city = await app.region('510300');
    expect(city.body).toMatchObject({ passedDown: '20000.00', available: '1401900.00' });
    // Its registry children: 自流井区 by pass-down, and the 扩权县 荣县 and 富顺县 paid by the province.
    expect(city.body.children).toMatchObject({
      regions: 3,
      allocated: '2857600.00',
      received: '20000.00',
      available: '2877600.00',
    });
    const county = await app.region('510302');
    expect(county.body).toMatchObject({ allocated: '0.00', received: '20000.00', available: '20000.00', status: 'open' });
  });

  it('a voucher number twice for one region: 409 duplicate-voucher', async () => {
    const first = await app.post('/v1/disbursements', payment('510400', '1.00', 'PZH-DUP'), 'pzh');
    expect(first.status).toBe(201);
    const second = await app.post('/v1/disbursements', payment('510400', '2.00', 'PZH-DUP'), 'pzh');
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('duplicate-voucher');
  });

  it('a region with no allocation: 422 no-allocation', async () => {
    const { status, body } = await app.post('/v1/disbursements', payment('510104', '1.00', 'JJ-1'), 'cd');
    expect(status).toBe(422);
    expect(body.code).toBe('no-allocation');
  });

  it('a payment against a program-year with no allocation: 422 no-allocation, and no program-year appears', async () => {
    const { status, body } = await app.post('/v1/disbursements', payment('510400', '1.00', 'PZH-2023', { fiscalYear: 2023 }), 'pzh');
    expect(status).toBe(422);
    expect(body.code).toBe('no-allocation');
    expect((await app.get('/v1/programs')).body.map((p: { fiscalYear: number }) => p.fiscalYear)).toEqual([2024]);
    expect((await app.get('/v1/programs/sc-pension-contribution-subsidy/years/2023')).status).toBe(404);
  });

  it('each refusal is kept as a refused attempt with who sent it, and moves no money', async () => {
    const answers = [
      await app.post('/v1/disbursements', payment('510400', '100.00', 'PZH-1'), 'pzh'),
      await app.post('/v1/disbursements', payment('510400', '99999999.00', 'PZH-2'), 'pzh'),
      await app.post('/v1/disbursements', payment('510400', '1.00', 'PZH-3', { expenditureSubject: '2089999' }), 'pzh'),
      await app.post('/v1/disbursements', passDown('510300', '510321', '1.00', 'ZG-1'), 'zg'),
      await app.post('/v1/disbursements', passDown('510300', '510104', '1.00', 'ZG-2'), 'zg'),
      await app.post('/v1/disbursements', payment('510400', '1.00', 'PZH-DUP'), 'pzh'),
      await app.post('/v1/disbursements', payment('510104', '1.00', 'JJ-1'), 'cd'),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([201, 422, 422, 422, 422, 201, 422]);
    const trail = await app.get('/v1/programs/sc-pension-contribution-subsidy/years/2024/regions/510400/trail');
    expect(trail.body.map((entry: { type: string; amount: string }) => [entry.type, entry.amount])).toEqual([
      ['pre-allocation', '204700.00'],
      ['beneficiary-payment', '-100.00'],
      ['beneficiary-payment', '-1.00'],
    ]);
    const refusals = await app.infrastructure.readModels.refusals('sc-pension-contribution-subsidy', 2024);
    expect(refusals.map((r) => [r.data['code'], r.data['actor'], r.data['regionCode']])).toEqual([
      ['insufficient-funds', 'pzh', '510400'],
      ['earmark-violation', 'pzh', '510400'],
      ['not-a-child-region', 'zg', '510300'],
      ['not-a-child-region', 'zg', '510300'],
      ['no-allocation', 'cd', '510104'],
    ]);
  });

  it('a reversal puts the money back; a second reversal is 422 already-reversed', async () => {
    const paid = await app.post('/v1/disbursements', payment('510400', '50.00', 'PZH-R'), 'pzh');
    const before = await app.region('510400');
    const reversal = { reason: 'voucher cancelled by the treasury', reversedOn: '2024-03-05' };
    const reversed = await app.post(`/v1/disbursements/${paid.body.disbursementId}/reversal`, reversal, 'pzh');
    expect(reversed.status).toBe(201);
    expect(reversed.body).toEqual({ disbursementId: paid.body.disbursementId, position: expect.any(Number) });
    const after = await app.region('510400');
    expect(before.body.available).toBe('204650.00');
    expect(after.body.available).toBe('204700.00');
    expect(after.body.paid).toBe('0.00');
    const again = await app.post(`/v1/disbursements/${paid.body.disbursementId}/reversal`, reversal, 'pzh');
    expect(again.status).toBe(422);
    expect(again.body.code).toBe('already-reversed');
    const unknown = await app.post('/v1/disbursements/00000000-0000-4000-8000-000000000000/reversal', reversal, 'pzh');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('not-found');
  });

  it('without an Idempotency-Key: 400 idempotency-key-missing', async () => {
    const { status, body } = await app.call('POST', '/v1/disbursements', { body: payment('510400', '1.00', 'PZH-K'), token: 'pzh', key: null });
    expect(status).toBe(400);
    expect(body.code).toBe('idempotency-key-missing');
    expect((await app.region('510400')).body.paid).toBe('0.00');
  });
});
