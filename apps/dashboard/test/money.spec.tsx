import fc from 'fast-check';
import { formatPerMille, formatWanYuan, formatYuan, perMille } from '../src/money';

describe('money as the desk prints it: formatting of the API strings only', () => {
  it('元 with thousands separators', () => {
    expect(formatYuan('135000000.00')).toBe('135,000,000.00');
    expect(formatYuan('0.00')).toBe('0.00');
    expect(formatYuan('999.99')).toBe('999.99');
    expect(formatYuan('-43400.00')).toBe('-43,400.00');
  });

  it('万元 by moving the point four places: exact, at least two decimals', () => {
    expect(formatWanYuan('135000000.00')).toBe('13,500.00');
    expect(formatWanYuan('2556600.00')).toBe('255.66');
    expect(formatWanYuan('43400.55')).toBe('4.340055');
    expect(formatWanYuan('0.01')).toBe('0.000001');
    expect(formatWanYuan('0.00')).toBe('0.00');
    expect(formatWanYuan('-1000.00')).toBe('-0.10');
  });

  it('the 万元 text is the same 分 for every amount the API can send', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 16n), max: 10n ** 16n }), (fen) => {
        const negative = fen < 0n;
        const digits = (negative ? -fen : fen).toString().padStart(3, '0');
        const yuan = `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
        const wan = formatWanYuan(yuan).replace(/,/g, '');
        const [whole, fraction] = wan.replace('-', '').split('.');
        const back = BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, '0'));
        expect(negative && fen !== 0n ? -back : back).toBe(fen);
        expect(formatYuan(yuan).replace(/,/g, '')).toBe(yuan);
      }),
    );
  });

  it('progress in per mille by integer arithmetic, capped at 100%', () => {
    expect(perMille('25000.00', '135000000.00')).toBe(0);
    expect(perMille('67500000.00', '135000000.00')).toBe(500);
    expect(perMille('1.00', '0.00')).toBe(0);
    expect(formatPerMille(1000)).toBe('100.0%');
    expect(formatPerMille(185)).toBe('18.5%');
  });
});
