import { parseAllocationNotice } from '@earmark/notice-import';
import { FundLog, allFlags, programCode, registry, seedNoticeText } from '../support/fund-log';

/**
 * The seed alone, nothing else recorded: 川财社〔2024〕2号 pre-allocates to 21 市(州) and 72 扩权县 on
 * 2024-01-18 and sets each 市(州)'s targets. On 2024-02-18, day 31, the list is short and true.
 */
describe('the seed alone', () => {
  function seedLog(): FundLog {
    const log = new FundLog();
    log.notice(parseAllocationNotice(seedNoticeText(), registry, { programCode }));
    return log;
  }

  it('as of 2024-02-18 flags each of the 21 市(州) once, for holding its money past 30 days', () => {
    const flags = allFlags(seedLog(), '2024-02-18');

    expect(flags).toHaveLength(21);
    expect(flags.every((flag) => flag.rule === 'late-pass-down')).toBe(true);
    expect(flags.every((flag) => registry.get(flag.regionCode)?.level === 'prefecture')).toBe(true);
    expect(flags[0]).toEqual({
      rule: 'late-pass-down',
      regionCode: '510100',
      severity: 'warning',
      detail:
        '2556600.00 元 of the 2556600.00 元 received on 2024-01-18 (pre-allocation 川财社〔2024〕2号) not passed down or paid out within 30 days: 2556600.00 元 still held after 31 days',
      since: '2024-02-18',
      threshold: '30 days',
      evidence: [1],
    });
  });

  it('never flags a 扩权县 for 滞留, and judges the on-time rate only once the year is over', () => {
    expect(allFlags(seedLog(), '2024-02-18').filter((flag) => flag.regionCode === '510321')).toEqual([]);
    const afterYear = allFlags(seedLog(), '2025-01-01').filter((flag) => flag.regionCode === '510300');
    expect(afterYear.map((flag) => flag.rule)).toContain('performance-on-time-rate');
    expect(afterYear.find((flag) => flag.rule === 'performance-on-time-rate')?.detail).toBe(
      '0.00% of the money received by 510300 and its counties was passed down or paid within 30 days (0.00 of 4279500.00 元); target ≥95%',
    );
  });

  it('as of 2024-02-17, day 30, flags nothing', () => {
    expect(allFlags(seedLog(), '2024-02-17')).toEqual([]);
  });
});
