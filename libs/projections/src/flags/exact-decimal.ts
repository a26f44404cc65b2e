/**
 * Rates and targets as exact fractions of bigints: a percentage or a per-person amount is compared
 * and printed without ever passing through a float, so 94.995% never rounds up to a met 95%.
 */
export interface Ratio {
  readonly num: bigint;
  /** Always > 0. */
  readonly den: bigint;
}

const decimalPattern = /^([0-9]+)(?:\.([0-9]+))?$/;

/** "93.5" → 935/10; null when the text is not a plain non-negative decimal. */
export function parseDecimal(text: string): Ratio | null {
  const match = decimalPattern.exec(text.trim());
  if (!match) return null;
  const fraction = match[2] ?? '';
  return { num: BigInt(match[1] + fraction), den: 10n ** BigInt(fraction.length) };
}

export function ratio(num: bigint, den: bigint): Ratio {
  if (den <= 0n) throw new Error(`a ratio needs a positive denominator, not ${den}`);
  return { num, den };
}

/** -1, 0 or 1 as a is below, equal to or above b. */
export function compareRatio(a: Ratio, b: Ratio): -1 | 0 | 1 {
  const left = a.num * b.den;
  const right = b.num * a.den;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Two fraction digits, cut (never rounded up), so that the printed figure never looks better than it is. */
export function formatRatioTwoDecimals(value: Ratio): string {
  if (value.num < 0n) throw new Error('only non-negative ratios are printed');
  const hundredths = (value.num * 100n) / value.den;
  return `${hundredths / 100n}.${(hundredths % 100n).toString().padStart(2, '0')}`;
}

/** A reported decimal as written, with at least two fraction digits: "93.5" → "93.50", "93.4567" kept. */
export function padDecimal(text: string): string {
  const match = decimalPattern.exec(text.trim());
  if (!match) return text;
  return `${match[1]}.${(match[2] ?? '').padEnd(2, '0')}`;
}

/** A configured number (a percentage such as 95 or 95.5) as a ratio; a programmer error if it is not one. */
export function ratioOfNumber(value: number, what: string): Ratio {
  const parsed = Number.isFinite(value) && value >= 0 ? parseDecimal(String(value)) : null;
  if (!parsed) throw new Error(`${what} must be a non-negative decimal number, not ${value}`);
  return parsed;
}
