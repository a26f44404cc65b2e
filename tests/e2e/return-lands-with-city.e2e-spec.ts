import { passDown, returned, payment, startTestApp, type TestApp } from '../support/test-app';

/**
 * Where a district's return lands is one rule, in the domain, for the balance view and the
 * decider alike. In v1 the view and the decider disagreed: the view showed 成都 holding 200.00
 * that the decider then refused to let it pay.
 */
describe('A 区/县 returning money to its 市', () => {
  let app: TestApp;
  beforeAll(async () => (app = await startTestApp()));
  afterAll(() => app.close());

  it('shows the money with the 市, which may then pay exactly that much more', async () => {
    expect((await app.post('/v1/disbursements', passDown('510100', '510104', '1000.00', 'RL-PD-1'), 'cd')).status).toBe(201);
    expect((await app.post('/v1/disbursements', returned('510104', '200.00', 'RL-R-1', '2024-03-02'), 'cd')).status).toBe(201);

    const city = (await app.region('510100')).body;
    expect(city).toMatchObject({ receivedFromReturns: '200.00', passedDown: '1000.00', available: '2555800.00' });
    expect((await app.region('510104')).body).toMatchObject({ received: '1000.00', returned: '200.00', available: '800.00' });

    const all = await app.post('/v1/disbursements', payment('510100', '2555800.00', 'RL-P-1', { beneficiaries: 25558, paidOn: '2024-03-03' }), 'cd');
    expect([all.status, all.body.available]).toEqual([201, '0.00']);
    const more = await app.post('/v1/disbursements', payment('510100', '0.01', 'RL-P-2', { paidOn: '2024-03-03' }), 'cd');
    expect([more.status, more.body.code, more.body.detail]).toEqual([422, 'insufficient-funds', 'available 0.00 元']);
  });
});
