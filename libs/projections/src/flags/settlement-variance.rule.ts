import { fenFromString, formatYuan } from '@earmark/domain';
import { addDays, daysBetween } from './calendar';
import { withEvidence, type Flag } from './flag.types';
import type { RuleContext } from './flag-rule';

/**
 * A settlement whose own figures disagree (entitled ≠ Σ persons × per-person, or adjustment ≠
 * entitled − allocated: the decider never writes one, so it means a damaged or foreign event), and a
 * claw-back still owed more than `clawbackOpenDays` after the settlement.
 */
export function settlementVarianceFlags({ audit, asOf, thresholds }: RuleContext): Flag[] {
  const days = thresholds.clawbackOpenDays;
  const flags: Flag[] = [];
  for (const [regionCode, { position, data }] of audit.settlements) {
    const entitledFen = fenFromString(data.entitledFen);
    const allocatedFen = fenFromString(data.allocatedFen);
    const adjustmentFen = fenFromString(data.adjustmentFen);
    const computedFen = data.actuals.reduce((sum, actual) => sum + BigInt(actual.persons) * fenFromString(actual.perPersonFen), 0n);
    const disagreements: string[] = [];
    if (computedFen !== entitledFen) {
      disagreements.push(`entitled ${formatYuan(entitledFen)} 元, but Σ persons × per-person gives ${formatYuan(computedFen)} 元`);
    }
    if (entitledFen - allocatedFen !== adjustmentFen) {
      disagreements.push(
        `adjustment ${formatYuan(adjustmentFen)} 元, but entitled − allocated gives ${formatYuan(entitledFen - allocatedFen)} 元`,
      );
    }
    if (disagreements.length > 0) {
      flags.push({
        rule: 'settlement-variance',
        regionCode,
        severity: 'critical',
        since: data.settledOn,
        threshold: 'entitled = Σ persons × per-person; adjustment = entitled − allocated',
        ...withEvidence(`settlement ${data.documentNo} records ${disagreements.join('; ')}`, [position]),
      });
    }

    if (adjustmentFen >= 0n) continue;
    const openFrom = addDays(data.settledOn, days + 1);
    if (openFrom > asOf) continue;
    const repayments = audit.outflows.filter(
      (outflow) => outflow.kind === 'return' && outflow.afterSettlement && !outflow.reversed && outflow.regionCode === regionCode,
    );
    const owedFen = -adjustmentFen;
    const outstandingFen = owedFen - repayments.reduce((sum, outflow) => sum + outflow.amountFen, 0n);
    if (outstandingFen <= 0n) continue;
    flags.push({
      rule: 'settlement-variance',
      regionCode,
      severity: 'warning',
      since: openFrom,
      threshold: `claw-back returned within ${days} days`,
      ...withEvidence(
        `claw-back of ${formatYuan(owedFen)} 元 settled by ${data.documentNo} on ${data.settledOn}: ${formatYuan(outstandingFen)} 元 not returned after ${daysBetween(data.settledOn, asOf)} days`,
        [position, ...repayments.map((outflow) => outflow.position)],
      ),
    });
  }
  return flags;
}
