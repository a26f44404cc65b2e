import type { RegionRegistry } from '@earmark/domain';
import type { RecordedEvent } from '@earmark/event-store';
// The module itself, not the package: the package index also loads the database adapters, and
// the verifier must run offline with nothing but the events and a key.
import { genesisHash, hashEvent } from '../../event-store/src/event-hash';
import { BalanceReplay, type BalanceReplayOptions } from './balance-replay';
import { checkpointBodyProblem, keyIdOf, verifyCheckpoint, type Checkpoint } from './checkpoint';
import { ledgerRoot } from './event-leaves';

export interface VerifyInput {
  /** The whole log, in any order. */
  readonly events: readonly RecordedEvent[];
  /** When given, the first treeSize events must have its Merkle root (null: an unsigned export). */
  readonly checkpoint?: Checkpoint | null;
  /** When given with a checkpoint, its signature must verify with this key. */
  readonly publicKeyPem?: string;
  readonly registry: RegionRegistry;
  /** The grace period after the fiscal year that the ledger was run with (default 90 days). */
  readonly latePaymentGraceDays?: number;
}

/**
 * passed: ran and held; failed: ran and found the reason; skipped: nothing to check it with (no
 * checkpoint, no key); not-run: an earlier check failed first.
 */
export type CheckOutcome = 'passed' | 'failed' | 'skipped' | 'not-run';

export interface VerifyReport {
  readonly ok: boolean;
  readonly events: number;
  /**
   * The last position through which every check holds: the one before the first bad position, or
   * 0n when the failure cannot be placed on a position (a root or signature that does not match
   * says the signed prefix differs, not where) or there are no events.
   */
  readonly checkedThrough: bigint;
  readonly firstBadPosition?: bigint;
  /** Plain words, starting with "position N: " whenever the failure has a position. */
  readonly reason?: string;
  readonly checks: {
    /** Positions 1..n without gaps, stream versions without gaps, every hash chained and recomputed. */
    readonly chain: CheckOutcome;
    /** The RFC 9162 root of the first treeSize event hashes equals the checkpoint's. */
    readonly merkle: CheckOutcome;
    /** The checkpoint's Ed25519 signature verifies with the given public key. */
    readonly signature: CheckOutcome;
    /**
     * The independent replay: conservation, earmark, hierarchy, no overdraft, zero sum; money only
     * from the funding root; pass-down documents; settlement arithmetic; top-ups only after
     * settlement and within what it owes; settled subtrees closed; possible dates.
     */
    readonly balances: CheckOutcome;
  };
}

type Checks = { -readonly [K in keyof VerifyReport['checks']]: CheckOutcome };

interface Failure {
  readonly position?: bigint;
  readonly reason: string;
}

/**
 * Checks a log offline, from its events alone, and stops at the first thing wrong. The order is
 * fixed (chain, Merkle root, signature, balances) so that the same log always gets the same
 * answer, and cheap structural checks come before the replay that trusts their result.
 */
export function verifyLedger(input: VerifyInput): VerifyReport {
  const events = inPositionOrder(input.events);
  const checks: Checks = { chain: 'not-run', merkle: 'not-run', signature: 'not-run', balances: 'not-run' };
  const report = (failure: Failure | null): VerifyReport => {
    if (failure === null) {
      return { ok: true, events: events.length, checkedThrough: lastPosition(events), checks: { ...checks } };
    }
    const at = failure.position;
    return {
      ok: false,
      events: events.length,
      checkedThrough: at === undefined ? 0n : at - 1n,
      ...(at === undefined ? {} : { firstBadPosition: at }),
      reason: failure.reason,
      checks: { ...checks },
    };
  };

  const chainFailure = checkChain(events);
  checks.chain = chainFailure ? 'failed' : 'passed';
  if (chainFailure) return report(chainFailure);

  const { checkpoint, publicKeyPem } = input;
  if (checkpoint === undefined || checkpoint === null) {
    checks.merkle = 'skipped';
    checks.signature = 'skipped';
  } else {
    const merkleFailure = checkMerkleRoot(events, checkpoint);
    checks.merkle = merkleFailure ? 'failed' : 'passed';
    if (merkleFailure) return report(merkleFailure);

    if (publicKeyPem === undefined) {
      checks.signature = 'skipped';
    } else {
      const signatureFailure = checkSignature(checkpoint, publicKeyPem);
      checks.signature = signatureFailure ? 'failed' : 'passed';
      if (signatureFailure) return report(signatureFailure);
    }
  }

  const balanceFailure = checkBalances(events, input.registry, { latePaymentGraceDays: input.latePaymentGraceDays });
  checks.balances = balanceFailure ? 'failed' : 'passed';
  return report(balanceFailure);
}

function checkChain(events: readonly RecordedEvent[]): Failure | null {
  const nextVersions = new Map<string, bigint>();
  let previousHash = genesisHash;
  for (let i = 0; i < events.length; i += 1) {
    const event = events[i];
    const expected = BigInt(i + 1);
    if (event.position !== expected) {
      if (event.position === expected - 1n) return { position: event.position, reason: `position ${event.position}: recorded twice` };
      const how = i === 0 ? `the log starts at ${event.position}` : `the log jumps from ${expected - 1n} to ${event.position}`;
      return { position: expected, reason: `position ${expected}: missing (${how})` };
    }
    const at = `position ${expected}`;
    const nextVersion = nextVersions.get(event.streamName) ?? 0n;
    if (event.streamVersion !== nextVersion) {
      return {
        position: expected,
        reason: `${at}: ${event.streamName} goes to version ${event.streamVersion} where ${nextVersion} is due`,
      };
    }
    nextVersions.set(event.streamName, nextVersion + 1n);
    if (event.previousHash !== previousHash) {
      const whose = i === 0 ? 'the genesis hash' : `the hash of position ${expected - 1n}`;
      return { position: expected, reason: `${at}: previousHash is not ${whose}` };
    }
    let recomputed: string;
    try {
      recomputed = hashEvent(event, event.previousHash);
    } catch (error) {
      return { position: expected, reason: `${at}: cannot be hashed (${(error as Error).message})` };
    }
    if (recomputed !== event.hash) return { position: expected, reason: `${at}: hash does not match its contents` };
    previousHash = event.hash;
  }
  return null;
}

function checkMerkleRoot(events: readonly RecordedEvent[], checkpoint: Checkpoint): Failure | null {
  const problem = checkpointBodyProblem(checkpoint);
  if (problem) return { reason: `the checkpoint is malformed: ${problem}` };
  const { treeSize } = checkpoint;
  if (treeSize > events.length) {
    const missing = BigInt(events.length + 1);
    return {
      position: missing,
      reason: `position ${missing}: missing: the checkpoint signs ${treeSize} events and the log holds ${events.length}, so events were removed`,
    };
  }
  // The chain check has already proved positions 1..n and every hash well formed.
  const rootHash = ledgerRoot(events, treeSize).toString('hex');
  if (rootHash !== checkpoint.rootHash) {
    return {
      reason: `the Merkle root of positions 1..${treeSize} is ${rootHash}, the checkpoint signs ${checkpoint.rootHash}: the log is not the one that was signed`,
    };
  }
  return null;
}

function checkSignature(checkpoint: Checkpoint, publicKeyPem: string): Failure | null {
  let verified: boolean;
  try {
    verified = verifyCheckpoint(checkpoint, publicKeyPem);
  } catch (error) {
    return { reason: `the public key cannot be used: ${(error as Error).message}` };
  }
  if (verified) return null;
  return {
    reason: `the checkpoint's signature (key ${checkpoint.keyId}) does not verify with the public key given (key ${keyIdOf(publicKeyPem)})`,
  };
}

function checkBalances(events: readonly RecordedEvent[], registry: RegionRegistry, options: BalanceReplayOptions): Failure | null {
  const replay = new BalanceReplay(registry, options);
  for (const event of events) {
    const reason = replay.apply(event);
    if (reason !== null) return { position: event.position, reason: `position ${event.position}: ${reason}` };
  }
  // The replay checks a running sum after every event; adding every account up afresh once more
  // guards against a posting that reached the running sum but not its account.
  const recountFen = replay.recountFen();
  if (recountFen !== 0n) {
    return { reason: `after position ${lastPosition(events)} the accounts add up to ${recountFen} 分 instead of zero` };
  }
  return null;
}

function inPositionOrder(events: readonly RecordedEvent[]): RecordedEvent[] {
  return [...events].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
}

function lastPosition(events: readonly RecordedEvent[]): bigint {
  return events.length === 0 ? 0n : events[events.length - 1].position;
}
