import { formatYuan, type PerformanceIndicator, type PerformanceTarget, type RegionRegistry } from '@earmark/domain';
import type { RecordedEvent } from '@earmark/event-store';
import { addDays } from '../flags/calendar';
import { compareRatio, formatRatioTwoDecimals, padDecimal, parseDecimal, ratio, ratioOfNumber, type Ratio } from '../flags/exact-decimal';
import type { FlagThresholds } from '../flags/flag.types';
import { replayFund, type ActualFact, type FundAudit, type Outflow, type ReceiptLot, type TargetsFact } from '../flags/fund-audit-replay';
import { meetsTarget, parseTargetValue, type ParsedTarget } from './target-values';

/** One indicator of one 市(州)'s Annex 2 targets, with what the ledger knows of the actual. */
export interface PerformanceRow {
  /** A 市(州): its 扩权县 and districts count under it. */
  readonly regionCode: string;
  readonly indicator: PerformanceIndicator;
  /** As the document writes it: "≥95%", "100元", "按照政策规定应缴尽缴". */
  readonly target: string;
  /** A decimal string (percent, 元 or persons), or null when nothing is known yet. */
  readonly actual: string | null;
  /** null when the target states no number or the actual is unknown. */
  readonly met: boolean | null;
}

/** A row with what a flag needs: when the shortfall began, its proof and its wording. */
export interface PerformanceFinding extends PerformanceRow {
  readonly since: string | null;
  readonly evidence: readonly bigint[];
  readonly explanation: string | null;
  /** What the actual was judged against, as text. */
  readonly threshold: string;
}

export interface PerformanceInput {
  readonly fundEvents: readonly RecordedEvent[];
  readonly registry: RegionRegistry;
  readonly thresholds: FlagThresholds;
  /**
   * The day the view is taken on: events effective later are left out, and money still inside its
   * pass-down window counts neither way. Without it every event counts and all money not yet passed
   * down or paid counts as late.
   */
  readonly asOf?: string;
}

export function computePerformance(input: PerformanceInput): PerformanceRow[] {
  const asOf = input.asOf ?? null;
  return evaluatePerformance(replayFund(input.fundEvents, asOf), input.registry, input.thresholds, asOf);
}

/** The rows of a fund already folded (`FundAuditFold`), as `computePerformance` gives them for the same events. */
export function evaluatePerformance(
  audit: FundAudit,
  registry: RegionRegistry,
  thresholds: FlagThresholds,
  asOf: string | null,
): PerformanceRow[] {
  return performanceFindings(audit, registry, thresholds, asOf).map(
    ({ regionCode, indicator, target, actual, met }) => ({ regionCode, indicator, target, actual, met }),
  );
}

/** Per 市(州) with targets recorded, ordered by region code, indicators in the document's order. */
export function performanceFindings(
  audit: FundAudit,
  registry: RegionRegistry,
  thresholds: FlagThresholds,
  asOf: string | null,
): PerformanceFinding[] {
  const membership = new Map<string, string | null>();
  const prefectureOf = (code: string): string | null => {
    if (!membership.has(code)) membership.set(code, registry.prefectureOf(code));
    return membership.get(code) ?? null;
  };
  // Without targets there is nothing to measure: the payments are not walked.
  if (audit.targets.size === 0) return [];
  const payments = audit.outflows.filter(
    (outflow) => outflow.kind === 'beneficiary-payment' && !outflow.reversed && (outflow.beneficiaries ?? 0) >= 1,
  );
  const prefectures = [...audit.targets.keys()].filter((code) => prefectureOf(code) === code).sort();
  const findings: PerformanceFinding[] = [];
  for (const prefecture of prefectures) {
    const targets = audit.targets.get(prefecture) as TargetsFact;
    const scope: Scope = {
      prefecture,
      targets,
      under: (code) => prefectureOf(code) === prefecture,
      payments: payments.filter((payment) => prefectureOf(payment.regionCode) === prefecture),
    };
    for (const target of targets.data.targets) {
      if (target.indicator === null) continue;
      findings.push(findingFor(target.indicator, target, scope, audit, thresholds, asOf));
    }
  }
  return findings;
}

interface Scope {
  readonly prefecture: string;
  readonly targets: TargetsFact;
  readonly under: (regionCode: string) => boolean;
  readonly payments: readonly Outflow[];
}

interface Goal {
  readonly parsed: ParsedTarget;
  readonly text: string;
}

function findingFor(
  indicator: PerformanceIndicator,
  target: PerformanceTarget,
  scope: Scope,
  audit: FundAudit,
  thresholds: FlagThresholds,
  asOf: string | null,
): PerformanceFinding {
  switch (indicator) {
    case 'persons-covered':
      return personsCovered(target, scope);
    case 'enrolment-rate':
      return reported(indicator, target, scope, audit, percentGoal(target, thresholds.enrolmentRateMinPercent));
    case 'satisfaction':
      return reported(indicator, target, scope, audit, percentGoal(target, thresholds.satisfactionMinPercent));
    case 'on-time-pass-down-rate':
      return onTimeRate(target, scope, audit, thresholds, asOf);
    case 'minimum-standard':
      return minimumStandard(target, scope, thresholds);
    case 'effect':
      return plain(scope, indicator, target, null, null, target.value);
  }
}

function plain(
  scope: Scope,
  indicator: PerformanceIndicator,
  target: PerformanceTarget,
  actual: string | null,
  met: boolean | null,
  threshold: string,
): PerformanceFinding {
  return {
    regionCode: scope.prefecture,
    indicator,
    target: target.value,
    actual,
    met,
    since: null,
    evidence: [],
    explanation: null,
    threshold,
  };
}

/** The document's number when it states one; else the configured minimum. */
function percentGoal(target: PerformanceTarget, configuredPercent: number): Goal {
  const parsed = parseTargetValue(target.value);
  if (parsed && parsed.unit !== '元') return { parsed, text: target.value };
  return {
    parsed: { comparator: '≥', value: ratioOfNumber(configuredPercent, 'a percentage threshold'), unit: '%' },
    text: `≥${configuredPercent}% (configured)`,
  };
}

/** The per-person standard in 元: the document's when it states one in whole 分, else the configured one. */
export function standardGoal(target: PerformanceTarget | undefined, minimumStandardFen: bigint): Goal & { fen: bigint; fromDocument: boolean } {
  const parsed = target ? parseTargetValue(target.value) : null;
  if (target && parsed && parsed.unit !== '%' && (parsed.value.num * 100n) % parsed.value.den === 0n) {
    return { parsed, text: target.value, fen: (parsed.value.num * 100n) / parsed.value.den, fromDocument: true };
  }
  return {
    parsed: { comparator: '≥', value: ratio(minimumStandardFen, 100n), unit: '元' },
    text: `≥${formatYuan(minimumStandardFen)}元 (configured)`,
    fen: minimumStandardFen,
    fromDocument: false,
  };
}

function personsCovered(target: PerformanceTarget, scope: Scope): PerformanceFinding {
  let persons = 0n;
  for (const payment of scope.payments) persons += BigInt(payment.beneficiaries ?? 0);
  const parsed = parseTargetValue(target.value);
  const met = parsed && parsed.unit === null ? meetsTarget(ratio(persons, 1n), parsed) : null;
  return plain(scope, 'persons-covered', target, persons.toString(), met, target.value);
}

/**
 * Rates the ledger cannot compute: the latest report from the 市(州) itself, or, when it has sent
 * none, the latest from any of its counties.
 */
function reported(
  indicator: 'enrolment-rate' | 'satisfaction',
  target: PerformanceTarget,
  scope: Scope,
  audit: FundAudit,
  goal: Goal,
): PerformanceFinding {
  const reports = audit.actuals.filter((actual) => actual.data.indicator === indicator && scope.under(actual.data.regionCode));
  const own = reports.filter((actual) => actual.data.regionCode === scope.prefecture);
  const latest = latestReport(own.length > 0 ? own : reports);
  if (!latest) return plain(scope, indicator, target, null, null, goal.text);
  const value = parseDecimal(latest.data.value);
  if (!value) return plain(scope, indicator, target, latest.data.value, null, goal.text);
  const actual = padDecimal(latest.data.value);
  const label = indicator === 'enrolment-rate' ? 'enrolment rate' : 'satisfaction';
  const { data } = latest;
  return {
    ...plain(scope, indicator, target, actual, meetsTarget(value, goal.parsed), goal.text),
    since: data.reportedOn,
    evidence: [scope.targets.position, latest.position],
    explanation: `${label} ${actual}% reported for ${data.regionCode}, period ${data.period}, on ${data.reportedOn} by ${latest.actor}; target ${goal.text}`,
  };
}

function latestReport(reports: readonly ActualFact[]): ActualFact | null {
  let latest: ActualFact | null = null;
  for (const report of reports) {
    if (latest === null || report.data.reportedOn > latest.data.reportedOn) latest = report;
    else if (report.data.reportedOn === latest.data.reportedOn && report.position > latest.position) latest = report;
  }
  return latest;
}

/**
 * The share of money received by the 市(州) and its counties that was passed down or paid within
 * the limit. Money returned upwards counts neither way; money still inside its window counts once
 * its deadline passes.
 */
function onTimeRate(
  target: PerformanceTarget,
  scope: Scope,
  audit: FundAudit,
  thresholds: FlagThresholds,
  asOf: string | null,
): PerformanceFinding {
  const goal = percentGoal(target, thresholds.onTimeRateMinPercent);
  const days = thresholds.latePassDownDays;
  let onTimeFen = 0n;
  let lateFen = 0n;
  const late = { firstFrom: null as string | null, evidence: [scope.targets.position] };
  const noteLate = (deadline: string, positions: bigint[]) => {
    const lateFrom = addDays(deadline, 1);
    if (late.firstFrom === null || lateFrom < late.firstFrom) late.firstFrom = lateFrom;
    late.evidence.push(...positions);
  };
  const drawsByLot = new Map<ReceiptLot, { outflow: Outflow; amountFen: bigint }[]>();
  for (const outflow of audit.outflows) {
    if (outflow.reversed || outflow.kind === 'return' || !scope.under(outflow.regionCode)) continue;
    for (const draw of outflow.draws) {
      const list = drawsByLot.get(draw.lot) ?? [];
      list.push({ outflow, amountFen: draw.amountFen });
      drawsByLot.set(draw.lot, list);
    }
  }
  for (const [regionCode, lots] of audit.lots) {
    if (!scope.under(regionCode)) continue;
    for (const lot of lots) {
      const deadline = addDays(lot.receivedOn, days);
      for (const { outflow, amountFen } of drawsByLot.get(lot) ?? []) {
        if (outflow.paidOn <= deadline) {
          onTimeFen += amountFen;
        } else {
          lateFen += amountFen;
          noteLate(deadline, [lot.position, outflow.position]);
        }
      }
      if (lot.remainingFen > 0n && (asOf === null || deadline < asOf)) {
        lateFen += lot.remainingFen;
        noteLate(deadline, [lot.position]);
      }
    }
  }
  const consideredFen = onTimeFen + lateFen;
  if (consideredFen === 0n) return plain(scope, 'on-time-pass-down-rate', target, null, null, goal.text);
  const rate = ratio(onTimeFen * 100n, consideredFen);
  const actual = formatRatioTwoDecimals(rate);
  const met = meetsTarget(rate, goal.parsed);
  return {
    ...plain(scope, 'on-time-pass-down-rate', target, actual, met, goal.text),
    since: met ? null : late.firstFrom,
    evidence: met ? [] : late.evidence,
    explanation: `${actual}% of the money received by ${scope.prefecture} and its counties was passed down or paid within ${days} days (${formatYuan(onTimeFen)} of ${formatYuan(consideredFen)} 元); target ${goal.text}`,
  };
}

/** The smallest amount paid per person, compared exactly (amount / beneficiaries, never rounded). */
function minimumStandard(target: PerformanceTarget, scope: Scope, thresholds: FlagThresholds): PerformanceFinding {
  const goal = standardGoal(target, thresholds.minimumStandardFen);
  let smallest: { payment: Outflow; perPersonYuan: Ratio } | null = null;
  for (const payment of scope.payments) {
    const perPersonYuan = ratio(payment.amountFen, BigInt(payment.beneficiaries ?? 1) * 100n);
    if (smallest === null || compareRatio(perPersonYuan, smallest.perPersonYuan) < 0) smallest = { payment, perPersonYuan };
  }
  if (smallest === null) return plain(scope, 'minimum-standard', target, null, null, goal.text);
  const { payment } = smallest;
  const persons = BigInt(payment.beneficiaries ?? 1);
  const actual = formatYuan(payment.amountFen / persons);
  return {
    ...plain(scope, 'minimum-standard', target, actual, meetsTarget(smallest.perPersonYuan, goal.parsed), goal.text),
    since: payment.paidOn,
    evidence: [scope.targets.position, payment.position],
    explanation: `smallest payment per person ${actual} 元: voucher ${payment.voucherNo} of ${payment.regionCode} paid ${formatYuan(payment.amountFen)} 元 for ${persons} persons; target ${goal.text}`,
  };
}
