import type { VerifyReport } from '@earmark/audit';

/** What a check found wrong, placed on a position when it can be. */
export interface Finding {
  readonly position?: bigint;
  readonly reason: string;
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
