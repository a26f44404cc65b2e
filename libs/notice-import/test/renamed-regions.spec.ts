import { currentRegionCode } from '@earmark/notice-import';
import { parseSeed, seedNotice, withLines } from './seed-notice.fixture';

describe('a former name is recorded under the current code, with a warning', () => {
  it('imports 射洪县 as 射洪市 (510981), amount unchanged', () => {
    const text = withLines(seedNotice, { 70: ['射洪市\t64.22\t', '射洪县\t64.22\t'] });
    const parsed = parseSeed(text);
    const lines = parsed.allocation.lines.filter((line) => ['510922', '510981'].includes(line.regionCode));
    expect(lines).toEqual([{ regionCode: '510981', amountFen: '64220000' }]);
    expect(parsed.summary).toEqual({ lines: 93, totalFen: 13_500_000_000n, targetTables: 21 });
    expect(parsed.warnings).toHaveLength(21);
    expect(parsed.warnings[0]).toEqual({
      line: 70,
      message: '射洪县 (510922) on line 70 became 射洪市 (510981) in 2019; recorded under the current code',
    });
  });

  it('imports 隆昌县 as 隆昌市 (511083), amount unchanged', () => {
    const text = withLines(seedNotice, { 75: ['隆昌市\t56.92\t', '隆昌县\t56.92\t'] });
    const parsed = parseSeed(text);
    const lines = parsed.allocation.lines.filter((line) => ['511028', '511083'].includes(line.regionCode));
    expect(lines).toEqual([{ regionCode: '511083', amountFen: '56920000' }]);
    expect(parsed.summary).toEqual({ lines: 93, totalFen: 13_500_000_000n, targetTables: 21 });
    expect(parsed.warnings).toHaveLength(21);
    expect(parsed.warnings[0]).toEqual({
      line: 75,
      message: '隆昌县 (511028) on line 75 became 隆昌市 (511083) in 2017; recorded under the current code',
    });
  });

  it('maps a former code to the current one and leaves any other code as it is', () => {
    expect(currentRegionCode('510922')).toBe('510981');
    expect(currentRegionCode('511028')).toBe('511083');
    expect(currentRegionCode('510981')).toBe('510981');
  });
});
