/** What auditors look for (DOMAIN.md): the ledger flags these, it never refuses them. */

export type FlagRule =
  | 'late-pass-down'
  | 'spending-pace'
  | 'late-payment'
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
  /**
   * Global log positions of the events that prove the flag. The first is the flag's anchor, the
   * event the finding is about (docs/flags.md names it per rule), so that rule, region, since and
   * anchor together name one finding; the others follow in ascending order.
   */
  readonly evidence: number[];
}

/**
 * A flag as a rule finds it, with what it is about: the receipt, payment, event, refusal or
 * settlement step the finding concerns, or `account` / `targets` for a finding about the region as
 * a whole. Rule, region and subject name one finding for as long as it holds, whatever its
 * `since`, figures or evidence become: they make its id.
 */
export interface Finding extends Flag {
  readonly subject: string;
}

/** A flag with its stable id, as the HTTP answer and the flag workflow name it. */
export interface IdentifiedFlag extends Flag {
  readonly id: string;
}

/**
 * `rule:region:subject`, e.g. `late-pass-down:510100:lot-1`, `settlement-variance:510100:stranded`,
 * `refused-attempt:-:refusal-24` (a refusal that named no region). Positions in it are global log
 * positions, which never change, so the id survives restarts and rebuilds.
 */
export function flagId(rule: FlagRule, regionCode: string, subject: string): string {
  // A refusal may name whatever region a caller sent; its position alone already names it.
  return `${rule}:${/^[0-9]{6}$/.test(regionCode) ? regionCode : '-'}:${subject}`;
}

/** The shape of an id `flagId` writes, for checking a cursor at the edge. */
export const flagIdPattern = /^[a-z-]+:(-|[0-9]{6}):[a-z0-9-]+(\.[0-9]+)?$/;

/** What an id names: its rule, its region ('' for `-`), and its subject, a repeat's `.N` left off. */
export interface FlagIdParts {
  readonly rule: string;
  readonly regionCode: string;
  readonly subject: string;
  /** The log position the subject names (`payment-`, `lot-`, `event-`, `refusal-`); null for a subject about a region's account as a whole. */
  readonly position: bigint | null;
}

/** The parts of an id of `flagId`'s shape; null for anything else. */
export function parseFlagId(id: string): FlagIdParts | null {
  if (!flagIdPattern.test(id)) return null;
  const [rule = '', region = '', subject = ''] = id.replace(/\.[0-9]+$/, '').split(':');
  const positional = /^(?:payment|lot|event|refusal)-([1-9][0-9]{0,15})$/.exec(subject);
  return { rule, regionCode: region === '-' ? '' : region, subject, position: positional ? BigInt(positional[1]) : null };
}

export interface FlagThresholds {
  /** 滞留: days a 市(州) may hold money it received before passing it down or paying it out. */
  readonly latePassDownDays: number;
  /** Days after a settlement by which its top-up should have been sent or its claw-back returned. */
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
  clawbackOpenDays: 90,
  enrolmentRateMinPercent: 95,
  onTimeRateMinPercent: 95,
  minimumStandardFen: 10000n,
  satisfactionMinPercent: 95,
};

/** Bounds a flag's evidence list: one late receipt may have fed thousands of payments. */
export const maxEvidencePositions = 200;

/**
 * The anchor first, then the other positions ascending and without repeats. A longer list keeps
 * its first positions and says so in the detail, so that nothing is cut silently. Without an
 * anchor the list is plainly ascending.
 */
export function withEvidence(
  detail: string,
  anchor: bigint | null,
  positions: Iterable<bigint>,
): { detail: string; evidence: number[] } {
  const others = [...new Set([...positions].filter((position) => position !== anchor))].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const all = anchor === null ? others : [anchor, ...others];
  if (all.length <= maxEvidencePositions) return { detail, evidence: all.map(Number) };
  return {
    detail: `${detail} (evidence lists the first ${maxEvidencePositions} of ${all.length} events)`,
    evidence: all.slice(0, maxEvidencePositions).map(Number),
  };
}

export function assertThresholds(thresholds: FlagThresholds): void {
  for (const name of ['latePassDownDays', 'clawbackOpenDays'] as const) {
    const days = thresholds[name];
    if (!Number.isSafeInteger(days) || days < 0) throw new Error(`${name} must be a whole number of days, not ${days}`);
  }
  if (thresholds.minimumStandardFen <= 0n) throw new Error('minimumStandardFen must be positive');
}
