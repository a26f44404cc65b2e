import { FundLog, flagsOf, thresholds } from '../support/fund-log';

/** 滞留: money received and, more than 30 days later, neither passed down nor paid (oldest receipts first). */
describe('late-pass-down', () => {
  it('flags the part of a receipt still held on day 31, with the receipt and what was taken from it', () => {
    const log = new FundLog();
    const allocation = log.allocation([['510100', '1000.00']]);
    const passDown = log.passDown('510100', '510104', '400.00', '2024-02-01');

    expect(flagsOf(log, 'late-pass-down', '2024-02-18')).toEqual([
      {
        rule: 'late-pass-down',
        regionCode: '510100',
        severity: 'warning',
        detail: '600.00 元 of the 1000.00 元 received on 2024-01-18 (pre-allocation 川财社〔2024〕2号) neither passed down nor paid after 31 days',
        since: '2024-02-18',
        threshold: '30 days',
        evidence: [allocation, passDown.position],
      },
    ]);
  });

  it('does not flag money held exactly 30 days', () => {
    const log = new FundLog();
    log.allocation([['510100', '1000.00']]);
    log.passDown('510100', '510104', '400.00', '2024-02-01');

    expect(flagsOf(log, 'late-pass-down', '2024-02-17')).toEqual([]);
  });

  it('does not flag a receipt once all of it is paid, even if paid late', () => {
    const log = new FundLog();
    log.allocation([['510400', '1000.00']]);
    log.payment('510400', '1000.00', 10, '2024-03-20');

    expect(flagsOf(log, 'late-pass-down', '2024-06-30')).toEqual([]);
  });

  it('takes payments from the oldest receipt first, so only the newer receipt is late', () => {
    const log = new FundLog();
    log.allocation([['510100', '1000.00']]);
    log.passDown('510100', '510104', '400.00', '2024-02-01');
    const second = log.passDown('510100', '510104', '300.00', '2024-03-01', 'CD-XD-2');
    const payment = log.payment('510104', '500.00', 5, '2024-03-05');
    log.payment('510100', '300.00', 3, '2024-02-10');

    expect(flagsOf(log, 'late-pass-down', '2024-04-01').filter((flag) => flag.regionCode === '510104')).toEqual([
      {
        rule: 'late-pass-down',
        regionCode: '510104',
        severity: 'warning',
        detail: '200.00 元 of the 300.00 元 received on 2024-03-01 (pass-down CD-XD-2 from 510100) neither passed down nor paid after 31 days',
        since: '2024-04-01',
        threshold: '30 days',
        evidence: [second.position, payment.position],
      },
    ]);
  });

  it('puts a reversed payment back into the receipt it came from, late since that receipt', () => {
    const log = new FundLog();
    const allocation = log.allocation([['510400', '1000.00']]);
    const payment = log.payment('510400', '1000.00', 10, '2024-02-01');
    log.reversal(payment, '2024-02-05');

    expect(flagsOf(log, 'late-pass-down', '2024-03-01')).toEqual([
      expect.objectContaining({
        regionCode: '510400',
        detail: '1000.00 元 of the 1000.00 元 received on 2024-01-18 (pre-allocation 川财社〔2024〕2号) neither passed down nor paid after 43 days',
        since: '2024-02-18',
        evidence: [allocation],
      }),
    ]);
  });

  it('follows a configured limit', () => {
    const log = new FundLog();
    log.allocation([['510400', '1000.00']]);

    const flags = flagsOf(log, 'late-pass-down', '2024-01-29', {
      thresholds: { ...thresholds, latePassDownDays: 10 },
    });
    expect(flags.map((flag) => [flag.since, flag.threshold])).toEqual([['2024-01-29', '10 days']]);
  });
});
