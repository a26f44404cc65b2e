import { importErrorOf, parseSeed, seedNotice, withLines } from './seed-notice.fixture';

describe("each Annex 2 table must agree with its 市(州)'s Annex 1 line", () => {
  it('refuses a table whose 年度金额 differs, naming the table, both amounts and the lines', () => {
    const text = withLines(seedNotice, { 169: ['资金情况 （万元）\t\t年度金额：\t\t142.19', '资金情况 （万元）\t\t年度金额：\t\t142.2'] });
    expect(importErrorOf(() => parseSeed(text)).problems).toEqual([
      {
        line: 169,
        message:
          'Annex 2 table for 自贡市 (line 161) gives 年度金额 1,422,000.00 元 on line 169, ' +
          'but its Annex 1 line 40 gives 1,421,900.00 元: differs by 100.00 元',
      },
    ]);
  });

  it('refuses a table whose 省级补助 differs', () => {
    const text = withLines(seedNotice, { 391: ['\t\t省级补助\t\t71.90', '\t\t省级补助\t\t71.09'] });
    expect(importErrorOf(() => parseSeed(text)).problems).toEqual([
      {
        line: 391,
        message:
          'Annex 2 table for 眉山市 (line 381) gives 省级补助 710,900.00 元 on line 391, ' +
          'but its Annex 1 line 97 gives 719,000.00 元: differs by 8,100.00 元',
      },
    ]);
  });

  it('refuses a table for a region with no Annex 1 line', () => {
    // 攀枝花 and its two 扩权县 leave Annex 1, and 全省合计 follows them, so only the table is wrong.
    const text = withLines(seedNotice, {
      38: ['全省合计\t13,500.00\t', '全省合计\t13,442.03\t'],
      43: ['攀枝花市\t20.47\t', ''],
      44: ['米易县\t18.41\t', ''],
      45: ['盐边县\t19.09\t', ''],
    });
    expect(importErrorOf(() => parseSeed(text)).problems).toEqual([
      { line: 190, message: 'Annex 2 table for 攀枝花市 (line 183) is for 攀枝花市 (510400), which has no Annex 1 line' },
    ]);
  });

  it('refuses a second table for the same 市(州)', () => {
    const text = withLines(seedNotice, { 190: ['市（州）\t\t攀枝花市\t\t', '市（州）\t\t自贡市\t\t'] });
    expect(importErrorOf(() => parseSeed(text)).problems).toEqual([
      { line: 183, message: 'Annex 2 table for 自贡市 (line 183) is the second table for 自贡市; the first is on line 161' },
    ]);
  });

  it('refuses a table whose 市(州) is unknown', () => {
    const text = withLines(seedNotice, { 168: ['市（州）\t\t自贡市\t\t', '市（州）\t\t自贡县\t\t'] });
    expect(importErrorOf(() => parseSeed(text)).problems).toEqual([
      { line: 168, message: 'unknown region "自贡县" on line 168 (the 市(州) of the Annex 2 table on line 161)' },
    ]);
  });

  it('maps an unrecognised indicator to no id and says so in the table warning', () => {
    const text = withLines(seedNotice, {
      158: ['\t效益指标\t社会效益指标\t对困难群体的促进作用\t长期', '\t效益指标\t社会效益指标\t对困难群体的帮扶效果\t长期'],
    });
    const parsed = parseSeed(text);
    expect(parsed.targets[0].targets[4]).toEqual({ level1: '效益指标', level2: '社会效益指标', level3: '对困难群体的帮扶效果', indicator: null, value: '长期' });
    expect(parsed.warnings[0]).toEqual({
      line: 139,
      message:
        'Annex 2 table for 成都市 on line 139: its indicator "对困难群体的帮扶效果" on line 158 is not one the ledger computes; ' +
        'kept as written, indicators are read from the 三级指标',
    });
  });
});

describe('a notice without Annex 2', () => {
  const annex1Only = seedNotice.split('\n').slice(0, 138).join('\n');

  it('is imported with no targets, a warning, and the fund named by the Annex 1 title', () => {
    const parsed = parseSeed(annex1Only);
    expect(parsed.targets).toEqual([]);
    expect(parsed.warnings).toEqual([{ line: 0, message: 'the notice has no Annex 2 performance target tables' }]);
    expect(parsed.allocation.programName).toBe('困难群体养老保险个人缴费省级财政代缴资金');
    expect(parsed.summary).toEqual({ lines: 93, totalFen: 13_500_000_000n, targetTables: 0 });
  });
});
