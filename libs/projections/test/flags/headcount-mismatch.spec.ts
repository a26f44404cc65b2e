import { FundLog, flagsOf } from '../support/fund-log';

/** A beneficiary payment that is not beneficiaries × the per-person standard. */
describe('headcount-mismatch', () => {
  it("flags a payment off the 市(州)'s minimum-standard target, giving the remainder", () => {
    const log = new FundLog();
    log.allocation([['510400', '204700.00']]);
    const targets = log.targets('510400');
    const payment = log.payment('510400', '1000.50', 10, '2024-03-01', 'PZH-1');

    expect(flagsOf(log, 'headcount-mismatch', '2024-03-01')).toEqual([
      {
        rule: 'headcount-mismatch',
        regionCode: '510400',
        severity: 'warning',
        detail: 'voucher PZH-1 paid 1000.50 元 for 10 persons; 10 × 100.00 元 = 1000.00 元, a difference of 0.50 元',
        since: '2024-03-01',
        threshold: '100.00 元 per person',
        evidence: [targets, payment.position],
      },
    ]);
  });

  it('uses the configured 100 元 when no target is recorded', () => {
    const log = new FundLog();
    log.allocation([['510400', '204700.00']]);
    const payment = log.payment('510400', '900.00', 10, '2024-03-01', 'PZH-2');

    expect(flagsOf(log, 'headcount-mismatch', '2024-03-01')).toEqual([
      expect.objectContaining({
        detail: 'voucher PZH-2 paid 900.00 元 for 10 persons; 10 × 100.00 元 = 1000.00 元, a difference of -100.00 元',
        threshold: '100.00 元 per person (configured)',
        evidence: [payment.position],
      }),
    ]);
  });

  it("measures a district's payment against its city's standard", () => {
    const log = new FundLog();
    log.allocation([['510100', '10000.00']]);
    log.targets('510100', { 'minimum-standard': '120元' });
    log.passDown('510100', '510104', '5000.00', '2024-02-01');
    log.payment('510104', '1200.00', 10, '2024-03-01');
    log.payment('510104', '1000.00', 10, '2024-03-02', 'JJ-2');

    expect(flagsOf(log, 'headcount-mismatch', '2024-03-31').map((flag) => [flag.regionCode, flag.detail])).toEqual([
      ['510104', 'voucher JJ-2 paid 1000.00 元 for 10 persons; 10 × 120.00 元 = 1200.00 元, a difference of -200.00 元'],
    ]);
  });

  it('does not flag a payment of exactly beneficiaries × 100 元, nor a mismatched one that was reversed', () => {
    const log = new FundLog();
    log.allocation([['510400', '204700.00']]);
    log.targets('510400');
    log.payment('510400', '1000.00', 10, '2024-03-01');
    const wrong = log.payment('510400', '999.99', 10, '2024-03-01');
    log.reversal(wrong, '2024-03-02');

    expect(flagsOf(log, 'headcount-mismatch', '2024-03-31')).toEqual([]);
  });
});
