import type { PerformanceIndicator } from '@earmark/domain';
import { performanceFindings } from '../performance/compute-performance';
import { withEvidence, type Finding, type FlagRule } from './flag.types';
import type { RuleContext } from './flag-rule';

const ruleOfIndicator: Partial<Record<PerformanceIndicator, FlagRule>> = {
  'enrolment-rate': 'performance-enrolment-rate',
  'on-time-pass-down-rate': 'performance-on-time-rate',
  'minimum-standard': 'performance-minimum-standard',
  satisfaction: 'performance-satisfaction',
};

/**
 * A 市(州) whose actual misses its Annex 2 target, for the indicators DOMAIN.md names. One flag per
 * indicator and 市(州), so its evidence needs no anchor: it is plainly ascending.
 */
export function performanceFlags({ audit, registry, thresholds, asOf }: RuleContext): Finding[] {
  const flags: Finding[] = [];
  // The on-time rate is an annual target, assessed once the year is over; during the year the
  // same money held too long is already a late-pass-down finding, and one finding is one flag.
  const yearOver = audit.fiscalYear !== null && asOf > `${audit.fiscalYear}-12-31`;
  for (const finding of performanceFindings(audit, registry, thresholds, asOf)) {
    const rule = ruleOfIndicator[finding.indicator];
    if (!rule || finding.met !== false) continue;
    if (finding.indicator === 'on-time-pass-down-rate' && !yearOver) continue;
    flags.push({
      rule,
      subject: 'targets',
      regionCode: finding.regionCode,
      severity: 'warning',
      since: finding.since ?? asOf,
      threshold: finding.threshold,
      ...withEvidence(
        finding.explanation ?? `${finding.indicator} ${finding.actual ?? 'unknown'}; target ${finding.threshold}`,
        null,
        finding.evidence,
      ),
    });
  }
  return flags;
}
