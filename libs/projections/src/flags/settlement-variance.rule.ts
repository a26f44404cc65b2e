import { availableFen, formatYuan, laterOf, outstandingFen, topUpLeftFen, type Fen } from '@earmark/domain';
import { addDays, daysBetween } from './calendar';
import { withEvidence, type Finding } from './flag.types';
import type { RuleContext } from './flag-rule';
import { countersOf, fundedSubtree, type FundAudit, type Outflow, type SettlementFact } from './fund-audit-replay';

/**
 * What a settlement left to do, and where the books disagree with it. Per settled region, over the
 * subtree the settlement closed (the region and the 区/县 it funds):
 *
 * - a top-up owed and not sent, or a claw-back not returned, `clawbackOpenDays` after settlement;
 * - persons settled (Σ actuals) ≠ persons recorded as paid in the subtree. A shortfall is expected
 *   while top-up money is still to be sent or spent (it pays for them), so it counts only after;
 * - paid in the subtree > entitled;
 * - money left in the subtree, other than top-up money still to be spent, that the outstanding
 *   claw-back does not take back: after settlement it can be neither spent nor returned.
 */
export function settlementVarianceFlags(context: RuleContext): Finding[] {
  // Most of the regions a judge takes at a time have no settlement yet: nothing to walk.
  if (context.audit.settlements.size === 0) return [];
  // The fold keeps outflows per paying region: only the settled subtrees' are walked.
  const standing = (code: string): Outflow[] => (context.audit.outflowsByRegion.get(code) ?? []).filter((outflow) => !outflow.reversed);
  const flags: Finding[] = [];
  for (const [regionCode, settlement] of context.audit.settlements) {
    const subtree = fundedSubtree(context.registry, regionCode);
    const scope: Scope = {
      regionCode,
      settlement,
      subtree,
      outflows: subtree.flatMap(standing),
      outstandingFen: outstandingFen(countersOf(context.audit, regionCode), settlement.terms),
    };
    flags.push(
      ...openAdjustment(context, scope),
      ...personsMismatch(context.audit, scope),
      ...paidOverEntitled(context.audit, scope),
      ...strandedMoney(context.audit, scope),
    );
  }
  return flags;
}

interface Scope {
  readonly regionCode: string;
  readonly settlement: SettlementFact;
  readonly subtree: readonly string[];
  /** The outflows standing in the subtree, region by region, each in log order. */
  readonly outflows: readonly Outflow[];
  /** region-year.ts's: positive, top-up still to send; negative, claw-back still to return. */
  readonly outstandingFen: Fen;
}

/** Anchored on the settlement, since the day after the limit. */
function openAdjustment({ audit, asOf, thresholds }: RuleContext, scope: Scope): Finding[] {
  const { settlement, outstandingFen: openFen } = scope;
  const { terms, position } = settlement;
  const days = thresholds.clawbackOpenDays;
  const openFrom = addDays(terms.settledOn, days + 1);
  if (openFen === 0n || openFrom > asOf) return [];
  const elapsed = daysBetween(terms.settledOn, asOf);
  if (openFen > 0n) {
    const topUps = (audit.lots.get(scope.regionCode) ?? []).filter((lot) => lot.source === 'top-up');
    return [
      {
        rule: 'settlement-variance',
        subject: 'open-top-up',
        regionCode: scope.regionCode,
        severity: 'warning',
        since: openFrom,
        threshold: `top-up sent within ${days} days`,
        ...withEvidence(
          `top-up of ${formatYuan(terms.adjustmentFen)} 元 settled by ${terms.documentNo} on ${terms.settledOn}: ${formatYuan(openFen)} 元 not sent after ${elapsed} days`,
          position,
          topUps.map((lot) => lot.position),
        ),
      },
    ];
  }
  const repayments = repaymentsIn(scope);
  return [
    {
      rule: 'settlement-variance',
      subject: 'open-claw-back',
      regionCode: scope.regionCode,
      severity: 'warning',
      since: openFrom,
      threshold: `claw-back returned within ${days} days`,
      ...withEvidence(
        `claw-back of ${formatYuan(-terms.adjustmentFen)} 元 settled by ${terms.documentNo} on ${terms.settledOn}: ${formatYuan(-openFen)} 元 not returned after ${elapsed} days`,
        position,
        repayments.map((outflow) => outflow.position),
      ),
    },
  ];
}

/** Anchored on the settlement, since its day. */
function personsMismatch(audit: FundAudit, scope: Scope): Finding[] {
  const { terms, position, data } = scope.settlement;
  const settledPersons = data.actuals.reduce((sum, actual) => sum + actual.persons, 0);
  const paidPersons = scope.subtree.reduce((sum, code) => sum + countersOf(audit, code).beneficiaries, 0);
  if (paidPersons === settledPersons) return [];
  const topUpPendingFen =
    (scope.outstandingFen > 0n ? scope.outstandingFen : 0n) +
    scope.subtree.reduce((sum, code) => sum + topUpLeftFen(countersOf(audit, code)), 0n);
  if (paidPersons < settledPersons && topUpPendingFen > 0n) return [];
  const difference = paidPersons - settledPersons;
  return [
    {
      rule: 'settlement-variance',
      subject: 'persons',
      regionCode: scope.regionCode,
      severity: 'warning',
      since: terms.settledOn,
      threshold: 'persons settled = persons paid',
      ...withEvidence(
        `settlement ${terms.documentNo} settled ${settledPersons} persons; payments in ${describeSubtree(scope)} record ${paidPersons}, ${Math.abs(difference)} ${difference > 0 ? 'more' : 'fewer'}`,
        position,
        paymentsIn(scope).map((payment) => payment.position),
      ),
    },
  ];
}

/** Anchored on the payment that took the subtree past its entitlement, since then (or the settlement). */
function paidOverEntitled(audit: FundAudit, scope: Scope): Finding[] {
  const { terms, position } = scope.settlement;
  const paidFen = scope.subtree.reduce((sum, code) => sum + countersOf(audit, code).paidFen, 0n);
  if (paidFen <= terms.entitledFen) return [];
  const payments = paymentsIn(scope).sort((a, b) =>
    a.paidOn !== b.paidOn ? (a.paidOn < b.paidOn ? -1 : 1) : a.position < b.position ? -1 : a.position > b.position ? 1 : 0,
  );
  let runningFen = 0n;
  const crossing = payments.find((payment) => (runningFen += payment.amountFen) > terms.entitledFen) ?? null;
  return [
    {
      rule: 'settlement-variance',
      subject: 'paid-over-entitled',
      regionCode: scope.regionCode,
      severity: 'critical',
      since: crossing === null ? terms.settledOn : laterOf(terms.settledOn, crossing.paidOn),
      threshold: 'paid ≤ entitled',
      ...withEvidence(
        `payments in ${describeSubtree(scope)} total ${formatYuan(paidFen)} 元, ${formatYuan(paidFen - terms.entitledFen)} 元 more than the ${formatYuan(terms.entitledFen)} 元 entitled by settlement ${terms.documentNo}`,
        crossing?.position ?? position,
        [position, ...payments.map((payment) => payment.position)],
      ),
    },
  ];
}

/** Anchored on the pre-allocation that funded the subtree, since the settlement. */
function strandedMoney(audit: FundAudit, scope: Scope): Finding[] {
  const { terms, position } = scope.settlement;
  const leftFen = scope.subtree.reduce((sum, code) => {
    const counters = countersOf(audit, code);
    return sum + availableFen(counters) - topUpLeftFen(counters);
  }, 0n);
  const owedFen = scope.outstandingFen < 0n ? -scope.outstandingFen : 0n;
  const strandedFen = leftFen - owedFen;
  if (strandedFen <= 0n) return [];
  const preAllocation = (audit.lots.get(scope.regionCode) ?? []).find((lot) => lot.source === 'pre-allocation');
  const holding = scope.subtree.flatMap((code) =>
    (audit.lots.get(code) ?? []).filter((lot) => lot.remainingFen > 0n && !lot.topUpMoney).map((lot) => lot.position),
  );
  const repayments = repaymentsIn(scope);
  return [
    {
      rule: 'settlement-variance',
      subject: 'stranded',
      regionCode: scope.regionCode,
      severity: 'critical',
      since: terms.settledOn,
      threshold: 'nothing left beyond the claw-back',
      ...withEvidence(
        `${formatYuan(leftFen)} 元 from before settlement ${terms.documentNo} is left in ${describeSubtree(scope)}, ${formatYuan(owedFen)} 元 of it owed back: ${formatYuan(strandedFen)} 元 can be neither spent nor returned`,
        preAllocation?.position ?? position,
        [position, ...holding, ...repayments.map((outflow) => outflow.position)],
      ),
    },
  ];
}

function paymentsIn(scope: Scope): Outflow[] {
  return scope.outflows.filter((outflow) => outflow.kind === 'beneficiary-payment');
}

/** Returns after the settlement: how a claw-back is repaid, by the region or through it by its districts. */
function repaymentsIn(scope: Scope): Outflow[] {
  return scope.outflows.filter((outflow) => outflow.kind === 'return' && outflow.afterSettlement);
}

function describeSubtree(scope: Scope): string {
  return scope.subtree.length > 1 ? `${scope.regionCode} and the districts it funds` : scope.regionCode;
}
