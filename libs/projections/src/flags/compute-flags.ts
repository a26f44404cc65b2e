import type { RegionRegistry } from '@earmark/domain';
import type { RecordedEvent } from '@earmark/event-store';
import { requireDate } from './calendar';
import { assertThresholds, type Flag, type FlagThresholds } from './flag.types';
import type { FlagRuleCheck } from './flag-rule';
import { replayFund } from './fund-audit-replay';
import { headcountMismatchFlags } from './headcount-mismatch.rule';
import { latePassDownFlags } from './late-pass-down.rule';
import { latePaymentFlags } from './late-payment.rule';
import { performanceFlags } from './performance.rule';
import { refusedAttemptFlags } from './refused-attempt.rule';
import { settlementVarianceFlags } from './settlement-variance.rule';
import { spendingPaceFlags } from './spending-pace.rule';

export interface FlagInput {
  /** The fund's stream (`fund-<program>-<year>`). */
  readonly fundEvents: readonly RecordedEvent[];
  /** The fund's refusals (`refusals-<program>-<year>`). */
  readonly refusalEvents: readonly RecordedEvent[];
  readonly registry: RegionRegistry;
  /** YYYY-MM-DD: the flags as they stood at the end of that day; later events are left out. */
  readonly asOf: string;
  readonly thresholds: FlagThresholds;
}

const rules: readonly FlagRuleCheck[] = [
  latePassDownFlags,
  spendingPaceFlags,
  latePaymentFlags,
  settlementVarianceFlags,
  headcountMismatchFlags,
  refusedAttemptFlags,
  performanceFlags,
];

/**
 * Pure: the same events, day and thresholds always give the same flags, in the same order (rule,
 * region, since, anchor), whatever order the events arrive in. Rule, region, since and the anchor
 * (the first evidence position) name one finding.
 */
export function computeFlags(input: FlagInput): Flag[] {
  assertThresholds(input.thresholds);
  // Rejects a malformed day before any rule compares dates as text.
  requireDate(input.asOf);
  const context = {
    audit: replayFund(input.fundEvents, input.asOf),
    refusalEvents: [...input.refusalEvents].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0)),
    registry: input.registry,
    asOf: input.asOf,
    thresholds: input.thresholds,
  };
  return rules.flatMap((rule) => rule(context)).sort(flagOrder);
}

function flagOrder(a: Flag, b: Flag): number {
  return (
    compareText(a.rule, b.rule) ||
    compareText(a.regionCode, b.regionCode) ||
    compareText(a.since, b.since) ||
    (a.evidence[0] ?? 0) - (b.evidence[0] ?? 0) ||
    compareText(a.detail, b.detail)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
