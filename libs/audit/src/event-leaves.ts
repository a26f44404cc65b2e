import type { EventHash, RecordedEvent } from '@earmark/event-store';
import { signCheckpoint, type Checkpoint } from './checkpoint';
import { MerkleRootBuilder } from './merkle';

const eventHashPattern = /^[0-9a-f]{64}$/;

/** An event's Merkle leaf: the 32 bytes its hex hash stands for (docs/hash-chain.md §2). */
export function eventLeaf(event: EventHash): Buffer {
  if (!eventHashPattern.test(event.hash)) {
    throw new TypeError(`position ${event.position}: hash is not 64 lowercase hex digits`);
  }
  return Buffer.from(event.hash, 'hex');
}

/**
 * The root over the first `treeSize` events (all by default), which must be positions 1..n in
 * order: the caller reads them from the store that way, and a root over anything else would be
 * a root of another log.
 */
export function ledgerRoot(events: readonly RecordedEvent[], treeSize: number = events.length): Buffer {
  if (!Number.isSafeInteger(treeSize) || treeSize < 0 || treeSize > events.length) {
    throw new RangeError(`tree size ${treeSize} is outside a log of ${events.length}`);
  }
  const builder = new MerkleRootBuilder();
  for (let i = 0; i < treeSize; i += 1) {
    const event = events[i];
    if (event.position !== BigInt(i + 1)) throw new RangeError(`event ${i + 1} of the log is position ${event.position}`);
    builder.append(eventLeaf(event));
  }
  return builder.root();
}

/** Signs the root of the whole log as it stands: what the ledger publishes after appending. */
export function issueCheckpoint(events: readonly RecordedEvent[], issuedAt: string, privateKeyPem: string): Checkpoint {
  return signCheckpoint({ treeSize: events.length, rootHash: ledgerRoot(events).toString('hex'), issuedAt }, privateKeyPem);
}
