import { formatYuan } from '@earmark/domain';
import { addDays, daysBetween } from './calendar';
import { withEvidence, type Flag } from './flag.types';
import type { RuleContext } from './flag-rule';
import { describeLot, outflowsByLot } from './fund-audit-replay';

/**
 * 滞留: each receipt that, more than `latePassDownDays` after it arrived, still has money neither
 * passed down nor paid (outflows take the oldest receipts first). The evidence is the receipt and
 * the outflows that took part of it.
 */
export function latePassDownFlags({ audit, asOf, thresholds }: RuleContext): Flag[] {
  const days = thresholds.latePassDownDays;
  const spentFrom = outflowsByLot(audit);
  const flags: Flag[] = [];
  for (const [regionCode, lots] of audit.lots) {
    for (const lot of lots) {
      if (lot.remainingFen === 0n) continue;
      const lateFrom = addDays(lot.receivedOn, days + 1);
      if (lateFrom > asOf) continue;
      const held = daysBetween(lot.receivedOn, asOf);
      flags.push({
        rule: 'late-pass-down',
        regionCode,
        severity: 'warning',
        since: lateFrom,
        threshold: `${days} days`,
        ...withEvidence(
          `${formatYuan(lot.remainingFen)} 元 of the ${formatYuan(lot.amountFen)} 元 received on ${lot.receivedOn} (${describeLot(lot)}) neither passed down nor paid after ${held} days`,
          [lot.position, ...(spentFrom.get(lot) ?? []).map((outflow) => outflow.position)],
        ),
      });
    }
  }
  return flags;
}
