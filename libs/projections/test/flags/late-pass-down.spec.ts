import { FundLog, flagsOf, thresholds } from '../support/fund-log';

/**
 * 滞留: a 市(州) with districts that did not pass down or pay out, within 30 days of a receipt, the
 * money it brought. The part still held past the limit, and the part passed down after it, are late.
 */
describe('late-pass-down', () => {
  it('flags the part of a receipt a city still holds on day 31, with the receipt and what was taken from it', () => {
    const log = new FundLog();
    const allocation = log.allocation([['510100', '1000.00']]);
    const passDown = log.passDown('510100', '510104', '400.00', '2024-02-01');

    expect(flagsOf(log, 'late-pass-down', '2024-02-18')).toEqual([
      {
        rule: 'late-pass-down',
        regionCode: '510100',
        severity: 'warning',
        detail:
          '600.00 元 of the 1000.00 元 received on 2024-01-18 (pre-allocation 川财社〔2024〕2号) not passed down or paid out within 30 days: 600.00 元 still held after 31 days',
        since: '2024-02-18',
        threshold: '30 days',
        evidence: [allocation, passDown.position],
      },
    ]);
  });

  it('does not warn a city that moved 90% within 23 days for what it moved: only the 10% it still holds is late', () => {
    const log = new FundLog();
    const allocation = log.allocation([['510100', '1000000.00']]);
    const document = log.passDownDocument('510100', [['510104', '500000.00'], ['510105', '300000.00']], '2024-02-10');
    const payment = log.payment('510100', '100000.00', 1000, '2024-02-10');

    expect(flagsOf(log, 'late-pass-down', '2024-03-01')).toEqual([
      {
        rule: 'late-pass-down',
        regionCode: '510100',
        severity: 'warning',
        detail:
          '100000.00 元 of the 1000000.00 元 received on 2024-01-18 (pre-allocation 川财社〔2024〕2号) not passed down or paid out within 30 days: 100000.00 元 still held after 43 days',
        since: '2024-02-18',
        threshold: '30 days',
        evidence: [allocation, document, payment.position],
      },
    ]);

    log.passDownDocument('510100', [['510106', '100000.00']], '2024-02-15');
    expect(flagsOf(log, 'late-pass-down', '2024-03-01')).toEqual([]);
  });

  it('flags money passed down after the limit, through a 下达 document or a single pass-down, even once it is gone', () => {
    const log = new FundLog();
    const allocation = log.allocation([['510100', '1000.00']]);
    const onTime = log.passDown('510100', '510104', '400.00', '2024-02-01');
    const late = log.passDownDocument('510100', [['510104', '350.00'], ['510105', '250.00']], '2024-03-01', '成财社〔2024〕7号');

    expect(flagsOf(log, 'late-pass-down', '2024-03-15')).toEqual([
      {
        rule: 'late-pass-down',
        regionCode: '510100',
        severity: 'warning',
        detail:
          '600.00 元 of the 1000.00 元 received on 2024-01-18 (pre-allocation 川财社〔2024〕2号) not passed down or paid out within 30 days: 600.00 元 passed down after the limit, the last on 2024-03-01',
        since: '2024-02-18',
        threshold: '30 days',
        evidence: [allocation, onTime.position, late],
      },
    ]);
  });

  it('never flags a 扩权县 or a 区/县, who have nobody below them to pass money to', () => {
    const log = new FundLog();
    log.allocation([['510321', '1000.00'], ['510100', '1000.00']]);
    log.passDown('510100', '510104', '1000.00', '2024-01-20');

    expect(flagsOf(log, 'late-pass-down', '2024-06-30')).toEqual([]);
  });

  it('does not flag money held exactly 30 days', () => {
    const log = new FundLog();
    log.allocation([['510100', '1000.00']]);

    expect(flagsOf(log, 'late-pass-down', '2024-02-17')).toEqual([]);
  });

  it('stops flagging money the city paid out itself, even late', () => {
    const log = new FundLog();
    log.allocation([['510100', '1000.00']]);
    log.payment('510100', '1000.00', 10, '2024-03-20');

    expect(flagsOf(log, 'late-pass-down', '2024-03-01').map((flag) => flag.since)).toEqual(['2024-02-18']);
    expect(flagsOf(log, 'late-pass-down', '2024-06-30')).toEqual([]);
  });

  it('puts a reversed payment back into the receipt it came from, late since that receipt', () => {
    const log = new FundLog();
    const allocation = log.allocation([['510400', '1000.00']]);
    const payment = log.payment('510400', '1000.00', 10, '2024-02-01');
    log.reversal(payment, '2024-02-05');

    expect(flagsOf(log, 'late-pass-down', '2024-03-01')).toEqual([
      expect.objectContaining({
        regionCode: '510400',
        detail:
          '1000.00 元 of the 1000.00 元 received on 2024-01-18 (pre-allocation 川财社〔2024〕2号) not passed down or paid out within 30 days: 1000.00 元 still held after 43 days',
        since: '2024-02-18',
        evidence: [allocation],
      }),
    ]);
  });

  it('leaves money held at settlement to the settlement, and judges a top-up received after it', () => {
    const log = new FundLog();
    log.allocation([['510400', '204700.00']]);
    log.payment('510400', '200000.00', 2000, '2024-06-01');
    expect(flagsOf(log, 'late-pass-down', '2025-03-30').map((flag) => flag.detail)).toEqual([
      '4700.00 元 of the 204700.00 元 received on 2024-01-18 (pre-allocation 川财社〔2024〕2号) not passed down or paid out within 30 days: 4700.00 元 still held after 437 days',
    ]);

    log.settlement('510400', [{ persons: 2100, perPerson: '100.00' }]);
    const topUp = log.allocation([['510400', '5300.00']], { kind: 'top-up', issuedOn: '2025-04-10', documentNo: '川财社〔2025〕20号' });

    expect(flagsOf(log, 'late-pass-down', '2025-05-10')).toEqual([]);
    expect(flagsOf(log, 'late-pass-down', '2025-05-11')).toEqual([
      {
        rule: 'late-pass-down',
        regionCode: '510400',
        severity: 'warning',
        detail:
          '5300.00 元 of the 5300.00 元 received on 2025-04-10 (top-up 川财社〔2025〕20号) not passed down or paid out within 30 days: 5300.00 元 still held after 31 days',
        since: '2025-05-11',
        threshold: '30 days',
        evidence: [topUp],
      },
    ]);
  });

  it('follows a configured limit', () => {
    const log = new FundLog();
    log.allocation([['510400', '1000.00']]);

    const flags = flagsOf(log, 'late-pass-down', '2024-01-29', { thresholds: { ...thresholds, latePassDownDays: 10 } });
    expect(flags.map((flag) => [flag.since, flag.threshold])).toEqual([['2024-01-29', '10 days']]);
  });
});
