/** What auditors look for (DOMAIN.md): the ledger flags these, it never refuses them. */

export type FlagRule =
  | 'late-pass-down'
  | 'idle-balance'
  | 'settlement-variance'
  | 'headcount-mismatch'
  | 'refused-attempt'
  | 'performance-enrolment-rate'
  | 'performance-on-time-rate'
  | 'performance-minimum-standard'
  | 'performance-satisfaction';

export type FlagSeverity = 'info' | 'warning' | 'critical';

export interface Flag {
  readonly rule: FlagRule;
  /** The region the flag is about; '' for a refused attempt that named no region. */
  readonly regionCode: string;
  readonly severity: FlagSeverity;
  readonly detail: string;
  /** YYYY-MM-DD: the first day the condition held. */
  readonly since: string;
  /** The configured limit or the document's target the flag was measured against, as text. */
  readonly threshold: string;
  /** Global log positions of the events that prove the flag, ascending. */
  readonly evidence: number[];
}

export interface FlagThresholds {
  /** 滞留: money held longer than this many days without being passed down or paid. */
  readonly latePassDownDays: number;
  /** 待分余额: a balance whose oldest part is older than this many days. */
  readonly idleBalanceDays: number;
  /** A settlement's claw-back still owed this many days after the settlement. */
  readonly clawbackOpenDays: number;
  /** Used only when a 市(州)'s targets state no number for the indicator. */
  readonly enrolmentRateMinPercent: number;
  readonly onTimeRateMinPercent: number;
  /** The per-person standard when no minimum-standard target is recorded (100 元). */
  readonly minimumStandardFen: bigint;
  readonly satisfactionMinPercent: number;
}

export const defaultFlagThresholds: FlagThresholds = {
  latePassDownDays: 30,
  idleBalanceDays: 30,
  clawbackOpenDays: 90,
  enrolmentRateMinPercent: 95,
  onTimeRateMinPercent: 95,
  minimumStandardFen: 10000n,
  satisfactionMinPercent: 95,
};

/** Bounds a flag's evidence list: one late receipt may have fed thousands of payments. */
export const maxEvidencePositions = 200;

/**
 * Sorted ascending and without repeats; a longer list keeps its first positions and says so in the
 * detail, so that nothing is cut silently.
 */
export function withEvidence(detail: string, positions: Iterable<bigint>): { detail: string; evidence: number[] } {
  const unique = [...new Set([...positions].map((position) => position.toString()))]
    .map((text) => BigInt(text))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (unique.length <= maxEvidencePositions) return { detail, evidence: unique.map(Number) };
  return {
    detail: `${detail} (evidence lists the first ${maxEvidencePositions} of ${unique.length} events)`,
    evidence: unique.slice(0, maxEvidencePositions).map(Number),
  };
}

export function assertThresholds(thresholds: FlagThresholds): void {
  for (const name of ['latePassDownDays', 'idleBalanceDays', 'clawbackOpenDays'] as const) {
    const days = thresholds[name];
    if (!Number.isSafeInteger(days) || days < 0) throw new Error(`${name} must be a whole number of days, not ${days}`);
  }
  if (thresholds.minimumStandardFen <= 0n) throw new Error('minimumStandardFen must be positive');
}
