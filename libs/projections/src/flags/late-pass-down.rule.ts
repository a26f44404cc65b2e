import { formatYuan } from '@earmark/domain';
import { addDays, daysBetween } from './calendar';
import { withEvidence, type Finding } from './flag.types';
import type { RuleContext } from './flag-rule';
import { closingSettlementOf, describeLot, fundsOthers, outflowsByLot } from './fund-audit-replay';

/**
 * 滞留: a 市(州) that has districts to fund and did not hand on, within `latePassDownDays` of a
 * receipt, the money that receipt brought. Judged per receipt from above (an allocation line or a
 * top-up), whose money is followed oldest first: the late part is what is still held past the
 * limit, plus what was passed down only after it. What the city moved in time, what it paid out
 * itself (whenever) and what it returned are never late. A 扩权县 or a 区/县 has nobody below it, so
 * holding money is its spending pace, not 滞留.
 */
export function latePassDownFlags({ audit, registry, asOf, thresholds }: RuleContext): Finding[] {
  const days = thresholds.latePassDownDays;
  const spentFrom = outflowsByLot(audit);
  const flags: Finding[] = [];
  for (const [regionCode, lots] of audit.lots) {
    if (!fundsOthers(registry, regionCode)) continue;
    // Once its subtree is settled, money from before can no longer go down: the settlement weighs it.
    const closed = closingSettlementOf(audit, registry, regionCode) !== null;
    for (const lot of lots) {
      // Money its districts sent back up is not a transfer it was given to hand on.
      if (lot.source === 'return') continue;
      const deadline = addDays(lot.receivedOn, days);
      const lateFrom = addDays(deadline, 1);
      if (lateFrom > asOf) continue;
      const outflows = spentFrom.get(lot) ?? [];
      const latePassDowns = outflows.filter((outflow) => outflow.kind === 'pass-down' && outflow.paidOn > deadline);
      const passedLateFen = latePassDowns.reduce(
        (sum, outflow) => sum + outflow.draws.filter((draw) => draw.lot === lot).reduce((part, draw) => part + draw.amountFen, 0n),
        0n,
      );
      const heldFen = closed && !lot.topUpMoney ? 0n : lot.remainingFen;
      const lateFen = heldFen + passedLateFen;
      if (lateFen === 0n) continue;
      const parts: string[] = [];
      if (heldFen > 0n) parts.push(`${formatYuan(heldFen)} 元 still held after ${daysBetween(lot.receivedOn, asOf)} days`);
      if (passedLateFen > 0n) {
        const lastOn = latePassDowns.reduce((latest, outflow) => (outflow.paidOn > latest ? outflow.paidOn : latest), '');
        parts.push(`${formatYuan(passedLateFen)} 元 passed down after the limit, the last on ${lastOn}`);
      }
      flags.push({
        rule: 'late-pass-down',
        subject: `lot-${lot.position}`,
        regionCode,
        severity: 'warning',
        since: lateFrom,
        threshold: `${days} days`,
        ...withEvidence(
          `${formatYuan(lateFen)} 元 of the ${formatYuan(lot.amountFen)} 元 received on ${lot.receivedOn} (${describeLot(lot)}) not passed down or paid out within ${days} days: ${parts.join('; ')}`,
          lot.position,
          outflows.map((outflow) => outflow.position),
        ),
      });
    }
  }
  return flags;
}
