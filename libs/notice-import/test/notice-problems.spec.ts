import { NoticeImportError, parseAllocationNotice } from '@earmark/notice-import';
import { importErrorOf, parseSeed, seedNotice, seedRegistry, withLines } from './seed-notice.fixture';

describe('a notice with problems is refused whole, with every problem listed', () => {
  it('collects every problem in document order and returns nothing', () => {
    const text = withLines(seedNotice, {
      42: ['富顺县\t160.00\t', '成都县\t160.00\t'],
      47: ['泸县\t66.47\t', '荣县\t66.47\t'],
      169: ['资金情况 （万元）\t\t年度金额：\t\t142.19', '资金情况 （万元）\t\t年度金额：\t\t142.2'],
    });
    const error = importErrorOf(() => parseSeed(text));
    expect(error).toBeInstanceOf(NoticeImportError);
    expect(error.problems.map((problem) => problem.line)).toEqual([42, 47, 169]);
    expect(error.problems.map((problem) => problem.message)).toEqual([
      'unknown region "成都县" on line 42',
      'unknown region "荣县" on line 47 under 泸州市 (a region of that name is under 自贡市)',
      'Annex 2 table for 自贡市 (line 161) gives 年度金额 1,422,000.00 元 on line 169, but its Annex 1 line 40 gives 1,421,900.00 元: differs by 100.00 元',
    ]);
    expect(error.message).toBe(
      'the notice cannot be imported: 3 problems\n' + error.problems.map((problem) => `- ${problem.message}`).join('\n'),
    );
  });

  it('refuses a programCode the API would refuse', () => {
    const error = importErrorOf(() => parseAllocationNotice(seedNotice, seedRegistry(), { programCode: 'Pension Subsidy' }));
    expect(error.problems).toEqual([{ line: 0, message: 'programCode "Pension Subsidy" must match ^[a-z0-9][a-z0-9-]{1,63}$' }]);
  });

  it('refuses a notice without a document number, a date or subjects', () => {
    const text = withLines(seedNotice, {
      5: ['川财社〔2024〕2号', ''],
      11: [
        '一、该项资金，请按照《2024 年政府收支分类科目》，收入列入“1100299—其他一般性转移支付收入”，支出列入“2083001—财政代缴城乡居民基本养老保险费支出”科目。',
        '一、该项资金，请按照《2024 年政府收支分类科目》列支。',
      ],
      28: ['2024年1月18日', ''],
    });
    expect(importErrorOf(() => parseSeed(text)).problems).toEqual([
      { line: 0, message: 'the notice has no document number (文号) line such as 川财社〔2024〕2号' },
      { line: 0, message: 'the notice has no date line (such as 2024年1月18日)' },
      { line: 0, message: 'the notice names no income subject (收入列入“…”)' },
      { line: 0, message: 'the notice names no expenditure subject (支出列入“…”)' },
    ]);
  });

  it('reads the subjects from the text rather than assuming them', () => {
    const text = withLines(seedNotice, {
      11: [
        '一、该项资金，请按照《2024 年政府收支分类科目》，收入列入“1100299—其他一般性转移支付收入”，支出列入“2083001—财政代缴城乡居民基本养老保险费支出”科目。',
        '一、该项资金，请按照《2024 年政府收支分类科目》，收入列入"1100208—结算补助收入"，支出列入"2080505—机关事业单位基本养老保险缴费支出"科目。',
      ],
    });
    const { incomeSubject, expenditureSubject } = parseSeed(text).allocation;
    expect([incomeSubject, expenditureSubject]).toEqual(['1100208', '2080505']);
  });

  it('refuses a date that is not on the calendar', () => {
    const text = withLines(seedNotice, { 28: ['2024年1月18日', '2024年2月30日'] });
    expect(importErrorOf(() => parseSeed(text)).problems).toEqual([
      { line: 28, message: 'date "2024年2月30日" on line 28 is not a calendar date' },
    ]);
  });
});
