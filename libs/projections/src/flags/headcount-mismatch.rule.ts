import { formatYuan } from '@earmark/domain';
import { standardGoal } from '../performance/compute-performance';
import { withEvidence, type Flag } from './flag.types';
import type { RuleContext } from './flag-rule';

/**
 * A beneficiary payment whose amount is not beneficiaries × the per-person standard: the standard
 * of the payer's 市(州) minimum-standard target when one is recorded, else the configured one.
 */
export function headcountMismatchFlags({ audit, registry, thresholds }: RuleContext): Flag[] {
  const flags: Flag[] = [];
  for (const payment of audit.outflows) {
    if (payment.kind !== 'beneficiary-payment' || payment.reversed || payment.beneficiaries === null) continue;
    const prefecture = registry.prefectureOf(payment.regionCode);
    const targets = prefecture === null ? undefined : audit.targets.get(prefecture);
    const standard = standardGoal(
      targets?.data.targets.find((target) => target.indicator === 'minimum-standard'),
      thresholds.minimumStandardFen,
    );
    const persons = BigInt(payment.beneficiaries);
    const expectedFen = persons * standard.fen;
    if (payment.amountFen === expectedFen) continue;
    flags.push({
      rule: 'headcount-mismatch',
      regionCode: payment.regionCode,
      severity: 'warning',
      since: payment.paidOn,
      threshold: `${formatYuan(standard.fen)} 元 per person${standard.fromDocument ? '' : ' (configured)'}`,
      ...withEvidence(
        `voucher ${payment.voucherNo} paid ${formatYuan(payment.amountFen)} 元 for ${persons} persons; ${persons} × ${formatYuan(standard.fen)} 元 = ${formatYuan(expectedFen)} 元, a difference of ${formatYuan(payment.amountFen - expectedFen)} 元`,
        standard.fromDocument && targets ? [payment.position, targets.position] : [payment.position],
      ),
    });
  }
  return flags;
}
