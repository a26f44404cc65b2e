import {
  fenFromString,
  fenToString,
  formatWanYuan,
  formatYuan,
  formatYuanGrouped,
  MoneyFormatError,
  parseSignedYuan,
  parseWanYuan,
  parseYuan,
  sumFen,
} from '../src';

describe('money: 分 in a bigint, decimal strings at the edges', () => {
  it('parses 元 as the API writes it', () => {
    expect(parseYuan('2556600.00')).toBe(255660000n);
    expect(parseYuan('0.5')).toBe(50n);
    expect(parseYuan('0.01')).toBe(1n);
    expect(parseYuan('0')).toBe(0n);
    expect(parseYuan('99999999999999.99')).toBe(9999999999999999n);
  });

  it('refuses what the API grammar refuses', () => {
    for (const bad of ['', '-1.00', '1.001', '01.00', '1,000.00', '1e3', ' 1.00', '1.', '.5', '100000000000000.00']) {
      expect(() => parseYuan(bad)).toThrow(MoneyFormatError);
    }
    expect(() => parseYuan(100 as unknown as string)).toThrow(MoneyFormatError);
  });

  it('parses signed 元 as stored and exported', () => {
    expect(parseSignedYuan('-43400.00')).toBe(-4340000n);
    expect(parseSignedYuan('43400.00')).toBe(4340000n);
    expect(() => parseSignedYuan('--1')).toThrow(MoneyFormatError);
  });

  it('parses 万元 as notices write them, separators and full-width digits included', () => {
    expect(parseWanYuan('2,615.72')).toBe(2615720000n);
    expect(parseWanYuan('2615.72')).toBe(2615720000n);
    expect(parseWanYuan('13,500.00')).toBe(13500000000n);
    expect(parseWanYuan('71.9')).toBe(71900000n);
    expect(parseWanYuan('０.０００００１')).toBe(1n);
    expect(parseWanYuan('２，６１５．７２')).toBe(2615720000n);
    expect(parseWanYuan(' 255.66 ')).toBe(255660000n);
    expect(() => parseWanYuan('1.0000001')).toThrow(MoneyFormatError);
    expect(() => parseWanYuan('-1')).toThrow(MoneyFormatError);
  });

  it('prints 元 with exactly two fraction digits, keeping the sign', () => {
    expect(formatYuan(255660000n)).toBe('2556600.00');
    expect(formatYuan(123450n)).toBe('1234.50');
    expect(formatYuan(1n)).toBe('0.01');
    expect(formatYuan(0n)).toBe('0.00');
    expect(formatYuan(-4340000n)).toBe('-43400.00');
    expect(formatYuan(-5n)).toBe('-0.05');
  });

  it('prints 元 grouped by thousands for people', () => {
    expect(formatYuanGrouped(13500000000n)).toBe('135,000,000.00');
    expect(formatYuanGrouped(13499990000n)).toBe('134,999,900.00');
    expect(formatYuanGrouped(10000n)).toBe('100.00');
    expect(formatYuanGrouped(100000n)).toBe('1,000.00');
    expect(formatYuanGrouped(-4340000n)).toBe('-43,400.00');
  });

  it('prints 万元 with two to six fraction digits', () => {
    expect(formatWanYuan(2615720000n)).toBe('2615.72');
    expect(formatWanYuan(71900000n)).toBe('71.90');
    expect(formatWanYuan(1n)).toBe('0.000001');
    expect(formatWanYuan(-470000n)).toBe('-0.47');
  });

  it('stores 分 as a base-10 integer string and reads it back', () => {
    expect(fenToString(-4340000n)).toBe('-4340000');
    expect(fenFromString('255660000')).toBe(255660000n);
    expect(fenFromString('-4340000')).toBe(-4340000n);
    expect(fenFromString(fenToString(9007199254740993n))).toBe(9007199254740993n);
    for (const bad of ['', '1.5', '1e3', ' 1', '+1']) expect(() => fenFromString(bad)).toThrow(MoneyFormatError);
  });

  it('sums exactly beyond the float range', () => {
    expect(sumFen([9007199254740993n, 2n, -1n])).toBe(9007199254740994n);
    expect(sumFen([])).toBe(0n);
  });
});
