/**
 * Money is an integer number of 分 (fen) held in a bigint. It is parsed from and printed to decimal
 * strings only at the edges; nothing here ever touches a float.
 */
export type Fen = bigint;

export const fenPerYuan = 100n;
export const fenPerWanYuan = 1_000_000n;

/** The request grammar of API.md: no sign, at most 14 integer digits, at most 2 fraction digits. */
export const yuanPattern = /^(0|[1-9][0-9]{0,13})(\.[0-9]{1,2})?$/;

export class MoneyFormatError extends Error {
  constructor(readonly input: string, reason: string) {
    super(`"${input}" is not an amount: ${reason}`);
    this.name = 'MoneyFormatError';
  }
}

/** Parses an API amount in 元 ("2556600.00", "0.5") into 分. */
export function parseYuan(input: string): Fen {
  if (typeof input !== 'string' || !yuanPattern.test(input)) {
    throw new MoneyFormatError(String(input), 'expected a decimal string in yuan with at most two fraction digits');
  }
  return parseScaled(input, 2);
}

/** Parses a signed amount in 元 as stored or exported ("-43400.00"). */
export function parseSignedYuan(input: string): Fen {
  const negative = input.startsWith('-');
  const fen = parseYuan(negative ? input.slice(1) : input);
  return negative ? -fen : fen;
}

/**
 * Parses an amount in 万元 as notices write it: thousands separators allowed ("2,615.72"), full-width
 * digits and separators normalised, up to six fraction digits (1 万元 = 1,000,000 分).
 */
export function parseWanYuan(input: string): Fen {
  const normalised = toHalfWidth(input).trim().replace(/,/g, '');
  if (!/^(0|[1-9][0-9]{0,9})(\.[0-9]{1,6})?$/.test(normalised)) {
    throw new MoneyFormatError(input, 'expected an amount in 万元 such as 2,615.72');
  }
  return parseScaled(normalised, 6);
}

/** Prints 分 as 元 with exactly two fraction digits; negative amounts keep their sign. */
export function formatYuan(fen: Fen): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const whole = abs / fenPerYuan;
  const cents = abs % fenPerYuan;
  return `${negative ? '-' : ''}${whole}.${cents.toString().padStart(2, '0')}`;
}

/** Prints 分 as 元 with thousands separators, for people: "135,000,000.00". */
export function formatYuanGrouped(fen: Fen): string {
  const plain = formatYuan(fen);
  const [whole, fraction] = plain.split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const digits = sign ? whole.slice(1) : whole;
  return `${sign}${digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction}`;
}

/** Prints 分 as 万元 with two to six fraction digits: 26157200.00 元 → "2615.72". */
export function formatWanYuan(fen: Fen): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const whole = abs / fenPerWanYuan;
  let fraction = (abs % fenPerWanYuan).toString().padStart(6, '0').replace(/0+$/, '');
  if (fraction.length < 2) fraction = fraction.padEnd(2, '0');
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/** Serialises 分 for events and read models: a base-10 integer string. */
export function fenToString(fen: Fen): string {
  return fen.toString();
}

export function fenFromString(stored: string): Fen {
  if (!/^-?[0-9]+$/.test(stored)) throw new MoneyFormatError(stored, 'expected an integer number of fen');
  return BigInt(stored);
}

export function sumFen(amounts: Iterable<Fen>): Fen {
  let total = 0n;
  for (const amount of amounts) total += amount;
  return total;
}

/**
 * Reads a decimal with `scale` fraction digits as an integer count of its smallest unit. Both scales
 * used here land on 分: 元 with 2 digits, and 万元 with 6 digits (1 万元 = 1,000,000 分).
 */
function parseScaled(normalised: string, scale: 2 | 6): Fen {
  const [whole, fraction = ''] = normalised.split('.');
  return BigInt(whole) * 10n ** BigInt(scale) + BigInt(fraction.padEnd(scale, '0'));
}

function toHalfWidth(text: string): string {
  return text
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/，/g, ',')
    .replace(/．/g, '.');
}
