import { parseDecimal, compareRatio, type Ratio } from '../flags/exact-decimal';

/**
 * Annex 2 writes its targets as text ("≥95%", "100元", "按照政策规定应缴尽缴", "长期"). The ledger keeps
 * the text and reads the number out of it to judge an actual; text without a number judges nothing.
 */

export type Comparator = '≥' | '>' | '≤' | '<' | '=';
export type TargetUnit = '%' | '元' | null;

export interface ParsedTarget {
  readonly comparator: Comparator;
  readonly value: Ratio;
  readonly unit: TargetUnit;
}

const comparatorWords: readonly [string, Comparator][] = [
  ['≥', '≥'],
  ['≤', '≤'],
  ['>', '>'],
  ['<', '<'],
  ['=', '='],
  ['不低于', '≥'],
  ['不少于', '≥'],
  ['不小于', '≥'],
  ['达到', '≥'],
  ['不高于', '≤'],
  ['不超过', '≤'],
  ['不大于', '≤'],
];

const targetPattern = /(≥|≤|>|<|=|不低于|不少于|不小于|达到|不高于|不超过|不大于)?\s*([0-9]+(?:\.[0-9]+)?)\s*(%|元)?/g;

function normalise(text: string): string {
  return text
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/．/g, '.')
    .replace(/％/g, '%')
    .replace(/＞＝|>=|≧/g, '≥')
    .replace(/＜＝|<=|≦/g, '≤')
    .replace(/＞/g, '>')
    .replace(/＜/g, '<')
    .replace(/＝/g, '=');
}

/** A target with no comparator is a floor: Annex 2's "100元" means at least 100 元. */
export function parseTargetValue(text: string): ParsedTarget | null {
  const matches = [...normalise(text).matchAll(targetPattern)];
  // "2024年度≥95%": the number with a comparator or a unit is the target, not the year.
  const match = matches.find((candidate) => candidate[1] !== undefined || candidate[3] !== undefined) ?? matches[0];
  if (!match) return null;
  const value = parseDecimal(match[2]);
  if (!value) return null;
  const comparator = comparatorWords.find(([word]) => word === match[1])?.[1] ?? '≥';
  return { comparator, value, unit: (match[3] as TargetUnit | undefined) ?? null };
}

export function meetsTarget(actual: Ratio, target: ParsedTarget): boolean {
  const order = compareRatio(actual, target.value);
  switch (target.comparator) {
    case '≥':
      return order >= 0;
    case '>':
      return order > 0;
    case '≤':
      return order <= 0;
    case '<':
      return order < 0;
    case '=':
      return order === 0;
  }
}
