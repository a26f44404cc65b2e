import { importErrorOf, parseSeed, seedNotice, seedRegistry, withLines } from './seed-notice.fixture';

describe('Annex 1 names resolve to regions', () => {
  it('refuses an unknown name, naming it and its line', () => {
    const text = withLines(seedNotice, { 42: ['富顺县\t160.00\t', '成都县\t160.00\t'] });
    const error = importErrorOf(() => parseSeed(text));
    expect(error.problems).toEqual([{ line: 42, message: 'unknown region "成都县" on line 42' }]);
    expect(error.message).toContain('unknown region "成都县" on line 42');
  });

  it('resolves a county within the 市(州) above it, and says where a misplaced one belongs', () => {
    const text = withLines(seedNotice, { 42: ['富顺县\t160.00\t', '米易县\t160.00\t'] });
    expect(importErrorOf(() => parseSeed(text)).problems).toEqual([
      { line: 42, message: 'unknown region "米易县" on line 42 under 自贡市 (a region of that name is under 攀枝花市)' },
    ]);
  });

  it('tells the two 市中区 apart by the 市 row above them', () => {
    // The 2024 notice pays neither 市中区 directly; a registry that did shows which one each row means.
    const registry = seedRegistry((region) => (region.name === '市中区' ? { ...region, directFromProvince: true } : region));
    const text = withLines(seedNotice, {
      73: ['威远县\t44.76\t', '市中区\t44.76\t'],
      77: ['犍为县\t55.62\t', '市中区\t55.62\t'],
    });
    const codes = parseSeed(text, registry).allocation.lines.map((line) => line.regionCode);
    expect(codes.slice(33, 39)).toEqual(['511000', '511002', '511025', '511083', '511100', '511102']);
  });

  it('refuses a region the province does not pay directly', () => {
    const text = withLines(seedNotice, { 77: ['犍为县\t55.62\t', '市中区\t55.62\t'] });
    expect(importErrorOf(() => parseSeed(text)).problems).toEqual([
      { line: 77, message: '市中区 (511102) on line 77 is not paid directly by 四川省' },
    ]);
  });

  it('refuses a region listed twice', () => {
    const text = withLines(seedNotice, { 42: ['富顺县\t160.00\t', '荣县\t160.00\t'] });
    expect(importErrorOf(() => parseSeed(text)).problems).toEqual([
      { line: 42, message: 'region 荣县 (510321) is listed twice: on line 41 and on line 42' },
    ]);
  });

  it('reads a header with spaces inside its labels wherever a page repeats it', () => {
    const text = withLines(seedNotice, { 37: ['地区\t金额\t备注', '地 区\t金　额\t备 注'] });
    expect(parseSeed(text).summary.lines).toBe(93);
  });
});
