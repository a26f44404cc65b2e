import type { RegionRegistry } from '@earmark/domain';
import type { RecordedEvent } from '@earmark/event-store';
import { requireDate } from './calendar';
import { assertThresholds, flagId, type Finding, type Flag, type FlagThresholds, type IdentifiedFlag } from './flag.types';
import type { FlagRuleCheck } from './flag-rule';
import { replayFund, type FundAudit } from './fund-audit-replay';
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

/** What the rules are judged on: the fund folded up to the day, and its refusals. */
export interface FlagEvaluation {
  readonly audit: FundAudit;
  /** In log order; each rule leaves out those attempted after `asOf`. */
  readonly refusalEvents: readonly RecordedEvent[];
  readonly registry: RegionRegistry;
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

/** The rules a judge takes per group of regions: all but the refusals', judged apart. */
const fundRules = rules.filter((rule) => rule !== refusedAttemptFlags);

/**
 * Pure: the same events, day and thresholds always give the same flags, in the same order (rule,
 * region, since, anchor), whatever order the events arrive in. Rule, region, since and the anchor
 * (the first evidence position) name one finding.
 */
export function computeFlags(input: FlagInput): Flag[] {
  return findFlags(replayInput(input)).map(withoutSubject);
}

/** The same flags, each with its stable id (`flagId`). */
export function computeIdentifiedFlags(input: FlagInput): IdentifiedFlag[] {
  return identify(findFlags(replayInput(input)));
}

/**
 * The rules judged on a fund already folded: for a fold that holds every event effective by
 * `asOf` and none after it, the same flags as `computeIdentifiedFlags` over those events.
 */
export function evaluateFlags(evaluation: FlagEvaluation): IdentifiedFlag[] {
  return identify(findFlags(evaluation));
}

function replayInput(input: FlagInput): FlagEvaluation {
  assertThresholds(input.thresholds);
  // Rejects a malformed day before the replay compares dates as text.
  requireDate(input.asOf);
  return {
    audit: replayFund(input.fundEvents, input.asOf),
    refusalEvents: [...input.refusalEvents].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0)),
    registry: input.registry,
    asOf: input.asOf,
    thresholds: input.thresholds,
  };
}

function findFlags(evaluation: FlagEvaluation): Finding[] {
  assertThresholds(evaluation.thresholds);
  requireDate(evaluation.asOf);
  return rules.flatMap((rule) => rule(evaluation)).sort(flagOrder);
}

/**
 * The flags of every rule but the refusals', in the list's order with their ids: for a part of a
 * fund (`FundJudge` judges one group of regions at a time), the flags `evaluateFlags` gives about
 * those regions. Ids are made within the part, which holds every flag of its regions.
 */
export function evaluateFundRules(evaluation: Omit<FlagEvaluation, 'refusalEvents'>): IdentifiedFlag[] {
  assertThresholds(evaluation.thresholds);
  requireDate(evaluation.asOf);
  const context = { ...evaluation, refusalEvents: [] };
  return identify(fundRules.flatMap((rule) => rule(context)).sort(flagOrder));
}

/**
 * The refused attempts' findings, unordered: each depends on its refusal and the day alone, so that
 * a judge finds those of new refusals only and lays each out with `identifyRun`.
 */
export function findRefusals(evaluation: FlagEvaluation): Finding[] {
  assertThresholds(evaluation.thresholds);
  requireDate(evaluation.asOf);
  return refusedAttemptFlags(evaluation);
}

/**
 * The findings of one rule about one region, all of them, in the list's order with their ids: the
 * run `evaluateFlags` gives for them.
 */
export function identifyRun(findings: readonly Finding[]): IdentifiedFlag[] {
  return identify([...findings].sort(flagOrder));
}

function withoutSubject({ subject: _subject, ...flag }: Finding): Flag {
  return flag;
}

/**
 * Each finding's flag as it was last identified. Rules hand back the same finding object for what
 * has not changed (a payment judged once per standard), and a fund of a hundred thousand flags is
 * identified again after each of its events: copying every finding each time made most of that
 * work and of its garbage. Flags are never changed once made, so one made before is as good as new
 * when its id is the same. Held weakly: it goes with the finding.
 */
const identified = new WeakMap<Finding, { readonly base: string; readonly flag: IdentifiedFlag }>();

/** Ids in list order; a repeat (two lines of one document to one region) gets `.2`, `.3`, … */
function identify(findings: readonly Finding[]): IdentifiedFlag[] {
  const seen = new Map<string, number>();
  return findings.map((finding) => {
    const kept = identified.get(finding);
    // The same string each time: a map hashes a string once.
    const base = kept?.base ?? flagId(finding.rule, finding.regionCode, finding.subject);
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    const id = count === 1 ? base : `${base}.${count}`;
    if (kept !== undefined && kept.flag.id === id) return kept.flag;
    const flag: IdentifiedFlag = { id, ...withoutSubject(finding) };
    identified.set(finding, { base, flag });
    return flag;
  });
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

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
