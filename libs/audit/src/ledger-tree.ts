import { eventLeaf } from './event-leaves';
import { MerkleTree } from './merkle';
import { eventLoopSliceMs, pauseEvery, type EventStore } from '@earmark/event-store';

/** Event hashes read per page while the tree catches up with the log. */
export const treePageSize = 2_000;

/**
 * The Merkle tree over the log's event hashes, kept in memory and caught up with the store on
 * demand: the first use reads the log's hashes once, later ones only those appended since. The tree
 * answers roots and proofs for every size up to its own, so it never has to be rebuilt.
 */
export class LedgerTree {
  private readonly tree = new MerkleTree();
  private reading: Promise<number> | null = null;

  constructor(private readonly store: EventStore) {}

  get size(): number {
    return this.tree.size;
  }

  /**
   * Reads everything appended beyond the tree and returns the new size. Callers that arrive while
   * a read is under way share it: two readers appending the same pages would corrupt the tree.
   */
  catchUp(): Promise<number> {
    if (this.reading === null) {
      this.reading = this.readNewHashes().finally(() => {
        this.reading = null;
      });
    }
    return this.reading;
  }

  /** Catches up until the tree holds at least `size` events or the log has no more. */
  async cover(size: number): Promise<number> {
    while (this.tree.size < size) {
      const before = this.tree.size;
      // A shared read may have started before the events this caller knows of were appended.
      if ((await this.catchUp()) === before) break;
    }
    return this.tree.size;
  }

  root(size: number): Buffer {
    return this.tree.root(size);
  }

  inclusionProof(leafIndex: number, size: number): Buffer[] {
    return this.tree.inclusionProof(leafIndex, size);
  }

  consistencyProof(oldSize: number, size: number): Buffer[] {
    return this.tree.consistencyProof(oldSize, size);
  }

  private async readNewHashes(): Promise<number> {
    // An embedded store answers each read within the turn: a million hashes would hold the event
    // loop for seconds without a pause between pages.
    const pause = pauseEvery(eventLoopSliceMs);
    for (;;) {
      await pause();
      // The hashes alone: the leaves are the events' hashes, and reading the events would parse them all.
      const page = await this.store.readHashes({ afterPosition: BigInt(this.tree.size), maxCount: treePageSize });
      for (const event of page) {
        // Leaf i must be position i + 1, or every root after it would stand for another log.
        const expected = BigInt(this.tree.size + 1);
        if (event.position !== expected) {
          throw new Error(`the log jumps from position ${expected - 1n} to ${event.position}: it cannot be checkpointed`);
        }
        this.tree.append(eventLeaf(event));
      }
      if (page.length < treePageSize) return this.tree.size;
    }
  }
}
