import { FundLog, flagsOf } from '../support/fund-log';

/** Paid amount ≠ persons × the per-person standard, per payment and over a region's payments. */
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
        evidence: [payment.position, targets],
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

  it('does not flag a payment of exactly persons × 100 元, nor a mismatched one that was reversed', () => {
    const log = new FundLog();
    log.allocation([['510400', '204700.00']]);
    log.targets('510400');
    log.payment('510400', '1000.00', 10, '2024-03-01');
    const wrong = log.payment('510400', '999.99', 10, '2024-03-01');
    log.reversal(wrong, '2024-03-02');

    expect(flagsOf(log, 'headcount-mismatch', '2024-03-31')).toEqual([]);
  });

  it("flags the region's total once two payments are off and their differences do not cancel", () => {
    const log = new FundLog();
    const allocation = log.allocation([['510400', '10000.00']]);
    const over = log.payment('510400', '1000.50', 10, '2024-03-01', 'PZH-3');
    log.payment('510400', '1000.00', 10, '2024-03-05');
    const under = log.payment('510400', '999.80', 10, '2024-03-10', 'PZH-5');

    expect(flagsOf(log, 'headcount-mismatch', '2024-03-31').map((flag) => [flag.since, flag.detail, flag.evidence])).toEqual([
      ['2024-03-01', 'voucher PZH-3 paid 1000.50 元 for 10 persons; 10 × 100.00 元 = 1000.00 元, a difference of 0.50 元', [over.position]],
      [
        '2024-03-10',
        "510400's 3 payments standing paid 3000.30 元 for 30 persons; 30 × 100.00 元 = 3000.00 元, a difference of 0.30 元",
        [allocation, over.position, under.position],
      ],
      ['2024-03-10', 'voucher PZH-5 paid 999.80 元 for 10 persons; 10 × 100.00 元 = 1000.00 元, a difference of -0.20 元', [under.position]],
    ]);

    log.payment('510400', '999.70', 10, '2024-03-12', 'PZH-6');
    expect(flagsOf(log, 'headcount-mismatch', '2024-03-31').map((flag) => flag.detail.slice(0, 13))).toEqual([
      'voucher PZH-3',
      'voucher PZH-5',
      'voucher PZH-6',
    ]);
  });
});
