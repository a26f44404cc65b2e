import { FundLog, flagsOf } from '../support/fund-log';

/** 待分余额: a balance whose oldest part has waited more than 30 days, and any balance at 12-31. */
describe('idle-balance', () => {
  it('flags a balance whose oldest part is older than 30 days, as info', () => {
    const log = new FundLog();
    const allocation = log.allocation([['510400', '2047.00']]);
    log.payment('510400', '1000.00', 10, '2024-02-01');

    expect(flagsOf(log, 'idle-balance', '2024-03-01')).toEqual([
      {
        rule: 'idle-balance',
        regionCode: '510400',
        severity: 'info',
        detail: 'holds 1047.00 元; the oldest part, 1047.00 元 received on 2024-01-18 (pre-allocation 川财社〔2024〕2号), has waited 43 days',
        since: '2024-02-18',
        threshold: '30 days',
        evidence: [allocation],
      },
    ]);
  });

  it('flags any balance left at the end of the fiscal year, as a warning', () => {
    const log = new FundLog();
    const allocation = log.allocation([['510400', '2047.00']], { issuedOn: '2024-12-10' });
    const payment = log.payment('510400', '2000.00', 20, '2024-12-20');
    // Money that arrives after 12-31 is no part of the year-end balance.
    log.allocation([['510400', '300.00']], { issuedOn: '2025-01-02', documentNo: '川财社〔2025〕1号' });

    expect(flagsOf(log, 'idle-balance', '2025-01-05')).toEqual([
      {
        rule: 'idle-balance',
        regionCode: '510400',
        severity: 'warning',
        detail: 'held 47.00 元 at the end of fiscal year 2024 (2024-12-31)',
        since: '2024-12-31',
        threshold: 'no balance at 2024-12-31',
        evidence: [allocation, payment.position],
      },
    ]);
  });

  it('does not flag a balance received less than 31 days ago, before the year ends', () => {
    const log = new FundLog();
    log.allocation([['510400', '2047.00']], { issuedOn: '2024-12-01' });

    expect(flagsOf(log, 'idle-balance', '2024-12-30')).toEqual([]);
  });

  it('does not flag a region that paid out everything before the year ended', () => {
    const log = new FundLog();
    log.allocation([['510400', '2047.00']]);
    log.payment('510400', '2047.00', 20, '2024-02-01');

    expect(flagsOf(log, 'idle-balance', '2025-01-05')).toEqual([]);
  });
});
