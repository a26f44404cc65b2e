import { formatYuan } from '@earmark/domain';
import { addDays, daysBetween } from './calendar';
import { withEvidence, type Flag } from './flag.types';
import type { RuleContext } from './flag-rule';
import { describeLot, unspentLots } from './fund-audit-replay';

/**
 * 待分余额, two ways: a balance whose oldest part has waited more than `idleBalanceDays` (info), and
 * any balance still held at 12-31 of the fiscal year, once that day has come (warning).
 */
export function idleBalanceFlags({ audit, asOf, thresholds }: RuleContext): Flag[] {
  const days = thresholds.idleBalanceDays;
  const flags: Flag[] = [];
  for (const regionCode of audit.lots.keys()) {
    const unspent = unspentLots(audit, regionCode);
    const oldest = unspent[0];
    if (!oldest) continue;
    const idleFrom = addDays(oldest.receivedOn, days + 1);
    if (idleFrom > asOf) continue;
    const balanceFen = unspent.reduce((sum, lot) => sum + lot.remainingFen, 0n);
    flags.push({
      rule: 'idle-balance',
      regionCode,
      severity: 'info',
      since: idleFrom,
      threshold: `${days} days`,
      ...withEvidence(
        `holds ${formatYuan(balanceFen)} 元; the oldest part, ${formatYuan(oldest.remainingFen)} 元 received on ${oldest.receivedOn} (${describeLot(oldest)}), has waited ${daysBetween(oldest.receivedOn, asOf)} days`,
        unspent.map((lot) => lot.position),
      ),
    });
  }
  if (audit.fiscalYear === null) return flags;
  const yearEnd = `${audit.fiscalYear}-12-31`;
  if (asOf < yearEnd) return flags;
  const atYearEnd = new Map<string, { balanceFen: bigint; positions: bigint[] }>();
  for (const move of audit.moves) {
    if (move.on > yearEnd) continue;
    const region = atYearEnd.get(move.regionCode) ?? { balanceFen: 0n, positions: [] };
    region.balanceFen += move.deltaFen;
    region.positions.push(move.position);
    atYearEnd.set(move.regionCode, region);
  }
  for (const [regionCode, { balanceFen, positions }] of atYearEnd) {
    if (balanceFen <= 0n) continue;
    flags.push({
      rule: 'idle-balance',
      regionCode,
      severity: 'warning',
      since: yearEnd,
      threshold: `no balance at ${yearEnd}`,
      ...withEvidence(`held ${formatYuan(balanceFen)} 元 at the end of fiscal year ${audit.fiscalYear} (${yearEnd})`, positions),
    });
  }
  return flags;
}
