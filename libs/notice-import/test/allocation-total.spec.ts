import { importErrorOf, parseSeed, seedNotice, withLines } from './seed-notice.fixture';

describe('the lines must sum to 全省合计 to the 分', () => {
  it('refuses a line 0.01 万元 short, naming the 100.00 元 difference', () => {
    const text = withLines(seedNotice, { 41: ['荣县\t125.76\t', '荣县\t125.75\t'] });
    const error = importErrorOf(() => parseSeed(text));
    expect(error.problems).toEqual([
      { line: 38, message: 'lines sum to 134,999,900.00 元, 全省合计 on line 38 says 135,000,000.00 元: differs by 100.00 元' },
    ]);
    expect(error.message).toContain('differs by 100.00 元');
  });

  it('shows the difference as an amount whichever side is larger', () => {
    const text = withLines(seedNotice, { 38: ['全省合计\t13,500.00\t', '全省合计\t13,500.01\t'] });
    expect(importErrorOf(() => parseSeed(text)).problems).toEqual([
      { line: 38, message: 'lines sum to 135,000,000.00 元, 全省合计 on line 38 says 135,000,100.00 元: differs by 100.00 元' },
    ]);
  });

  it('refuses a notice whose Annex 1 has no 全省合计 row', () => {
    const text = withLines(seedNotice, { 38: ['全省合计\t13,500.00\t', ''] });
    expect(importErrorOf(() => parseSeed(text)).problems).toEqual([{ line: 30, message: 'Annex 1 (line 30) has no 全省合计 row' }]);
  });

  it('refuses an amount that is not a number of 万元', () => {
    const text = withLines(seedNotice, { 41: ['荣县\t125.76\t', '荣县\t125.7.6\t'] });
    expect(importErrorOf(() => parseSeed(text)).problems).toEqual([
      { line: 41, message: 'amount "125.7.6" for "荣县" on line 41 is not an amount in 万元' },
    ]);
  });

  it('reads full-width digits and separators as the same amount', () => {
    const text = withLines(seedNotice, { 38: ['全省合计\t13,500.00\t', '全省合计\t１３，５００．００\t'] });
    expect(parseSeed(text).summary.totalFen).toBe(13_500_000_000n);
  });
});
