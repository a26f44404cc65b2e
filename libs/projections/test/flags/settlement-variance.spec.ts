import { FundLog, flagsOf } from '../support/fund-log';

/** A settlement whose figures disagree, or a claw-back still owed more than 90 days after settlement. */
describe('settlement-variance', () => {
  it('flags, as critical, a settlement whose entitled amount is not Σ persons × per-person', () => {
    const log = new FundLog();
    log.allocation([['510100', '2556600.00']]);
    const settlement = log.settlement('510100', [{ persons: 20000, perPerson: '100.00' }], '2556600.00', { entitledYuan: '2600000.00' });

    expect(flagsOf(log, 'settlement-variance', '2025-04-01')).toEqual([
      {
        rule: 'settlement-variance',
        regionCode: '510100',
        severity: 'critical',
        detail: 'settlement 川财社〔2025〕9号 records entitled 2600000.00 元, but Σ persons × per-person gives 2000000.00 元',
        since: '2025-03-31',
        threshold: 'entitled = Σ persons × per-person; adjustment = entitled − allocated',
        evidence: [settlement],
      },
    ]);
  });

  it('flags a settlement whose adjustment is not entitled − allocated', () => {
    const log = new FundLog();
    log.allocation([['510100', '2556600.00']]);
    log.settlement('510100', [{ persons: 26000, perPerson: '100.00' }], '2556600.00', { adjustmentFen: '0' });

    expect(flagsOf(log, 'settlement-variance', '2025-04-01').map((flag) => flag.detail)).toEqual([
      'settlement 川财社〔2025〕9号 records adjustment 0.00 元, but entitled − allocated gives 43400.00 元',
    ]);
  });

  it('flags a claw-back still partly owed 91 days after the settlement', () => {
    const log = new FundLog();
    log.allocation([['510400', '204700.00']]);
    log.payment('510400', '200000.00', 2000, '2024-06-01');
    const settlement = log.settlement('510400', [{ persons: 2000, perPerson: '100.00' }], '204700.00');
    const repayment = log.returned('510400', '510000', '1000.00', '2025-04-01');

    expect(flagsOf(log, 'settlement-variance', '2025-06-30')).toEqual([
      {
        rule: 'settlement-variance',
        regionCode: '510400',
        severity: 'warning',
        detail: 'claw-back of 4700.00 元 settled by 川财社〔2025〕9号 on 2025-03-31: 3700.00 元 not returned after 91 days',
        since: '2025-06-30',
        threshold: 'claw-back returned within 90 days',
        evidence: [settlement, repayment.position],
      },
    ]);
  });

  it('does not flag a claw-back within 90 days, nor one fully returned, nor a consistent settlement', () => {
    const log = new FundLog();
    log.allocation([['510400', '204700.00'], ['510300', '1421900.00']]);
    log.payment('510400', '200000.00', 2000, '2024-06-01');
    log.settlement('510400', [{ persons: 2000, perPerson: '100.00' }], '204700.00');
    log.settlement('510300', [{ persons: 14219, perPerson: '100.00' }], '1421900.00');

    expect(flagsOf(log, 'settlement-variance', '2025-06-29')).toEqual([]);

    log.returned('510400', '510000', '4700.00', '2025-04-01');
    expect(flagsOf(log, 'settlement-variance', '2025-12-31')).toEqual([]);
  });

  it('counts a reversed repayment as not returned', () => {
    const log = new FundLog();
    log.allocation([['510400', '204700.00']]);
    log.payment('510400', '200000.00', 2000, '2024-06-01');
    log.settlement('510400', [{ persons: 2000, perPerson: '100.00' }], '204700.00');
    const repayment = log.returned('510400', '510000', '4700.00', '2025-04-01');
    log.reversal(repayment, '2025-04-03');

    expect(flagsOf(log, 'settlement-variance', '2025-07-01').map((flag) => flag.detail)).toEqual([
      'claw-back of 4700.00 元 settled by 川财社〔2025〕9号 on 2025-03-31: 4700.00 元 not returned after 92 days',
    ]);
  });
});
