import { payment, settlement, startTestApp, type TestApp } from '../support/test-app';

/**
 * Dates must be possible. v1 recorded a payment dated 1999 or 9999, a reversal before its payment
 * and a settlement before the notice. Now: nothing is paid before the money arrived (the notice of
 * 2024-01-18 for 攀枝花), in the future, or after the year's end plus the grace period (90 days by
 * default: up to 2025-03-31); nothing is reversed before it happened, nor settled before the notice.
 */
describe('Possible dates, with the default grace period of 90 days', () => {
  // Each test starts from the seeded ledger alone.
  let app: TestApp;
  beforeEach(async () => (app = await startTestApp()));
  afterEach(() => app.close());

  const pay = (voucherNo: string, paidOn: string) =>
    app.post('/v1/disbursements', payment('510400', '100.00', voucherNo, { beneficiaries: 1, paidOn }), 'pzh');

  const impossible = [
    ['1999-01-01', 'long before the money arrived'],
    ['2023-01-01', 'before the notice of 2024-01-18'],
    ['2024-01-17', 'the day before the notice'],
    ['9999-12-31', 'in the future'],
    ['2025-04-01', 'the day after the grace period'],
    ['2025-04-15', 'after the grace period'],
  ];

  it('a payment dated long before the money, before the notice, in the future or past the grace period: 422 date-out-of-range, and no money moves', async () => {
    for (const [paidOn, when] of impossible) {
      const { status, body } = await pay(`DATE-${paidOn}`, paidOn);
      expect([paidOn, when, status, body.code]).toEqual([paidOn, when, 422, 'date-out-of-range']);
    }
    expect((await app.region('510400')).body).toMatchObject({ paid: '0.00', available: '204700.00' });
  });

  it('a payment on the day of the notice, and one dated 2025-02-01 inside the grace period: 201', async () => {
    expect((await pay('DATE-NOTICE', '2024-01-18')).status).toBe(201);
    const late = await pay('DATE-GRACE', '2025-02-01');
    expect(late.status).toBe(201);
    expect(late.body.available).toBe('204500.00');
  });

  it('a reversal dated before its payment: 422 date-out-of-range; on the same day: 201', async () => {
    const paid = await pay('DATE-REV', '2024-03-01');
    const path = `/v1/disbursements/${paid.body.disbursementId}/reversal`;
    const early = await app.post(path, { reason: 'voucher cancelled by the treasury', reversedOn: '2024-02-29' }, 'pzh');
    expect([early.status, early.body.code]).toEqual([422, 'date-out-of-range']);
    expect(early.body.detail).toBe("reversedOn 2024-02-29 is before the disbursement's own date 2024-03-01");
    const sameDay = await app.post(path, { reason: 'voucher cancelled by the treasury', reversedOn: '2024-03-01' }, 'pzh');
    expect(sameDay.status).toBe(201);
  });

  it('a settlement dated before the notice: 422 date-out-of-range', async () => {
    const early = { ...settlement('510400', [{ category: 'dibao', persons: 2047, perPerson: '100.00' }]), settledOn: '2024-01-01' };
    const { status, body } = await app.post('/v1/settlements', early, 'prov');
    expect([status, body.code]).toEqual([422, 'date-out-of-range']);
    expect((await app.region('510400')).body).toMatchObject({ status: 'open', paid: '0.00', available: '204700.00' });
  });
});

describe('Possible dates, with EARMARK_LATE_PAYMENT_GRACE_DAYS=30', () => {
  let app: TestApp;
  beforeAll(async () => (app = await startTestApp({ env: { EARMARK_LATE_PAYMENT_GRACE_DAYS: '30' } })));
  afterAll(() => app.close());

  const pay = (voucherNo: string, paidOn: string) =>
    app.post('/v1/disbursements', payment('510400', '100.00', voucherNo, { beneficiaries: 1, paidOn }), 'pzh');

  it('2025-01-30 is inside the grace period: 201; 2025-02-01 is past it: 422 date-out-of-range', async () => {
    const inside = await pay('G30-1', '2025-01-30');
    expect(inside.status).toBe(201);
    const past = await pay('G30-2', '2025-02-01');
    expect([past.status, past.body.code]).toEqual([422, 'date-out-of-range']);
    expect(past.body.detail).toBe("paidOn 2025-02-01 is past 2025-01-30, the end of 2024's grace period of 30 days");
  });
});
