import { formatYuanGrouped } from '@earmark/domain';
import { parseSeed, seedRegistry } from './seed-notice.fixture';

describe('the 2024 seed notice: the allocation (Annex 1)', () => {
  const parsed = parseSeed();
  const { allocation } = parsed;
  const amountOf = (code: string): string | undefined => allocation.lines.find((line) => line.regionCode === code)?.amountFen;

  it('reads the document fields from the body, subjects included', () => {
    const { lines, ...fields } = allocation;
    expect(fields).toEqual({
      documentNo: '川财社〔2024〕2号',
      title: '关于预拨2024年困难群体养老保险个人缴费省级财政代缴资金的通知',
      kind: 'pre-allocation',
      programCode: 'sc-pension-contribution-subsidy',
      programName: '困难群体养老保险个人缴费省级财政代缴资金',
      fiscalYear: 2024,
      issuedOn: '2024-01-18',
      issuerRegionCode: '510000',
      incomeSubject: '1100299',
      expenditureSubject: '2083001',
      totalFen: '13500000000',
    });
    expect(lines).toHaveLength(93);
  });

  it('summarises 93 lines, 135,000,000.00 元 and 21 target tables', () => {
    expect(parsed.summary).toEqual({ lines: 93, totalFen: 13_500_000_000n, targetTables: 21 });
    expect(formatYuanGrouped(parsed.summary.totalFen)).toBe('135,000,000.00');
  });

  it('has lines that sum to 全省合计 to the 分', () => {
    const sumFen = allocation.lines.reduce((sum, line) => sum + BigInt(line.amountFen), 0n);
    expect(sumFen).toBe(13_500_000_000n);
  });

  it('reads both pages in document order, across the repeated spaced header', () => {
    expect(allocation.lines.slice(0, 5)).toEqual([
      { regionCode: '510100', amountFen: '255660000' },
      { regionCode: '510300', amountFen: '142190000' },
      { regionCode: '510321', amountFen: '125760000' },
      { regionCode: '510322', amountFen: '160000000' },
      { regionCode: '510400', amountFen: '20470000' },
    ]);
    // The last row of page 1 and the first of page 2.
    expect(allocation.lines[44]).toEqual({ regionCode: '511181', amountFen: '22650000' });
    expect(allocation.lines[45]).toEqual({ regionCode: '511300', amountFen: '271920000' });
    expect(allocation.lines[92]).toEqual({ regionCode: '513400', amountFen: '2615720000' });
  });

  it('reads thousands separators in 万元: 凉山州 2,615.72 is 26,157,200.00 元', () => {
    expect(amountOf('513400')).toBe('2615720000');
    expect(formatYuanGrouped(2_615_720_000n)).toBe('26,157,200.00');
    expect(amountOf('510100')).toBe('255660000');
  });

  it('resolves names that drop their autonomy suffix', () => {
    expect(amountOf('510726')).toBe('25470000'); // 北川县
    expect(amountOf('511132')).toBe('51660000'); // 峨边县
    expect(amountOf('511133')).toBe('108440000'); // 马边县
    expect(amountOf('513200')).toBe('509480000'); // 阿坝州
    expect(amountOf('513300')).toBe('898400000'); // 甘孜州
  });

  it('resolves the renamed cities by their current codes', () => {
    expect(amountOf('511083')).toBe('56920000'); // 隆昌市
    expect(amountOf('510981')).toBe('64220000'); // 射洪市
  });

  it('matches two-character names exactly', () => {
    expect(amountOf('511525')).toBe('48080000'); // 高县, not 高坪区
    expect(amountOf('511526')).toBe('60220000'); // 珙县
    expect(amountOf('511725')).toBe('218410000'); // 渠县
    expect(amountOf('510521')).toBe('66470000'); // 泸县
    expect(amountOf('510321')).toBe('125760000'); // 荣县
  });

  it('names each region once, and only regions the province pays directly', () => {
    const registry = seedRegistry();
    const codes = allocation.lines.map((line) => line.regionCode);
    expect(new Set(codes).size).toBe(93);
    expect(codes.filter((code) => !registry.isDirectRecipient('510000', code))).toEqual([]);
    expect(codes.filter((code) => registry.get(code)?.level === 'prefecture')).toHaveLength(21);
  });
});
