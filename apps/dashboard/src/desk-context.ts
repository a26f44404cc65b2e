import { createContext } from 'preact';
import type { ProgramSummary, SessionKey } from './api';
import { useContext } from 'preact/hooks';
import { translate, type Language, type MessageKey } from './messages';
import type { MoneyUnit } from './money';
import { formatMoney } from './money';

/**
 * What every page shares: the language, the money unit, the program-year and the as-of date, and
 * what the key reads: the whole province's totals, documents and audit log, or only the regions
 * it covers.
 */
export interface Desk {
  readonly language: Language;
  readonly unit: MoneyUnit;
  readonly programCode: string;
  readonly fiscalYear: number;
  /** YYYY-MM-DD, or '' for the books now. */
  readonly asOf: string;
  /** The key's role and the regions it lists (GET /v1/session); null before it is known. */
  readonly key: SessionKey | null;
  /**
   * The key covers the province (it lists it, or `*`): it reads the program-year's totals, its
   * documents and, as an auditor, the audit log. Any other key reads the regions it covers only.
   */
  readonly coversProvince: boolean;
  /** The chosen program-year's row of GET /v1/programs. */
  readonly summary: ProgramSummary | null;
}

export const DeskContext = createContext<Desk>({
  language: 'zh-CN',
  unit: 'yuan',
  programCode: '',
  fiscalYear: 0,
  asOf: '',
  key: null,
  coversProvince: true,
  summary: null,
});

export function useDesk() {
  const desk = useContext(DeskContext);
  const t = (key: MessageKey | string, values?: Record<string, string | number>) => translate(desk.language, key, values);
  const money = (amount: string) => formatMoney(amount, desk.unit);
  return { ...desk, t, money, unitLabel: t(desk.unit === 'wan' ? 'unit.wan' : 'unit.yuan') };
}
