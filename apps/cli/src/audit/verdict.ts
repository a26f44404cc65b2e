import { keyIdOf, ledgerRoot, verifyCheckpoint, type Checkpoint, type VerifyReport } from '@earmark/audit';
import type { RecordedEvent } from '@earmark/event-store';

/** What a check found wrong, placed on a position when it can be. */
export interface Finding {
  readonly position?: bigint;
  readonly reason: string;
}

/**
 * A checkpoint the auditor kept from earlier: the log must still hold its first treeSize events
 * unchanged. A log checked only against its own latest checkpoint cannot show that its tail was
 * cut together with the checkpoints that covered it; a copy kept outside can.
 * `events` must already have passed the chain check (positions 1..n).
 */
export function checkSavedCheckpoint(events: readonly RecordedEvent[], saved: Checkpoint, publicKeyPem: string | undefined): Finding | null {
  if (saved.treeSize > events.length) {
    const missing = BigInt(events.length + 1);
    return {
      position: missing,
      reason: `missing: the saved checkpoint signs ${saved.treeSize} events and the log holds ${events.length}, so events were removed`,
    };
  }
  const rootHash = ledgerRoot(events, saved.treeSize).toString('hex');
  if (rootHash !== saved.rootHash) {
    return {
      reason:
        `the log is not consistent with the saved checkpoint: the Merkle root of positions 1..${saved.treeSize} is ${rootHash}, ` +
        `the saved checkpoint signs ${saved.rootHash}, so those events were rewritten`,
    };
  }
  if (publicKeyPem !== undefined && !verifyCheckpoint(saved, publicKeyPem)) {
    return {
      reason: `the saved checkpoint's signature (key ${saved.keyId}) does not verify with the public key given (key ${keyIdOf(publicKeyPem)})`,
    };
  }
  return null;
}

/** The first failure of the report, else of the saved checkpoint. */
export function firstFinding(report: VerifyReport, saved: Finding | null): Finding | null {
  if (!report.ok) return { position: report.firstBadPosition, reason: report.reason ?? 'failed' };
  return saved;
}

/** One line: `OK: 1234 events, chain, Merkle root and signature verified, balances replayed` or `FAILED at position 17: …`. */
export function verdictLine(report: VerifyReport, failure: Finding | null, savedTreeSize: number | null): string {
  if (failure !== null) {
    if (failure.position === undefined) return `FAILED: ${failure.reason}`;
    const prefix = `position ${failure.position}: `;
    const reason = failure.reason.startsWith(prefix) ? failure.reason.slice(prefix.length) : failure.reason;
    return `FAILED at position ${failure.position}: ${reason}`;
  }
  const verified = [
    report.checks.chain === 'passed' ? 'chain' : null,
    report.checks.merkle === 'passed' ? 'Merkle root' : null,
    report.checks.signature === 'passed' ? 'signature' : null,
  ].filter((name): name is string => name !== null);
  const list = verified.length > 1 ? `${verified.slice(0, -1).join(', ')} and ${verified[verified.length - 1]}` : verified.join('');
  const notes: string[] = [];
  if (report.checks.merkle === 'skipped') notes.push('no checkpoint to check the Merkle root and signature against');
  else if (report.checks.signature === 'skipped') notes.push('no public key: signature not checked');
  if (savedTreeSize !== null) notes.push(`consistent with the saved checkpoint of ${savedTreeSize} events`);
  return `OK: ${report.events} events, ${list} verified, balances replayed${notes.length ? ` (${notes.join('; ')})` : ''}`;
}
