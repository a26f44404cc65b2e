import { loadConfig } from '../src/config/earmark-config';

describe('the late-payment grace period from the environment', () => {
  it('defaults to 90 days', () => {
    expect(loadConfig({}).latePaymentGraceDays).toBe(90);
  });

  it('takes a whole number of days, 0 included (no grace at all)', () => {
    expect(loadConfig({ EARMARK_LATE_PAYMENT_GRACE_DAYS: '30' }).latePaymentGraceDays).toBe(30);
    expect(loadConfig({ EARMARK_LATE_PAYMENT_GRACE_DAYS: '0' }).latePaymentGraceDays).toBe(0);
  });

  it.each(['-1', '90d', '1.5', '3651'])('refuses %s rather than let payments through on a setting nobody meant', (value) => {
    expect(() => loadConfig({ EARMARK_LATE_PAYMENT_GRACE_DAYS: value })).toThrow(
      `EARMARK_LATE_PAYMENT_GRACE_DAYS must be a whole number from 0 to 3650, not "${value}"`,
    );
  });
});
