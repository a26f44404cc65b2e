import { payment, program, startTestApp, year, type TestApp } from '../support/test-app';

/**
 * The books as they stood: a payment made on 2024-03-01 (recorded at position P) is absent
 * ?asOf=2024-02-29 and ?atPosition=P−1, present ?asOf=2024-03-01 and ?atPosition=P, on every
 * balance endpoint and the trail.
 */
describe('?asOf and ?atPosition around one payment', () => {
  let app: TestApp;
  let position: number;
  beforeAll(async () => {
    app = await startTestApp();
    const paid = await app.post('/v1/disbursements', payment('510400', '100.00', 'ASOF-1', { paidOn: '2024-03-01' }), 'pzh');
    expect(paid.status).toBe(201);
    position = paid.body.position;
  });
  afterAll(() => app.close());

  const fund = `/v1/programs/${program}/years/${year}`;
  const without = { allocated: '204700.00', paid: '0.00', beneficiaries: 0, available: '204700.00' };
  const withPayment = { allocated: '204700.00', paid: '100.00', beneficiaries: 10, available: '204600.00' };

  function views(query: string) {
    return Promise.all([
      app.get(`${fund}/regions/510400${query}`),
      app.get(`${fund}/regions${query}`),
      app.get(`${fund}${query}`),
      app.get(`${fund}/regions/510400/trail${query}`),
    ]);
  }

  function expectBooks(
    [region, regions, programYear, trail]: Awaited<ReturnType<typeof views>>,
    figures: typeof without,
    totals: { paid: string; beneficiaries: number; available: string },
    references: string[],
  ) {
    expect([region.status, regions.status, programYear.status, trail.status]).toEqual([200, 200, 200, 200]);
    expect(region.body).toMatchObject({ regionCode: '510400', ...figures });
    expect(regions.body.find((r: { regionCode: string }) => r.regionCode === '510400')).toMatchObject(figures);
    expect(regions.body).toHaveLength(93);
    expect(programYear.body).toMatchObject({ allocated: '135000000.00', ...totals });
    expect(trail.body.map((entry: { reference: string }) => entry.reference)).toEqual(references);
  }

  it('the payment is the log’s 25th event, after the 23 of the seed and its own locator', () => {
    expect(position).toBe(25);
  });

  it('asOf the day before the payment: the books without it', async () => {
    expectBooks(await views('?asOf=2024-02-29'), without, { paid: '0.00', beneficiaries: 0, available: '135000000.00' }, ['川财社〔2024〕2号']);
  });

  it('asOf the day of the payment: the books with it', async () => {
    expectBooks(
      await views('?asOf=2024-03-01'),
      withPayment,
      { paid: '100.00', beneficiaries: 10, available: '134999900.00' },
      ['川财社〔2024〕2号', 'ASOF-1'],
    );
  });

  it('atPosition one before the payment’s: the books without it', async () => {
    expectBooks(
      await views(`?atPosition=${position - 1}`),
      without,
      { paid: '0.00', beneficiaries: 0, available: '135000000.00' },
      ['川财社〔2024〕2号'],
    );
  });

  it('atPosition the payment’s: the books with it, equal to the live books', async () => {
    const at = await views(`?atPosition=${position}`);
    expectBooks(at, withPayment, { paid: '100.00', beneficiaries: 10, available: '134999900.00' }, ['川财社〔2024〕2号', 'ASOF-1']);
    const live = await views('');
    expect(at.map((answer) => answer.body)).toEqual(live.map((answer) => answer.body));
  });

  it('the trail’s entry for the payment carries its position, date and balance after', async () => {
    const [, , , trail] = await views('?asOf=2024-03-01');
    expect(trail.body[1]).toMatchObject({ position, effectiveOn: '2024-03-01', type: 'beneficiary-payment', amount: '-100.00', availableAfter: '204600.00' });
  });
});
