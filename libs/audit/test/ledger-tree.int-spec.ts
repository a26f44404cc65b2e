import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerRoot, LedgerTree, treePageSize } from '@earmark/audit';
import type { EventHash, EventStore, NewEvent, ReadAllOptions } from '@earmark/event-store';
import { SqliteEventStore } from '@earmark/event-store/sqlite';

/**
 * The in-memory Merkle tree over a real SQLite store: it reads the log's hashes a page at a time,
 * never the events, and its roots are the roots of the log as readAll gives it.
 */

const fixedNow = new Date('2024-01-18T08:30:00.000Z');
const eventsPerAppend = 500;

const eventNumbered = (n: number): NewEvent => ({
  id: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
  type: 'Deposited',
  data: { amountFen: String(n * 100) },
  metadata: { correlationId: `c-${n}` },
});

/** Appends events numbered from..to, a stream per append of at most eventsPerAppend. */
async function appendNumbered(store: EventStore, from: number, to: number): Promise<void> {
  for (let first = from; first <= to; first += eventsPerAppend) {
    const last = Math.min(first + eventsPerAppend - 1, to);
    const events = Array.from({ length: last - first + 1 }, (_, i) => eventNumbered(first + i));
    await store.append({ streams: [{ streamName: `account-${first}`, expectedVersion: 'no-stream', events }] });
  }
}

/**
 * The store, except that reading the events fails: the tree must do with their hashes. Each read
 * of the hashes leaves the position it read after in `readsAfter`.
 */
function hashesOnly(store: EventStore, readsAfter: bigint[]): EventStore {
  return Object.create(store, {
    readAll: { value: () => Promise.reject(new Error('the tree read the events')) },
    readHashes: {
      value: (options: ReadAllOptions) => {
        readsAfter.push(options.afterPosition);
        return store.readHashes(options);
      },
    },
  }) as EventStore;
}

/** The store, except that its hashes are the given ones. */
function withHashes(store: EventStore, hashes: readonly EventHash[]): EventStore {
  return Object.create(store, {
    readHashes: { value: async () => hashes },
  }) as EventStore;
}

describe('LedgerTree over SQLite', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'earmark-ledger-tree-'));
    store = new SqliteEventStore({ file: join(dir, 'events.sqlite'), clock: () => fixedNow });
    await store.init();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const logOf = () => store.readAll({ afterPosition: 0n, maxCount: 1_000_000 });

  it('catches up over more than a page, from the hashes alone, with the roots of the log readAll gives', async () => {
    const size = treePageSize + 501;
    await appendNumbered(store, 1, size);
    const readsAfter: bigint[] = [];
    const tree = new LedgerTree(hashesOnly(store, readsAfter));

    expect(await tree.catchUp()).toBe(size);
    expect(readsAfter).toEqual([0n, BigInt(treePageSize)]);

    const log = await logOf();
    expect(tree.root(size)).toEqual(ledgerRoot(log));
    expect(tree.root(treePageSize)).toEqual(ledgerRoot(log, treePageSize));
    expect(tree.root(1)).toEqual(ledgerRoot(log, 1));
  });

  it('reads only what was appended since, and its roots stay those of the log', async () => {
    await appendNumbered(store, 1, 10);
    const readsAfter: bigint[] = [];
    const tree = new LedgerTree(hashesOnly(store, readsAfter));
    expect(await tree.catchUp()).toBe(10);

    await appendNumbered(store, 11, 13);

    expect(await tree.catchUp()).toBe(13);
    expect(readsAfter).toEqual([0n, 10n]);
    const log = await logOf();
    expect(tree.root(13)).toEqual(ledgerRoot(log));
    expect(tree.root(10)).toEqual(ledgerRoot(log, 10));
  });

  it('an empty log is a tree of size 0, whose root is the hash of nothing', async () => {
    const tree = new LedgerTree(hashesOnly(store, []));

    expect(await tree.catchUp()).toBe(0);
    expect(tree.root(0)).toEqual(createHash('sha256').digest());
  });

  it('a log that jumps a position cannot be checkpointed', async () => {
    await appendNumbered(store, 1, 3);
    const [first, , third] = await store.readHashes({ afterPosition: 0n, maxCount: 3 });
    const tree = new LedgerTree(withHashes(store, [first, third]));

    await expect(tree.catchUp()).rejects.toThrow(new Error('the log jumps from position 1 to 3: it cannot be checkpointed'));
  });

  it('a hash that is not 64 lowercase hex digits is refused', async () => {
    await appendNumbered(store, 1, 2);
    const [first, second] = await store.readHashes({ afterPosition: 0n, maxCount: 2 });
    const tree = new LedgerTree(withHashes(store, [first, { position: second.position, hash: second.hash.toUpperCase() }]));

    await expect(tree.catchUp()).rejects.toThrow(new TypeError('position 2: hash is not 64 lowercase hex digits'));
  });
});
