import { computeFlags } from '../../src';
import { FundLog, registry, thresholds } from '../support/fund-log';

describe('computeFlags', () => {
  /** Every rule at once, to see the order: by rule, then region, then since. */
  function busyFund(): FundLog {
    const log = new FundLog();
    log.allocation([['510400', '1000.00'], ['510100', '1000.00']]);
    log.targets('510100');
    log.payment('510400', '999.00', 10, '2024-02-01');
    log.payment('510100', '500.00', 10, '2024-02-01');
    log.actual('510100', 'enrolment-rate', '90', '2024-02-20');
    log.refused({ actor: 'pzh', code: 'insufficient-funds', regionCode: '510400', attemptedOn: '2024-02-02T00:00:00.000Z', detail: 'x' });
    return log;
  }

  it('sorts the flags by rule, region and since', () => {
    const log = busyFund();
    const flags = computeFlags({ fundEvents: log.fundEvents, refusalEvents: log.refusalEvents, registry, asOf: '2024-03-01', thresholds });

    expect(flags.map((flag) => [flag.rule, flag.regionCode, flag.since])).toEqual([
      ['headcount-mismatch', '510100', '2024-02-01'],
      ['headcount-mismatch', '510400', '2024-02-01'],
      ['idle-balance', '510100', '2024-02-18'],
      ['idle-balance', '510400', '2024-02-18'],
      ['late-pass-down', '510100', '2024-02-18'],
      ['late-pass-down', '510400', '2024-02-18'],
      ['performance-enrolment-rate', '510100', '2024-02-20'],
      ['performance-minimum-standard', '510100', '2024-02-01'],
      ['performance-on-time-rate', '510100', '2024-02-18'],
      ['refused-attempt', '510400', '2024-02-02'],
    ]);
  });

  it('leaves out events effective after the day asked about, whenever they were recorded', () => {
    const log = new FundLog();
    log.allocation([['510400', '1000.00']]);
    // Recorded now, but dated after 2024-02-18: as of that day the money was still held.
    log.payment('510400', '1000.00', 10, '2024-02-25');

    const asOf = (day: string) =>
      computeFlags({ fundEvents: log.fundEvents, refusalEvents: log.refusalEvents, registry, asOf: day, thresholds })
        .filter((flag) => flag.rule === 'late-pass-down')
        .map((flag) => flag.since);
    expect(asOf('2024-02-18')).toEqual(['2024-02-18']);
    expect(asOf('2024-02-25')).toEqual([]);
  });

  it('gives the same flags for the same events, and leaves the events as they were', () => {
    const log = busyFund();
    const before = JSON.stringify(log.fundEvents, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
    const input = { fundEvents: log.fundEvents, refusalEvents: log.refusalEvents, registry, asOf: '2024-03-01', thresholds };

    expect(computeFlags(input)).toEqual(computeFlags(input));
    expect(JSON.stringify(log.fundEvents, (_key, value) => (typeof value === 'bigint' ? value.toString() : value))).toBe(before);
  });

  it('refuses a malformed day or threshold: a programmer error, not a flag', () => {
    const log = busyFund();
    const input = { fundEvents: log.fundEvents, refusalEvents: log.refusalEvents, registry, thresholds };
    expect(() => computeFlags({ ...input, asOf: '2024-3-1' })).toThrow('is not a date written YYYY-MM-DD');
    expect(() => computeFlags({ ...input, asOf: '2024-03-01', thresholds: { ...thresholds, latePassDownDays: -1 } })).toThrow(
      'latePassDownDays must be a whole number of days',
    );
  });

  it('answers nothing for a fund with no events', () => {
    expect(computeFlags({ fundEvents: [], refusalEvents: [], registry, asOf: '2024-12-31', thresholds })).toEqual([]);
  });
});
