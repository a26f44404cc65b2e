import { FundLog, flagsOf } from '../support/fund-log';

/** A 市(州) whose actual misses its Annex 2 target. */
describe('performance-enrolment-rate', () => {
  it('flags a reported enrolment rate below ≥95%', () => {
    const log = new FundLog();
    log.allocation([['510100', '2556600.00']]);
    const targets = log.targets('510100');
    const report = log.actual('510100', 'enrolment-rate', '93.5', '2024-12-31', 'cd');

    expect(flagsOf(log, 'performance-enrolment-rate', '2024-12-31')).toEqual([
      {
        rule: 'performance-enrolment-rate',
        regionCode: '510100',
        severity: 'warning',
        detail: 'enrolment rate 93.50% reported for 510100, period 2024, on 2024-12-31 by cd; target ≥95%',
        since: '2024-12-31',
        threshold: '≥95%',
        evidence: [targets, report],
      },
    ]);
  });

  it('does not flag a rate of exactly 95, nor a region with no report', () => {
    const log = new FundLog();
    log.allocation([['510100', '2556600.00'], ['510300', '1421900.00']]);
    log.targets('510100');
    log.targets('510300');
    log.actual('510100', 'enrolment-rate', '95', '2024-12-31');

    expect(flagsOf(log, 'performance-enrolment-rate', '2024-12-31')).toEqual([]);
  });
});

describe('performance-satisfaction', () => {
  it('flags a satisfaction a county reported below target, when its city sent none', () => {
    const log = new FundLog();
    log.allocation([['510300', '1421900.00'], ['510321', '500000.00']]);
    const targets = log.targets('510300');
    const report = log.actual('510321', 'satisfaction', '90', '2024-12-20', 'rx');

    expect(flagsOf(log, 'performance-satisfaction', '2024-12-31')).toEqual([
      {
        rule: 'performance-satisfaction',
        regionCode: '510300',
        severity: 'warning',
        detail: 'satisfaction 90.00% reported for 510321, period 2024, on 2024-12-20 by rx; target ≥95%',
        since: '2024-12-20',
        threshold: '≥95%',
        evidence: [targets, report],
      },
    ]);
  });

  it("does not flag it when the city's own report meets the target", () => {
    const log = new FundLog();
    log.allocation([['510300', '1421900.00'], ['510321', '500000.00']]);
    log.targets('510300');
    log.actual('510300', 'satisfaction', '96.2', '2024-12-01');
    log.actual('510321', 'satisfaction', '90', '2024-12-20');

    expect(flagsOf(log, 'performance-satisfaction', '2024-12-31')).toEqual([]);
  });
});

describe('performance-on-time-rate', () => {
  it('flags, once the year is over, a city that passed down or paid only 90% of its money within 30 days', () => {
    const log = new FundLog();
    const allocation = log.allocation([['510100', '1000.00']]);
    const targets = log.targets('510100');
    log.payment('510100', '900.00', 9, '2024-02-01');

    // An annual target: during the year the held 10% is the late-pass-down finding instead.
    expect(flagsOf(log, 'performance-on-time-rate', '2024-12-31')).toEqual([]);
    expect(flagsOf(log, 'performance-on-time-rate', '2025-01-01')).toEqual([
      {
        rule: 'performance-on-time-rate',
        regionCode: '510100',
        severity: 'warning',
        detail: '90.00% of the money received by 510100 and its counties was passed down or paid within 30 days (900.00 of 1000.00 元); target ≥95%',
        since: '2024-02-18',
        threshold: '≥95%',
        evidence: [allocation, targets],
      },
    ]);
  });

  it('does not flag money still inside its 30 days, nor a city that paid everything in time', () => {
    const log = new FundLog();
    log.allocation([['510100', '1000.00']]);
    log.targets('510100');
    log.payment('510100', '900.00', 9, '2024-02-01');
    expect(flagsOf(log, 'performance-on-time-rate', '2024-02-10')).toEqual([]);

    log.payment('510100', '100.00', 1, '2024-02-10');
    expect(flagsOf(log, 'performance-on-time-rate', '2024-06-30')).toEqual([]);
  });
});

describe('performance-minimum-standard', () => {
  it('flags the smallest payment per person below 100元', () => {
    const log = new FundLog();
    log.allocation([['510100', '10000.00']]);
    const targets = log.targets('510100');
    log.passDown('510100', '510104', '5000.00', '2024-02-01');
    log.payment('510104', '1000.00', 10, '2024-02-05');
    const low = log.payment('510104', '500.00', 10, '2024-02-06', 'JJ-LOW');

    expect(flagsOf(log, 'performance-minimum-standard', '2024-02-10')).toEqual([
      {
        rule: 'performance-minimum-standard',
        regionCode: '510100',
        severity: 'warning',
        detail: 'smallest payment per person 50.00 元: voucher JJ-LOW of 510104 paid 500.00 元 for 10 persons; target 100元',
        since: '2024-02-06',
        threshold: '100元',
        evidence: [targets, low.position],
      },
    ]);
  });

  it('does not flag payments of at least 100元 per person', () => {
    const log = new FundLog();
    log.allocation([['510100', '10000.00']]);
    log.targets('510100');
    log.payment('510100', '1000.00', 10, '2024-02-05');
    log.payment('510100', '1500.00', 10, '2024-02-06');

    expect(flagsOf(log, 'performance-minimum-standard', '2024-02-10')).toEqual([]);
  });
});
