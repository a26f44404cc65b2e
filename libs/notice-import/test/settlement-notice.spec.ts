import { importErrorOf, parseSeed, seedNotice, withLines } from './seed-notice.fixture';

const seedTitleLine = '四川省财政厅 四川省人力资源和社会保障厅 关于预拨 2024 年困难群体养老保险个人缴费 省级财政代缴资金的通知';

function withTitleWord(word: string): string {
  return withLines(seedNotice, { 3: [seedTitleLine, seedTitleLine.replace('预拨', word)] });
}

describe('a settlement notice is refused, not read as a pre-allocation', () => {
  it('refuses a 清算 title, naming its line', () => {
    expect(importErrorOf(() => parseSeed(withTitleWord('清算'))).problems).toEqual([
      {
        line: 3,
        message:
          'the title on line 3 announces a settlement (清算): settlement notices are not pre-allocations, ' +
          'and this importer does not read them yet; only pre-allocation (预拨) and top-up (补拨) notices are imported',
      },
    ]);
  });

  it('refuses a 结算 title, naming its line', () => {
    expect(importErrorOf(() => parseSeed(withTitleWord('结算'))).problems).toEqual([
      {
        line: 3,
        message:
          'the title on line 3 announces a settlement (结算): settlement notices are not pre-allocations, ' +
          'and this importer does not read them yet; only pre-allocation (预拨) and top-up (补拨) notices are imported',
      },
    ]);
  });

  it('still reads a 补拨 title as a top-up, even when it names the settlement it follows', () => {
    expect(parseSeed(withTitleWord('清算补拨')).allocation.kind).toBe('top-up');
  });
});
