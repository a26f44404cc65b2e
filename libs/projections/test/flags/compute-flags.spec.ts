import { computeFlags, type Flag } from '../../src';
import { FundLog, registry, thresholds } from '../support/fund-log';

describe('computeFlags', () => {
  /** Most rules at once: three cities, two of them settled, one refusal. */
  function busyFund(): FundLog {
    const log = new FundLog();
    log.allocation([['510100', '1000.00'], ['510300', '1000.00'], ['510400', '1000.00']]);
    log.targets('510100');
    log.passDown('510100', '510104', '400.00', '2024-02-01');
    log.payment('510300', '900.00', 10, '2024-03-01');
    log.payment('510400', '600.00', 6, '2024-03-01');
    log.payment('510400', '400.00', 5, '2024-04-01');
    log.payment('510104', '400.00', 4, '2025-01-10');
    log.refused({ actor: 'pzh', code: 'insufficient-funds', regionCode: '510400', attemptedOn: '2024-05-02T00:00:00.000Z', detail: 'x' });
    log.settlement('510300', [{ persons: 10, perPerson: '100.00' }]);
    log.settlement('510400', [{ persons: 8, perPerson: '100.00' }]);
    return log;
  }

  const flagsAsOf = (log: FundLog, asOf: string): Flag[] =>
    computeFlags({ fundEvents: log.fundEvents, refusalEvents: log.refusalEvents, registry, asOf, thresholds });

  it('sorts the flags by rule, region, since and anchor, each finding named once by them', () => {
    const flags = flagsAsOf(busyFund(), '2025-07-01');

    expect(flags.map((flag) => [flag.rule, flag.regionCode, flag.since, flag.evidence[0], flag.severity])).toEqual([
      ['headcount-mismatch', '510300', '2024-03-01', 4, 'warning'],
      ['headcount-mismatch', '510400', '2024-04-01', 6, 'warning'],
      ['late-pass-down', '510100', '2024-02-18', 1, 'warning'],
      ['late-payment', '510104', '2025-01-10', 7, 'warning'],
      ['performance-on-time-rate', '510100', '2024-02-18', 1, 'warning'],
      ['refused-attempt', '510400', '2024-05-02', 8, 'warning'],
      // Money 510300 holds that its settlement neither pays for nor takes back.
      ['settlement-variance', '510300', '2025-03-31', 1, 'critical'],
      // 510400 paid 1000.00 for 11 persons; settled 8 at 100.00: over-paid, persons differ, claw-back open.
      ['settlement-variance', '510400', '2025-03-31', 6, 'critical'],
      ['settlement-variance', '510400', '2025-03-31', 10, 'warning'],
      ['settlement-variance', '510400', '2025-06-30', 10, 'warning'],
      ['spending-pace', '510100', '2024-07-02', 1, 'warning'],
      ['spending-pace', '510104', '2024-07-02', 3, 'warning'],
    ]);
    const names = flags.map((flag) => JSON.stringify([flag.rule, flag.regionCode, flag.since, flag.evidence[0]]));
    expect(new Set(names).size).toBe(flags.length);
  });

  it('gives the same flags whatever order the events arrive in, and leaves the events as they were', () => {
    const log = busyFund();
    const before = JSON.stringify(log.fundEvents, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
    const input = { fundEvents: log.fundEvents, refusalEvents: log.refusalEvents, registry, asOf: '2025-07-01', thresholds };

    expect(computeFlags({ ...input, fundEvents: [...log.fundEvents].reverse() })).toEqual(computeFlags(input));
    expect(JSON.stringify(log.fundEvents, (_key, value) => (typeof value === 'bigint' ? value.toString() : value))).toBe(before);
  });

  it('leaves out events effective after the day asked about, whenever they were recorded', () => {
    const log = new FundLog();
    log.allocation([['510400', '1000.00']]);
    // Recorded now, but dated after 2024-02-18: as of that day the money was still held.
    log.payment('510400', '1000.00', 10, '2024-02-25');

    const lateSince = (day: string) => flagsAsOf(log, day).map((flag) => [flag.rule, flag.since]);
    expect(lateSince('2024-02-18')).toEqual([['late-pass-down', '2024-02-18']]);
    expect(lateSince('2024-02-25')).toEqual([]);
  });

  it('refuses a malformed day or threshold: a programmer error, not a flag', () => {
    const log = busyFund();
    const input = { fundEvents: log.fundEvents, refusalEvents: log.refusalEvents, registry, thresholds };
    expect(() => computeFlags({ ...input, asOf: '2024-3-1' })).toThrow('is not a date written YYYY-MM-DD');
    expect(() => computeFlags({ ...input, asOf: '2024-02-30' })).toThrow('is not a date written YYYY-MM-DD');
    expect(() => computeFlags({ ...input, asOf: '2024-13-01' })).toThrow('is not a date written YYYY-MM-DD');
    expect(() => computeFlags({ ...input, asOf: '2024-03-01', thresholds: { ...thresholds, latePassDownDays: -1 } })).toThrow(
      'latePassDownDays must be a whole number of days',
    );
    expect(() => computeFlags({ ...input, asOf: '2024-03-01', thresholds: { ...thresholds, clawbackOpenDays: 1.5 } })).toThrow(
      'clawbackOpenDays must be a whole number of days',
    );
  });

  it('answers nothing for a fund with no events', () => {
    expect(computeFlags({ fundEvents: [], refusalEvents: [], registry, asOf: '2024-12-31', thresholds })).toEqual([]);
  });
});
