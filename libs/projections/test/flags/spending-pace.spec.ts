import { FundLog, flagsOf } from '../support/fund-log';

/**
 * Money received but barely spent as the year goes on: after 07-01, the share paid out (paid and
 * passed down) below the share of the year gone by; at 12-31, anything unspent.
 */
describe('spending-pace', () => {
  it('stays quiet before July, however little was spent', () => {
    const log = new FundLog();
    log.allocation([['510400', '1000.00']]);

    expect(flagsOf(log, 'spending-pace', '2024-07-01')).toEqual([]);
  });

  it('flags a region that spent nothing on 07-02, day 184 of 366', () => {
    const log = new FundLog();
    const allocation = log.allocation([['510400', '1000.00']]);

    expect(flagsOf(log, 'spending-pace', '2024-07-02')).toEqual([
      {
        rule: 'spending-pace',
        regionCode: '510400',
        severity: 'warning',
        detail: 'by 2024-07-02 paid out 0.00% of the 1000.00 元 it received (paid 0.00 元, passed down 0.00 元) while 50.27% of 2024 had gone by',
        since: '2024-07-02',
        threshold: 'paid-out share ≥ share of 2024 gone by (50.27%)',
        evidence: [allocation],
      },
    ]);
  });

  it('flags a region from the day the year overtook what it paid out, and keeps that day', () => {
    const log = new FundLog();
    const allocation = log.allocation([['510400', '1000.00']]);
    const payment = log.payment('510400', '600.00', 6, '2024-06-01');

    // 60% paid: the year passes 60% on day 220 (600 × 366 < 220 × 1000), 2024-08-07.
    expect(flagsOf(log, 'spending-pace', '2024-08-06')).toEqual([]);
    expect(flagsOf(log, 'spending-pace', '2024-09-30')).toEqual([
      {
        rule: 'spending-pace',
        regionCode: '510400',
        severity: 'warning',
        detail: 'by 2024-09-30 paid out 60.00% of the 1000.00 元 it received (paid 600.00 元, passed down 0.00 元) while 74.86% of 2024 had gone by',
        since: '2024-08-07',
        threshold: 'paid-out share ≥ share of 2024 gone by (74.86%)',
        evidence: [allocation, payment.position],
      },
    ]);
  });

  it("counts a city's pass-downs as spent, and judges the district on what it received", () => {
    const log = new FundLog();
    log.allocation([['510100', '1000.00']]);
    log.passDownDocument('510100', [['510104', '600.00']], '2024-02-01');
    log.payment('510104', '300.00', 3, '2024-02-10');

    expect(flagsOf(log, 'spending-pace', '2024-07-02').map((flag) => [flag.regionCode, flag.detail])).toEqual([
      ['510104', 'by 2024-07-02 paid out 50.00% of the 600.00 元 it received (paid 300.00 元, passed down 0.00 元) while 50.27% of 2024 had gone by'],
    ]);
  });

  it('after the year, judges what was left unspent at 12-31, whatever was paid later', () => {
    const log = new FundLog();
    const allocation = log.allocation([['510400', '2047.00']]);
    const payment = log.payment('510400', '2000.00', 20, '2024-06-01');
    log.payment('510400', '47.00', 1, '2025-01-03');

    // 2000 / 2047 = 97.70%: overtaken on day 358 (2000 × 366 < 358 × 2047), 2024-12-23.
    expect(flagsOf(log, 'spending-pace', '2025-01-05')).toEqual([
      {
        rule: 'spending-pace',
        regionCode: '510400',
        severity: 'warning',
        detail: '47.00 元 of the 2047.00 元 it received still unspent at the end of 2024 (paid 2000.00 元, passed down 0.00 元)',
        since: '2024-12-23',
        threshold: 'nothing unspent at 2024-12-31',
        evidence: [allocation, payment.position],
      },
    ]);
  });

  it('does not flag a region that spent everything before the year ended', () => {
    const log = new FundLog();
    log.allocation([['510400', '2047.00']]);
    log.payment('510400', '2047.00', 20, '2024-02-01');

    expect(flagsOf(log, 'spending-pace', '2025-01-05')).toEqual([]);
  });

  it('leaves a settled region to the settlement', () => {
    const log = new FundLog();
    log.allocation([['510400', '204700.00']]);
    log.payment('510400', '150000.00', 1500, '2024-06-01');
    expect(flagsOf(log, 'spending-pace', '2024-12-19').map((flag) => flag.since)).toEqual(['2024-09-25']);

    log.settlement('510400', [{ persons: 1500, perPerson: '100.00' }], { settledOn: '2024-12-20' });
    expect(flagsOf(log, 'spending-pace', '2025-01-05')).toEqual([]);
  });
});
