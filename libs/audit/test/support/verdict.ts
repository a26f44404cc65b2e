import { LedgerVerifier, verifyLedger, type VerifyReport } from '@earmark/audit';
import { chain, registry, type Fact } from './ledger-fixture';

/**
 * What verifyLedger says of a validly chained log built from `facts`: with the chain intact and
 * no checkpoint, only the independent replay of the money can object. Every log is also fed to the
 * streaming verifier a few events at a time, which must say exactly the same.
 */
export function verdict(facts: readonly Fact[], options: { latePaymentGraceDays?: number } = {}) {
  const events = chain(facts);
  const report: VerifyReport = verifyLedger({ events, registry, ...options });
  const streamed = new LedgerVerifier({ registry, ...options });
  for (let i = 0; i < events.length; i += streamedPageEvents) streamed.add(events.slice(i, i + streamedPageEvents));
  expect(streamed.finish()).toEqual(report);
  return {
    ok: report.ok,
    firstBadPosition: report.firstBadPosition,
    checkedThrough: report.checkedThrough,
    reason: report.reason,
    checks: report.checks,
  };
}

/** Small and odd, so that pages end in the middle of the logs these tests build. */
const streamedPageEvents = 3;

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
