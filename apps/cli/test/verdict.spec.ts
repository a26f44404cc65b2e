import type { VerifyReport } from '@earmark/audit';
import { verdictLine } from '../src/audit/verdict';

const passed: VerifyReport = {
  ok: true,
  events: 1234,
  checkedThrough: 1234n,
  checks: { chain: 'passed', merkle: 'passed', signature: 'passed', balances: 'passed' },
};

describe('the verdict line of earmark verify', () => {
  it('everything checked', () => {
    expect(verdictLine(passed, null, null)).toBe('OK: 1234 events, chain, Merkle root and signature verified, balances replayed');
  });

  it('says what could not be checked', () => {
    expect(verdictLine({ ...passed, checks: { ...passed.checks, merkle: 'skipped', signature: 'skipped' } }, null, null)).toBe(
      'OK: 1234 events, chain verified, balances replayed (no checkpoint to check the Merkle root and signature against)',
    );
    expect(verdictLine({ ...passed, checks: { ...passed.checks, signature: 'skipped' } }, null, 1000)).toBe(
      'OK: 1234 events, chain and Merkle root verified, balances replayed (no public key: signature not checked; consistent with the saved checkpoint of 1000 events)',
    );
  });

  it('a failure at a position names it once', () => {
    expect(verdictLine(passed, { position: 17n, reason: 'position 17: hash does not match its contents' }, null)).toBe(
      'FAILED at position 17: hash does not match its contents',
    );
  });

  it('a failure without a position', () => {
    expect(verdictLine(passed, { reason: 'the Merkle root of positions 1..5 is aa, the checkpoint signs bb' }, null)).toBe(
      'FAILED: the Merkle root of positions 1..5 is aa, the checkpoint signs bb',
    );
  });
});
