/**
 * Formatting of the API's money, which is always a decimal string in 元 with two fraction digits.
 * Nothing here adds or divides: the 万元 view moves the decimal point four places in the string.
 */
const moneyPattern = /^(-?)([0-9]+)\.([0-9]{2})$/;

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "135000000.00" → "135,000,000.00". A string the API would never send is shown unchanged. */
export function formatYuan(amount: string): string {
  const match = moneyPattern.exec(amount);
  if (!match) return amount;
  const [, sign, whole, fraction] = match;
  return `${sign}${groupThousands(whole)}.${fraction}`;
}

/**
 * "135000000.00" → "13,500.00"; "43400.55" → "4.340055": the same amount in 万元, exact, with at
 * least two fraction digits and no trailing zeros beyond them.
 */
export function formatWanYuan(amount: string): string {
  const match = moneyPattern.exec(amount);
  if (!match) return amount;
  const [, sign, whole, fraction] = match;
  const fen = `${whole}${fraction}`.replace(/^0+(?=\d)/, '').padStart(7, '0');
  const wanWhole = fen.slice(0, -6);
  let wanFraction = fen.slice(-6);
  while (wanFraction.length > 2 && wanFraction.endsWith('0')) wanFraction = wanFraction.slice(0, -1);
  const negative = sign === '-' && /[1-9]/.test(fen);
  return `${negative ? '-' : ''}${groupThousands(wanWhole)}.${wanFraction}`;
}

export type MoneyUnit = 'yuan' | 'wan';

export function formatMoney(amount: string, unit: MoneyUnit): string {
  return unit === 'wan' ? formatWanYuan(amount) : formatYuan(amount);
}

/** Persons and counts: "26000" → "26,000". */
export function formatCount(count: number): string {
  return groupThousands(String(count));
}

/**
 * The share `part / whole` in whole per mille for a progress bar, from the decimal strings, by
 * integer arithmetic on 分 (BigInt): never a float, and 0 when nothing was allocated.
 */
export function perMille(part: string, whole: string): number {
  const fen = (amount: string) => {
    const match = moneyPattern.exec(amount);
    return match ? BigInt(`${match[1]}${match[2]}${match[3]}`) : 0n;
  };
  const wholeFen = fen(whole);
  if (wholeFen <= 0n) return 0;
  const share = (fen(part) * 1000n) / wholeFen;
  return Number(share < 0n ? 0n : share > 1000n ? 1000n : share);
}

/** 1000 per mille → "100.0%". */
export function formatPerMille(value: number): string {
  return `${Math.trunc(value / 10)}.${value % 10}%`;
}
