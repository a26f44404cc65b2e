import type { PerformanceTarget } from '@earmark/domain';
import { parseSeed } from './seed-notice.fixture';

describe('the 2024 seed notice: the performance targets (Annex 2)', () => {
  const parsed = parseSeed();
  const tableOf = (code: string) => {
    const table = parsed.targets.find((target) => target.regionCode === code);
    if (!table) throw new Error(`no table for ${code}`);
    return table;
  };
  const prefectureCodes = [
    '510100', '510300', '510400', '510500', '510600', '510700', '510800', '510900', '511000', '511100', '511300',
    '511400', '511500', '511600', '511700', '511800', '511900', '512000', '513200', '513300', '513400',
  ];

  it('has one table per 市(州), in document order', () => {
    expect(parsed.targets.map((table) => table.regionCode)).toEqual(prefectureCodes);
  });

  it("gives each table its 市(州)'s Annex 1 amount, whatever way the table writes it", () => {
    const lineAmount = new Map(parsed.allocation.lines.map((line) => [line.regionCode, line.amountFen]));
    for (const table of parsed.targets) expect([table.regionCode, table.amountFen]).toEqual([table.regionCode, lineAmount.get(table.regionCode)]);
    expect(tableOf('511400').amountFen).toBe('71900000'); // 眉山 writes 71.9, with half-width punctuation
    expect(tableOf('513400').amountFen).toBe('2615720000'); // 凉山 writes 2615.72
  });

  it('carries the notice, the program and the 年度总体目标 on every table', () => {
    for (const table of parsed.targets) {
      expect([table.programCode, table.fiscalYear, table.documentNo]).toEqual(['sc-pension-contribution-subsidy', 2024, '川财社〔2024〕2号']);
    }
    expect(tableOf('510100').overallGoal).toBe('确保符合条件的城乡老年居民基础养老金按时足额发放。');
    expect(tableOf('510300').overallGoal).toBe('确保符合待遇领取条件人员的基础养老金按时足额发放和参保缴费人员缴费补贴按时足额兑现。');
  });

  const chengduTargets: PerformanceTarget[] = [
    { level1: '产出指标', level2: '数量指标', level3: '代缴城乡居民基本养老保险个人缴费人数', indicator: 'persons-covered', value: '按照政策规定应缴尽缴' },
    { level1: '产出指标', level2: '质量指标', level3: '对低保对象、特困人员、返贫致贫人口等困难群体参保率', indicator: 'enrolment-rate', value: '≥95%' },
    { level1: '产出指标', level2: '时效指标', level3: '资金在规定时间内下达率', indicator: 'on-time-pass-down-rate', value: '≥95%' },
    { level1: '产出指标', level2: '成本指标', level3: '代缴城乡居民基本养老保险最低标准', indicator: 'minimum-standard', value: '100元' },
    { level1: '效益指标', level2: '社会效益指标', level3: '对困难群体的促进作用', indicator: 'effect', value: '长期' },
    { level1: '满意度指标', level2: '满意度指标', level3: '对低保对象、特困人员、返贫致贫人口等困难群体满意度', indicator: 'satisfaction', value: '≥95%' },
  ];

  it('reads the 成都 table as written, merged 一级指标 cells carried down', () => {
    expect(tableOf('510100').targets).toEqual(chengduTargets);
    expect(tableOf('510100').warnings).toEqual([]);
  });

  it('keeps the shifted 二级指标 labels as written but maps every row by its 三级指标', () => {
    const zigong = tableOf('510300').targets;
    expect(zigong.map((target) => target.level2)).toEqual(['质量指标', '数量指标', '质量指标', '时效指标', '成本指标', '社会效益指标']);
    expect(zigong.map(({ level2, ...rest }) => rest)).toEqual(chengduTargets.map(({ level2, ...rest }) => rest));
    for (const table of parsed.targets) {
      expect(table.targets.map((target) => target.indicator)).toEqual(chengduTargets.map((target) => target.indicator));
    }
  });

  it('warns once per shifted table, naming its 市(州) and line, and not for 成都', () => {
    expect(parsed.warnings).toHaveLength(20);
    expect(parsed.warnings[0]).toEqual({
      line: 161,
      message:
        'Annex 2 table for 自贡市 on line 161: its 专项名称 label reads "（2024年度）"; its 二级指标 labels are shifted down by one row ' +
        '(代缴城乡居民基本养老保险个人缴费人数 on line 176 is labelled 质量指标, not 数量指标); kept as written, indicators are read from the 三级指标',
    });
    expect(parsed.warnings[19].line).toBe(579);
    expect(parsed.warnings[19].message).toMatch(/^Annex 2 table for 凉山州 on line 579: .*shifted down by one row/);
    expect(parsed.warnings.filter((warning) => warning.message.includes('成都'))).toEqual([]);
    const shifted = parsed.targets.filter((table) => table.regionCode !== '510100');
    expect(shifted.map((table) => table.warnings)).toEqual(parsed.warnings.map((warning) => [warning.message]));
  });
});
