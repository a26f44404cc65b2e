import { computePerformance, type PerformanceRow } from '../src';
import { FundLog, registry, thresholds } from './support/fund-log';

const performanceOf = (log: FundLog, asOf?: string): PerformanceRow[] =>
  computePerformance({ fundEvents: log.fundEvents, registry, thresholds, ...(asOf === undefined ? {} : { asOf }) });

const rowOf = (rows: readonly PerformanceRow[], regionCode: string, indicator: string) =>
  rows.find((row) => row.regionCode === regionCode && row.indicator === indicator);

describe('computePerformance', () => {
  it('lists each indicator of a 市(州) with targets, in the document’s order, with the targets as written', () => {
    const log = new FundLog();
    log.allocation([['510100', '2556600.00'], ['510300', '1421900.00']]);
    log.targets('510100');

    expect(performanceOf(log, '2024-01-31')).toEqual([
      { regionCode: '510100', indicator: 'persons-covered', target: '按照政策规定应缴尽缴', actual: '0', met: null },
      { regionCode: '510100', indicator: 'enrolment-rate', target: '≥95%', actual: null, met: null },
      { regionCode: '510100', indicator: 'on-time-pass-down-rate', target: '≥95%', actual: null, met: null },
      { regionCode: '510100', indicator: 'minimum-standard', target: '100元', actual: null, met: null },
      { regionCode: '510100', indicator: 'effect', target: '长期', actual: null, met: null },
      { regionCode: '510100', indicator: 'satisfaction', target: '≥95%', actual: null, met: null },
    ]);
  });

  it('counts a 扩权县 and a district under their 市(州): persons, smallest standard and on-time rate', () => {
    const log = new FundLog();
    log.allocation([['510300', '1000.00'], ['510321', '500.00']]);
    log.targets('510300');
    log.passDown('510300', '510302', '600.00', '2024-02-01');
    log.payment('510302', '600.00', 5, '2024-03-20');
    log.payment('510321', '500.00', 5, '2024-01-30');

    const rows = performanceOf(log, '2024-04-30');
    expect(rowOf(rows, '510300', 'persons-covered')).toMatchObject({ actual: '10', met: null });
    // 600.00 for 5 is 120.00 a person; 500.00 for 5 is 100.00: the smallest meets 100元.
    expect(rowOf(rows, '510300', 'minimum-standard')).toMatchObject({ actual: '100.00', met: true });
    // On time: the city's 600.00 pass-down and the county's 500.00; late: the city's 400.00 still held
    // and the district's 600.00 paid on day 48. 1100 / 2100 = 52.38…%.
    expect(rowOf(rows, '510300', 'on-time-pass-down-rate')).toMatchObject({ actual: '52.38', met: false });
    expect(rows.map((row) => row.regionCode)).toEqual(Array(6).fill('510300'));
  });

  it('cuts a rate to two decimals rather than rounding it up to a met target', () => {
    const log = new FundLog();
    log.allocation([['510100', '1000.00']]);
    log.targets('510100');
    log.payment('510100', '949.99', 9, '2024-02-01');

    expect(rowOf(performanceOf(log, '2024-06-30'), '510100', 'on-time-pass-down-rate')).toMatchObject({ actual: '94.99', met: false });
  });

  it('without a day, counts all money not yet passed down or paid as late', () => {
    const log = new FundLog();
    log.allocation([['510100', '1000.00']], { issuedOn: '2099-01-01' });
    log.targets('510100');
    log.payment('510100', '500.00', 5, '2099-01-05');

    expect(rowOf(performanceOf(log), '510100', 'on-time-pass-down-rate')).toMatchObject({ actual: '50.00', met: false });
  });

  it("takes the city's own latest report, and a county's only when the city sent none", () => {
    const log = new FundLog();
    log.allocation([['510300', '1421900.00'], ['510321', '500000.00']]);
    log.targets('510300');
    log.actual('510321', 'enrolment-rate', '91', '2024-06-30');
    expect(rowOf(performanceOf(log, '2024-12-31'), '510300', 'enrolment-rate')).toMatchObject({ actual: '91.00', met: false });

    log.actual('510300', 'enrolment-rate', '96.25', '2024-09-30');
    log.actual('510300', 'enrolment-rate', '95.4567', '2024-12-31');
    log.actual('510321', 'enrolment-rate', '80', '2024-12-31');
    expect(rowOf(performanceOf(log, '2024-12-31'), '510300', 'enrolment-rate')).toMatchObject({ actual: '95.4567', met: true });
  });

  it('uses the latest targets recorded, and the configured minimum where a target states no number', () => {
    const log = new FundLog();
    log.allocation([['510100', '2556600.00']]);
    log.targets('510100');
    log.targets('510100', { satisfaction: '满意' });
    log.actual('510100', 'satisfaction', '94.99', '2024-12-31');

    expect(rowOf(performanceOf(log, '2024-12-31'), '510100', 'satisfaction')).toEqual({
      regionCode: '510100',
      indicator: 'satisfaction',
      target: '满意',
      actual: '94.99',
      met: false,
    });
  });

  it('judges a target written with other comparators or full-width signs', () => {
    const log = new FundLog();
    log.allocation([['510100', '2556600.00'], ['510300', '1421900.00'], ['510400', '204700.00']]);
    log.targets('510100', { 'enrolment-rate': '不低于９０％' });
    log.targets('510300', { 'enrolment-rate': '＞95%' });
    log.targets('510400', { 'enrolment-rate': '2024年度≥95%' });
    log.actual('510100', 'enrolment-rate', '90', '2024-12-31');
    log.actual('510300', 'enrolment-rate', '95', '2024-12-31');
    log.actual('510400', 'enrolment-rate', '96', '2024-12-31');

    const rows = performanceOf(log, '2024-12-31');
    expect(rowOf(rows, '510100', 'enrolment-rate')).toMatchObject({ met: true });
    expect(rowOf(rows, '510300', 'enrolment-rate')).toMatchObject({ met: false });
    expect(rowOf(rows, '510400', 'enrolment-rate')).toMatchObject({ met: true });
  });

  it('has no rows for a fund without targets, nor for targets recorded after the day asked about', () => {
    const log = new FundLog();
    log.allocation([['510100', '2556600.00']]);
    expect(performanceOf(log, '2024-12-31')).toEqual([]);

    log.targets('510100', {}, '2025-02-01T00:00:00.000Z');
    expect(performanceOf(log, '2024-12-31')).toEqual([]);
    expect(performanceOf(log, '2025-02-01')).toHaveLength(6);
  });
});
