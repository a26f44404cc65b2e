import { verifyLedger, type VerifyReport } from '@earmark/audit';
import { chain, registry, type Fact } from './ledger-fixture';

/**
 * What verifyLedger says of a validly chained log built from `facts`: with the chain intact and
 * no checkpoint, only the independent replay of the money can object.
 */
export function verdict(facts: readonly Fact[], options: { latePaymentGraceDays?: number } = {}) {
  const report: VerifyReport = verifyLedger({ events: chain(facts), registry, ...options });
  return {
    ok: report.ok,
    firstBadPosition: report.firstBadPosition,
    checkedThrough: report.checkedThrough,
    reason: report.reason,
    checks: report.checks,
  };
}

export const failedAt = (position: bigint, reason: string) => ({
  ok: false,
  firstBadPosition: position,
  checkedThrough: position - 1n,
  reason,
  checks: { chain: 'passed', merkle: 'skipped', signature: 'skipped', balances: 'failed' },
});

export const passedThrough = (position: bigint) => ({
  ok: true,
  firstBadPosition: undefined,
  checkedThrough: position,
  reason: undefined,
  checks: { chain: 'passed', merkle: 'skipped', signature: 'skipped', balances: 'passed' },
});
