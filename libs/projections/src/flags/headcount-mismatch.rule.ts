import { formatYuan } from '@earmark/domain';
import { standardGoal } from '../performance/compute-performance';
import { withEvidence, type Finding } from './flag.types';
import type { RuleContext } from './flag-rule';
import { describeReference, firstReceiptOf, type Outflow } from './fund-audit-replay';

/**
 * Paid amount ≠ persons × the per-person standard: the standard of the payer's 市(州)
 * minimum-standard target when one is recorded, else the configured one. Judged per payment, and
 * per region over all its payments standing. The region's total is flagged only when two or more
 * of its payments are off and their differences do not cancel out: with one payment off it would
 * repeat that payment's flag.
 */
/** One payment judged against one standard; `standardKey` names the standard. */
interface JudgedPayment {
  readonly standardKey: string;
  readonly differenceFen: bigint;
  readonly finding: Finding | null;
}

/**
 * A payment's own finding depends only on the payment and the standard, not on the day or on other
 * events, and a fund paid per person holds a million of them: the fold kept per fund hands the
 * rules the same payment objects each time, so each is judged once per standard and only new
 * payments cost anything. Held weakly: it goes when the payment does.
 */
const judgedPayments = new WeakMap<Outflow, JudgedPayment>();

export function headcountMismatchFlags({ audit, registry, thresholds }: RuleContext): Finding[] {
  const flags: Finding[] = [];
  for (const [regionCode, outflows] of audit.outflowsByRegion) {
    const payments = outflows.filter((payment) => payment.kind === 'beneficiary-payment' && !payment.reversed && payment.beneficiaries !== null);
    if (payments.length === 0) continue;
    const prefecture = registry.prefectureOf(regionCode);
    const targets = prefecture === null ? undefined : audit.targets.get(prefecture);
    const standard = standardGoal(
      targets?.data.targets.find((target) => target.indicator === 'minimum-standard'),
      thresholds.minimumStandardFen,
    );
    const standardEvidence = standard.fromDocument && targets ? [targets.position] : [];
    const threshold = `${formatYuan(standard.fen)} 元 per person${standard.fromDocument ? '' : ' (configured)'}`;
    const standardKey = `${standard.fen}|${standardEvidence.join(',')}`;
    const judge = (payment: Outflow): JudgedPayment => {
      const kept = judgedPayments.get(payment);
      if (kept && kept.standardKey === standardKey) return kept;
      const persons = BigInt(payment.beneficiaries ?? 0);
      const differenceFen = payment.amountFen - persons * standard.fen;
      const judged: JudgedPayment = {
        standardKey,
        differenceFen,
        finding:
          differenceFen === 0n
            ? null
            : {
                rule: 'headcount-mismatch',
                subject: `payment-${payment.position}`,
                regionCode,
                severity: 'warning',
                since: payment.paidOn,
                threshold,
                ...withEvidence(
                  `${describeReference(payment)} paid ${formatYuan(payment.amountFen)} 元 for ${persons} persons; ${persons} × ${formatYuan(standard.fen)} 元 = ${formatYuan(persons * standard.fen)} 元, a difference of ${formatYuan(differenceFen)} 元`,
                  payment.position,
                  standardEvidence,
                ),
              },
      };
      judgedPayments.set(payment, judged);
      return judged;
    };
    const differenceOf = (payment: Outflow): bigint => judge(payment).differenceFen;

    const offPayments: Outflow[] = [];
    for (const payment of payments) {
      const { finding } = judge(payment);
      if (finding === null) continue;
      offPayments.push(payment);
      flags.push(finding);
    }

    const since = cumulativeOffSince(offPayments, differenceOf);
    if (since === null) continue;
    const paidFen = payments.reduce((sum, payment) => sum + payment.amountFen, 0n);
    const persons = payments.reduce((sum, payment) => sum + BigInt(payment.beneficiaries ?? 0), 0n);
    flags.push({
      rule: 'headcount-mismatch',
      subject: 'account',
      regionCode,
      severity: 'warning',
      since,
      threshold,
      ...withEvidence(
        `${regionCode}'s ${payments.length} payments standing paid ${formatYuan(paidFen)} 元 for ${persons} persons; ${persons} × ${formatYuan(standard.fen)} 元 = ${formatYuan(persons * standard.fen)} 元, a difference of ${formatYuan(paidFen - persons * standard.fen)} 元`,
        // A finding about the region's account as a whole is anchored on the receipt that opened it.
        firstReceiptOf(audit, regionCode)?.position ?? null,
        [...offPayments.map((payment) => payment.position), ...standardEvidence],
      ),
    });
  }
  return flags;
}

/**
 * The first day of the run, still going, in which two or more payments were off and their
 * differences summed to something other than zero; null when that does not hold now. Payments
 * that are exact change neither, so only the ones off are walked, by date.
 */
function cumulativeOffSince(offPayments: readonly Outflow[], differenceOf: (payment: Outflow) => bigint): string | null {
  const byDate = [...offPayments].sort((a, b) =>
    a.paidOn !== b.paidOn ? (a.paidOn < b.paidOn ? -1 : 1) : a.position < b.position ? -1 : a.position > b.position ? 1 : 0,
  );
  let sumFen = 0n;
  let since: string | null = null;
  for (let index = 0; index < byDate.length; index += 1) {
    const payment = byDate[index];
    sumFen += differenceOf(payment);
    // Judge a day once all of its payments are in.
    if (byDate[index + 1]?.paidOn === payment.paidOn) continue;
    since = index >= 1 && sumFen !== 0n ? (since ?? payment.paidOn) : null;
  }
  return since;
}
