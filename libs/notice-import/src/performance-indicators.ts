import type { PerformanceIndicator } from '@earmark/domain';
import { labelOf } from './notice-text';

interface IndicatorRule {
  readonly indicator: PerformanceIndicator;
  readonly level3: RegExp;
  /** Where the 绩效指标 framework files the indicator; used only to spot a misaligned table. */
  readonly level2: string;
}

/**
 * Indicators are recognised by their 三级指标 text because the 二级指标 column cannot be trusted:
 * in 20 of the seed's 21 tables it is shifted by one row.
 */
const rules: readonly IndicatorRule[] = [
  { indicator: 'persons-covered', level3: /代缴.*人数$/, level2: '数量指标' },
  { indicator: 'enrolment-rate', level3: /参保率$/, level2: '质量指标' },
  { indicator: 'on-time-pass-down-rate', level3: /下达率$/, level2: '时效指标' },
  { indicator: 'minimum-standard', level3: /最低标准$/, level2: '成本指标' },
  { indicator: 'effect', level3: /促进作用$/, level2: '社会效益指标' },
  { indicator: 'satisfaction', level3: /满意度$/, level2: '满意度指标' },
];

export function indicatorOf(level3: string): PerformanceIndicator | null {
  const label = labelOf(level3);
  return rules.find((rule) => rule.level3.test(label))?.indicator ?? null;
}

export function expectedLevel2Of(indicator: PerformanceIndicator): string {
  const rule = rules.find((candidate) => candidate.indicator === indicator);
  if (!rule) throw new Error(`no rule for indicator ${indicator}`);
  return rule.level2;
}
