import { ConcurrencyError, type DocumentProjection } from '../../src';
import type { SqliteEventStore } from '../../src/sqlite';
import { rejectionOf } from './async';
import { eventId, hashChainFailures, placesOf, positionsOf, testEvent } from './events';
import { poisonProjection, streamStatsCollection, streamStatsProjection } from './projections';

/** What the SQL stores' group commit is seen through: appends, reads and the projections' documents. */
export type GroupCommitStore = Pick<SqliteEventStore, 'append' | 'readAll' | 'readStream' | 'headPosition' | 'checkpoint' | 'getDoc' | 'listDocs' | 'close'>;

const readEverything = { afterPosition: 0n, maxCount: 1_000_000 } as const;

/**
 * Group commit, the same on SQLite and PostgreSQL: concurrent appends share a transaction, and
 * each is still decided, failed and placed as if it had been alone. Called from each adapter's
 * spec with a function that opens a fresh store on its database.
 */
export function describeGroupCommit<S extends GroupCommitStore>(
  openStore: (options?: { projections?: DocumentProjection[]; groupCommit?: { maxBatch: number } }) => Promise<S>,
): void {
  describe('group commit, on either SQL store', () => {
    it('64 concurrent appends all resolve; a conflicting and a poisoned one in the middle reject alone', async () => {
      const store = await openStore({ projections: [streamStatsProjection(), poisonProjection()] });
      await store.append({ streams: [{ streamName: 'region-000', expectedVersion: 'no-stream', events: [testEvent(1_000)] }] });

      const outcomes = await Promise.allSettled(
        Array.from({ length: 64 }, (_, i) => {
          if (i === 20) return store.append({ streams: [{ streamName: 'region-000', expectedVersion: 'no-stream', events: [testEvent(2_000)] }] });
          if (i === 40) return store.append({ streams: [{ streamName: 'region-040', expectedVersion: 'no-stream', events: [testEvent(40, { type: 'Poison' })] }] });
          return store.append({ streams: [{ streamName: `region-${String(i).padStart(3, '0')}`, expectedVersion: 'any', events: [testEvent(i)] }] });
        }),
      );

      const rejected = outcomes.flatMap((outcome, i) => (outcome.status === 'rejected' ? [[i, outcome.reason as unknown] as const] : []));
      expect(rejected.map(([i]) => i)).toEqual([20, 40]);
      expect(rejected[0]![1]).toBeInstanceOf(ConcurrencyError);
      expect(rejected[0]![1]).toMatchObject({ streamName: 'region-000', expected: 'no-stream', actual: 1n });
      expect((rejected[1]![1] as Error).message).toBe(`poison event ${eventId(40)}`);
      const log = await store.readAll(readEverything);
      expect(positionsOf(log)).toEqual(Array.from({ length: 63 }, (_, i) => BigInt(i + 1)));
      expect(new Set(log.map((event) => event.id))).toEqual(
        new Set([1_000, ...Array.from({ length: 64 }, (_, i) => i).filter((i) => i !== 20 && i !== 40)].map(eventId)),
      );
      expect(hashChainFailures(log)).toEqual([]);
      expect(await store.checkpoint('stream-stats')).toBe(63n);
      expect(await store.getDoc(streamStatsCollection, 'region-040')).toBeNull();
      expect(await store.listDocs(streamStatsCollection, 'region')).toHaveLength(62);
      expect((await store.getDoc(streamStatsCollection, 'region-000'))?.doc).toEqual({ count: 2, lastPosition: '2', lastType: 'Deposited' });
    });
    it('expected-version checks see earlier appends of the same batch', async () => {
      const store = await openStore();

      const outcomes = await Promise.allSettled([
        store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] }),
        store.append({ streams: [{ streamName: 'account-1', expectedVersion: 0n, events: [testEvent(2)] }] }),
        store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(3)] }] }),
        store.append({ streams: [{ streamName: 'account-1', expectedVersion: 1n, events: [testEvent(4)] }] }),
      ]);

      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ name: 'ConcurrencyError', expected: 'no-stream', actual: 1n });
      expect(placesOf(await store.readStream('account-1'))).toEqual([
        [eventId(1), 'account-1', 0n, 1n],
        [eventId(2), 'account-1', 1n, 2n],
        [eventId(4), 'account-1', 2n, 3n],
      ]);
    });
    it('a batch bound smaller than the load splits it over several transactions, in arrival order', async () => {
      const store = await openStore({ groupCommit: { maxBatch: 8 } });

      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => store.append({ streams: [{ streamName: 'account-1', expectedVersion: i === 0 ? 'no-stream' : BigInt(i - 1), events: [testEvent(i + 1)] }] })),
      );

      expect(results.map((result) => result.lastPosition)).toEqual(Array.from({ length: 30 }, (_, i) => BigInt(i + 1)));
      expect(hashChainFailures(await store.readAll(readEverything))).toEqual([]);
    });
    it('a stream with no events is a version guard in a multi-stream append', async () => {
      const store = await openStore();
      await store.append({ streams: [{ streamName: 'fund-2024', expectedVersion: 'no-stream', events: [testEvent(1)] }] });

      const guarded = await store.append({
        streams: [
          { streamName: 'fund-2024', expectedVersion: 0n, events: [] },
          { streamName: 'region-510100', expectedVersion: 'no-stream', events: [testEvent(2)] },
        ],
      });
      const stale = await rejectionOf(
        store.append({
          streams: [
            { streamName: 'fund-2024', expectedVersion: 1n, events: [] },
            { streamName: 'region-510300', expectedVersion: 'no-stream', events: [testEvent(3)] },
          ],
        }),
      );

      expect(guarded.nextExpectedVersions).toEqual([0n, 0n]);
      expect(stale).toMatchObject({ name: 'ConcurrencyError', streamName: 'fund-2024', expected: 1n, actual: 0n });
      expect(await store.headPosition()).toBe(2n);
    });

    it('close() lets appends already queued commit first', async () => {
      const store = await openStore();
      const pending = store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] });

      await store.close();

      expect((await pending).lastPosition).toBe(1n);
      const reopened = await openStore();
      expect(await reopened.headPosition()).toBe(1n);
    });
  });
}
