import { formatYuan } from '@earmark/domain';
import { daysBetween } from './calendar';
import { withEvidence, type Finding } from './flag.types';
import type { RuleContext } from './flag-rule';
import { describeReference, type Outflow } from './fund-audit-replay';

/**
 * A payment or pass-down dated after the fiscal year's last day: the decider records it inside its
 * grace period and refuses it after. What moves after a settlement (the top-up paid out or passed
 * down) follows the settlement, not the year, and is not late. One flag per event: a 下达 document
 * is one flag for all its lines.
 */
export function latePaymentFlags({ audit }: RuleContext): Finding[] {
  if (audit.fiscalYear === null) return [];
  const yearEnd = `${audit.fiscalYear}-12-31`;
  const byEvent = new Map<bigint, Outflow[]>();
  for (const outflow of audit.outflows) {
    if (outflow.kind === 'return' || outflow.reversed || outflow.afterSettlement || outflow.paidOn <= yearEnd) continue;
    const lines = byEvent.get(outflow.position) ?? [];
    lines.push(outflow);
    byEvent.set(outflow.position, lines);
  }
  const flags: Finding[] = [];
  for (const [position, lines] of byEvent) {
    const first = lines[0];
    const amountFen = lines.reduce((sum, line) => sum + line.amountFen, 0n);
    const what =
      first.kind === 'beneficiary-payment'
        ? `paid ${formatYuan(amountFen)} 元 for ${first.beneficiaries ?? 0} persons`
        : `passed ${formatYuan(amountFen)} 元 down to ${lines.map((line) => line.toRegionCode).join(', ')}`;
    flags.push({
      rule: 'late-payment',
      subject: `event-${position}`,
      regionCode: first.regionCode,
      severity: 'warning',
      since: first.paidOn,
      threshold: `paid by ${yearEnd}`,
      ...withEvidence(
        `${describeReference(first)} ${what} on ${first.paidOn}, ${daysBetween(yearEnd, first.paidOn)} days after ${audit.fiscalYear} ended`,
        position,
        [],
      ),
    });
  }
  return flags;
}
