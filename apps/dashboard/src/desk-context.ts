import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { translate, type Language, type MessageKey } from './messages';
import type { MoneyUnit } from './money';
import { formatMoney } from './money';

/** What every page shares: the language, the money unit, the program-year and the as-of date. */
export interface Desk {
  readonly language: Language;
  readonly unit: MoneyUnit;
  readonly programCode: string;
  readonly fiscalYear: number;
  /** YYYY-MM-DD, or '' for the books now. */
  readonly asOf: string;
}

export const DeskContext = createContext<Desk>({ language: 'zh-CN', unit: 'yuan', programCode: '', fiscalYear: 0, asOf: '' });

export function useDesk() {
  const desk = useContext(DeskContext);
  const t = (key: MessageKey | string, values?: Record<string, string | number>) => translate(desk.language, key, values);
  const money = (amount: string) => formatMoney(amount, desk.unit);
  return { ...desk, t, money, unitLabel: t(desk.unit === 'wan' ? 'unit.wan' : 'unit.yuan') };
}
