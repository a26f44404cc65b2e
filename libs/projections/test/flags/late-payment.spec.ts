import { FundLog, flagsOf } from '../support/fund-log';

/** A payment or pass-down dated after the fiscal year, inside the decider's grace period. */
describe('late-payment', () => {
  it('flags a payment dated after 12-31, once that day is in view', () => {
    const log = new FundLog();
    log.allocation([['510400', '1000.00']]);
    const payment = log.payment('510400', '500.00', 5, '2025-01-15', 'PZH-9');

    expect(flagsOf(log, 'late-payment', '2025-01-14')).toEqual([]);
    expect(flagsOf(log, 'late-payment', '2025-01-15')).toEqual([
      {
        rule: 'late-payment',
        regionCode: '510400',
        severity: 'warning',
        detail: 'voucher PZH-9 paid 500.00 元 for 5 persons on 2025-01-15, 15 days after 2024 ended',
        since: '2025-01-15',
        threshold: 'paid by 2024-12-31',
        evidence: [payment.position],
      },
    ]);
  });

  it('flags a late 下达 document once for all its lines, and a late single pass-down', () => {
    const log = new FundLog();
    log.allocation([['510100', '1000.00']]);
    const document = log.passDownDocument('510100', [['510104', '300.00'], ['510105', '200.00']], '2025-02-01', '成财社〔2025〕3号');
    const single = log.passDown('510100', '510106', '100.00', '2025-02-02', 'CD-XD-9');

    expect(flagsOf(log, 'late-payment', '2025-02-28').map((flag) => [flag.detail, flag.since, flag.evidence])).toEqual([
      ['document 成财社〔2025〕3号 passed 500.00 元 down to 510104, 510105 on 2025-02-01, 32 days after 2024 ended', '2025-02-01', [document]],
      ['voucher CD-XD-9 passed 100.00 元 down to 510106 on 2025-02-02, 33 days after 2024 ended', '2025-02-02', [single.position]],
    ]);
  });

  it('does not flag a payment on 12-31, a late payment reversed, nor a return', () => {
    const log = new FundLog();
    log.allocation([['510400', '1000.00']]);
    log.payment('510400', '100.00', 1, '2024-12-31');
    const late = log.payment('510400', '100.00', 1, '2025-01-02');
    log.reversal(late, '2025-01-03');
    log.returned('510400', '100.00', '2025-01-04');

    expect(flagsOf(log, 'late-payment', '2025-03-31')).toEqual([]);
  });

  it('does not flag top-up money paid out after the settlement, which follows the settlement rather than the year', () => {
    const log = new FundLog();
    log.allocation([['510400', '1000.00']]);
    log.payment('510400', '1000.00', 10, '2024-06-01');
    log.settlement('510400', [{ persons: 12, perPerson: '100.00' }]);
    log.allocation([['510400', '200.00']], { kind: 'top-up', issuedOn: '2025-04-10', documentNo: '川财社〔2025〕20号' });
    log.payment('510400', '200.00', 2, '2025-04-20');

    expect(flagsOf(log, 'late-payment', '2025-04-30')).toEqual([]);
  });
});
