import type { RegionRegistry } from '@earmark/domain';
// The event-store port's entry point loads no database driver (each adapter is its own entry
// point), so the verifier runs offline with nothing but the events and a key.
import { genesisHash, hashEvent, sha256Hex, type RecordedEvent } from '@earmark/event-store';
import { BalanceReplay } from './balance-replay';
import { canonicalBytesOfLine } from './canonical-line';
import { checkpointBodyProblem, keyIdOf, verifyCheckpoint, type Checkpoint } from './checkpoint';
import { MerkleRootBuilder } from './merkle';
import { pageLinesOf, type PageLines } from './page-lines';

export interface VerifyOptions {
  /** When given, the first treeSize events must have its Merkle root (null: an unsigned export). */
  readonly checkpoint?: Checkpoint | null;
  /** When given with a checkpoint, its signature must verify with this key. */
  readonly publicKeyPem?: string;
  readonly registry: RegionRegistry;
  /** The grace period after the fiscal year that the ledger was run with (default 90 days). */
  readonly latePaymentGraceDays?: number;
}

export interface VerifyInput extends VerifyOptions {
  /** The whole log, in any order. */
  readonly events: readonly RecordedEvent[];
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

/** Pages of the log in position order, as a store or an export file hands them out. */
export type LogPages = AsyncIterable<readonly RecordedEvent[]> | Iterable<readonly RecordedEvent[]>;

type Checks = { -readonly [K in keyof VerifyReport['checks']]: CheckOutcome };

interface Failure {
  readonly position?: bigint;
  readonly reason: string;
}

/**
 * Checks a log offline, from its events alone, and reports the first thing wrong. The order is
 * fixed (chain, Merkle root, signature, balances) so that the same log always gets the same
 * answer, and cheap structural checks come before the replay that trusts their result.
 *
 * The whole log in memory, in any order: it is sorted first. Logs too large to hold go through
 * verifyLedgerStream, which gives the same report.
 */
export function verifyLedger(input: VerifyInput): VerifyReport {
  const verifier = new LedgerVerifier(input);
  verifier.add(inPositionOrder(input.events));
  return verifier.finish();
}

/**
 * verifyLedger over a log read a page at a time, in position order, holding one page and what the
 * checks carry from event to event, never the log. An event out of order is a failure at the
 * position that should have come.
 */
export async function verifyLedgerStream(pages: LogPages, options: VerifyOptions): Promise<VerifyReport> {
  const verifier = new LedgerVerifier(options);
  for await (const page of pages) verifier.add(page);
  return verifier.finish();
}

/**
 * The checks of verifyLedger in one pass over events given in position order. Every check runs on
 * each event as it arrives, and each remembers its first failure; finish() then reports them in
 * the fixed order, the report that running each check over the whole log in turn would give: a
 * log whose balances break at position 10 and whose chain breaks at 900 is reported for its chain.
 */
export class LedgerVerifier {
  private readonly checkpoint: Checkpoint | null;
  private readonly publicKeyPem: string | undefined;
  private events = 0;
  /** The last position the chain check accepted. */
  private lastPosition = 0n;

  private readonly nextVersions = new Map<string, bigint>();
  private previousHash = genesisHash;
  private chainFailure: Failure | null = null;

  /** Null once the checkpoint's prefix is complete, or when there is no checkpoint to check. */
  private rootBuilder: MerkleRootBuilder | null = null;
  private signedPrefixRoot: string | null = null;

  private readonly replay: BalanceReplay;
  private balanceFailure: Failure | null = null;
  /**
   * What the replay threw, if anything. The replay runs before the checks ahead of it have had
   * their say, so a throw waits for the report to reach the balances: a log whose chain, root or
   * signature fails is reported for that.
   */
  private balanceError: { readonly error: unknown } | null = null;
  private finished = false;

  constructor(options: VerifyOptions) {
    this.checkpoint = options.checkpoint ?? null;
    this.publicKeyPem = options.publicKeyPem;
    this.replay = new BalanceReplay(options.registry, { latePaymentGraceDays: options.latePaymentGraceDays });
    if (this.checkpoint !== null && checkpointBodyProblem(this.checkpoint) === null) {
      this.rootBuilder = new MerkleRootBuilder();
      this.takeSignedPrefixRoot();
    }
  }

  /** The next events of the log, in position order. */
  add(page: readonly RecordedEvent[]): void {
    if (this.finished) throw new Error('the verifier has already reported');
    if (this.chainFailure !== null) {
      // The report is the chain's now; the rest of the log is only counted.
      this.events += page.length;
      return;
    }
    const lines = pageLinesOf(page);
    for (let i = 0; i < page.length; i += 1) {
      const event = page[i];
      this.events += 1;
      this.chainFailure = this.chainStep(event, lines !== undefined && lines.events[i] === event ? lineHash(lines, i) : null);
      if (this.chainFailure !== null) {
        this.events += page.length - i - 1;
        return;
      }
      this.lastPosition = event.position;
      if (this.rootBuilder !== null) {
        // The chain check has just proved this is position size + 1 and its hash well formed.
        this.rootBuilder.appendHexLeaf(event.hash);
        this.takeSignedPrefixRoot();
      }
      if (this.balanceFailure === null && this.balanceError === null) this.replayStep(event);
    }
  }

  finish(): VerifyReport {
    if (this.finished) throw new Error('the verifier has already reported');
    this.finished = true;
    const checks: Checks = { chain: 'not-run', merkle: 'not-run', signature: 'not-run', balances: 'not-run' };
    const report = (failure: Failure | null): VerifyReport => {
      if (failure === null) {
        return { ok: true, events: this.events, checkedThrough: this.lastPosition, checks: { ...checks } };
      }
      const at = failure.position;
      return {
        ok: false,
        events: this.events,
        checkedThrough: at === undefined ? 0n : at - 1n,
        ...(at === undefined ? {} : { firstBadPosition: at }),
        reason: failure.reason,
        checks: { ...checks },
      };
    };

    checks.chain = this.chainFailure ? 'failed' : 'passed';
    if (this.chainFailure) return report(this.chainFailure);

    const { checkpoint, publicKeyPem } = this;
    if (checkpoint === null) {
      checks.merkle = 'skipped';
      checks.signature = 'skipped';
    } else {
      const merkleFailure = this.merkleRootFailure(checkpoint);
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

    if (this.balanceError !== null) throw this.balanceError.error;
    const balanceFailure = this.balanceFailure ?? this.recountFailure();
    checks.balances = balanceFailure ? 'failed' : 'passed';
    return report(balanceFailure);
  }

  /** `lineHash`: SHA-256 over the canonical bytes rearranged from the event's export line, when it could be. */
  private chainStep(event: RecordedEvent, lineHash: string | null): Failure | null {
    const expected = BigInt(this.events);
    if (event.position !== expected) {
      if (event.position === expected - 1n) return { position: event.position, reason: `position ${event.position}: recorded twice` };
      // Only a log read out of order comes back to a position already checked: that position is
      // the one recorded twice, as it would be in the log sorted.
      if (event.position >= 1n && event.position < expected) {
        return { position: event.position, reason: `position ${event.position}: recorded twice` };
      }
      const how = expected === 1n ? `the log starts at ${event.position}` : `the log jumps from ${expected - 1n} to ${event.position}`;
      return { position: expected, reason: `position ${expected}: missing (${how})` };
    }
    const nextVersion = this.nextVersions.get(event.streamName) ?? 0n;
    if (event.streamVersion !== nextVersion) {
      return {
        position: expected,
        reason: `position ${expected}: ${event.streamName} goes to version ${event.streamVersion} where ${nextVersion} is due`,
      };
    }
    this.nextVersions.set(event.streamName, nextVersion + 1n);
    if (event.previousHash !== this.previousHash) {
      const whose = expected === 1n ? 'the genesis hash' : `the hash of position ${expected - 1n}`;
      return { position: expected, reason: `position ${expected}: previousHash is not ${whose}` };
    }
    // The line's hash settles it only when it matches: otherwise the event's own encoding decides.
    if (lineHash === event.hash) {
      this.previousHash = event.hash;
      return null;
    }
    let recomputed: string;
    try {
      recomputed = hashEvent(event, event.previousHash);
    } catch (error) {
      return { position: expected, reason: `position ${expected}: cannot be hashed (${(error as Error).message})` };
    }
    if (recomputed !== event.hash) return { position: expected, reason: `position ${expected}: hash does not match its contents` };
    this.previousHash = event.hash;
    return null;
  }

  /** Keeps the root once the checkpoint's prefix is complete: later events are not signed by it. */
  private takeSignedPrefixRoot(): void {
    if (this.rootBuilder === null || this.checkpoint === null || this.rootBuilder.size < this.checkpoint.treeSize) return;
    this.signedPrefixRoot = this.rootBuilder.root().toString('hex');
    this.rootBuilder = null;
  }

  private merkleRootFailure(checkpoint: Checkpoint): Failure | null {
    const problem = checkpointBodyProblem(checkpoint);
    if (problem) return { reason: `the checkpoint is malformed: ${problem}` };
    const { treeSize } = checkpoint;
    if (treeSize > this.events) {
      const missing = BigInt(this.events + 1);
      return {
        position: missing,
        reason: `position ${missing}: missing: the checkpoint signs ${treeSize} events and the log holds ${this.events}, so events were removed`,
      };
    }
    const rootHash = this.signedPrefixRoot;
    // Every event the chain check accepted went into the root, and it accepted them all.
    if (rootHash === null) throw new Error(`the root of positions 1..${treeSize} was never taken from ${this.events} events`);
    if (rootHash !== checkpoint.rootHash) {
      return {
        reason: `the Merkle root of positions 1..${treeSize} is ${rootHash}, the checkpoint signs ${checkpoint.rootHash}: the log is not the one that was signed`,
      };
    }
    return null;
  }

  private replayStep(event: RecordedEvent): void {
    let reason: string | null;
    try {
      reason = this.replay.apply(event);
    } catch (error) {
      this.balanceError = { error };
      return;
    }
    if (reason !== null) this.balanceFailure = { position: event.position, reason: `position ${event.position}: ${reason}` };
  }

  /**
   * The replay checks a running sum after every event; adding every account up afresh once more
   * guards against a posting that reached the running sum but not its account.
   */
  private recountFailure(): Failure | null {
    const recountFen = this.replay.recountFen();
    if (recountFen === 0n) return null;
    return { reason: `after position ${this.lastPosition} the accounts add up to ${recountFen} 分 instead of zero` };
  }
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

/** The chain hash over the canonical bytes of the page's i-th line, or null when they cannot be had from it. */
function lineHash(lines: PageLines, i: number): string | null {
  const bytes = canonicalBytesOfLine(lines.buffers[i], lines.starts[i], lines.ends[i]);
  return bytes === null ? null : sha256Hex(bytes);
}

function inPositionOrder(events: readonly RecordedEvent[]): RecordedEvent[] {
  return [...events].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
}
