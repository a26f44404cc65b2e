import type { DocumentProjection } from '../../src';
import type { SqliteEventStore } from '../../src/sqlite';
import { rejectionOf } from './async';
import { testEvent, testEvents } from './events';
import { streamStatsCollection, streamStatsProjection } from './projections';

/** What the SQL stores offer their document projections: catch-up, reset and a paged rebuild. */
export type ProjectingStore = Pick<
  SqliteEventStore,
  'append' | 'readAll' | 'checkpoint' | 'getDoc' | 'listDocs' | 'listCollection' | 'catchUpProjections' | 'resetProjections' | 'applyProjectionBatch'
>;

const readEverything = { afterPosition: 0n, maxCount: 1_000_000 } as const;

/**
 * The document projections' behaviour on a SQL store, the same for SQLite and PostgreSQL: one
 * suite called from each adapter's spec with a function that opens a fresh store on its database.
 */
export function describeProjectionSink<S extends ProjectingStore>(
  openStore: (options?: { projections?: DocumentProjection[] }) => Promise<S>,
): void {
  describe('projections that are behind the log', () => {
    it('init() catches a projection up; appends skip it while behind; catchUpProjections() brings it back', async () => {
      const cli = await openStore();
      await cli.append({ streams: [{ streamName: 'region-510100', expectedVersion: 'no-stream', events: testEvents(1, 2) }] });
      await cli.append({ streams: [{ streamName: 'region-510300', expectedVersion: 'no-stream', events: [testEvent(3)] }] });

      const api = await openStore({ projections: [streamStatsProjection()] });
      expect(await api.checkpoint('stream-stats')).toBe(3n);

      await cli.append({ streams: [{ streamName: 'region-510100', expectedVersion: 1n, events: [testEvent(4)] }] });
      await api.append({ streams: [{ streamName: 'region-510300', expectedVersion: 0n, events: [testEvent(5)] }] });
      expect(await api.checkpoint('stream-stats')).toBe(3n);
      expect((await api.getDoc(streamStatsCollection, 'region-510300'))?.doc).toEqual({ count: 1, lastPosition: '3', lastType: 'Deposited' });

      await api.catchUpProjections();

      expect(await api.checkpoint('stream-stats')).toBe(5n);
      expect((await api.listDocs(streamStatsCollection, 'region')).map((doc) => [doc.id, doc.doc])).toEqual([
        ['region-510100', { count: 3, lastPosition: '4', lastType: 'Deposited' }],
        ['region-510300', { count: 2, lastPosition: '5', lastType: 'Deposited' }],
      ]);
    });
  });

  describe('rebuild support', () => {
    async function givenProjectedLog(projections: DocumentProjection[]): Promise<S> {
      const store = await openStore({ projections });
      await store.append({ streams: [{ streamName: 'region-510100', expectedVersion: 'no-stream', events: testEvents(1, 3) }] });
      await store.append({ streams: [{ streamName: 'region-510300', expectedVersion: 'no-stream', events: testEvents(4, 5) }] });
      await store.append({ streams: [{ streamName: 'region-510100', expectedVersion: 2n, events: [testEvent(6, { type: 'StreamClosed' })] }] });
      await store.append({ streams: [{ streamName: 'fund-2024', expectedVersion: 'no-stream', events: [testEvent(7)] }] });
      return store;
    }

    it('resetProjections clears the projection; a paged rebuild from zero equals the live result', async () => {
      const stats = streamStatsProjection();
      const store = await givenProjectedLog([stats]);
      const live = await store.listCollection(streamStatsCollection);

      await store.resetProjections(['stream-stats']);
      expect(await store.listCollection(streamStatsCollection)).toEqual([]);
      expect(await store.checkpoint('stream-stats')).toBe(0n);
      let checkpoint = 0n;
      for (;;) {
        const page = await store.readAll({ afterPosition: checkpoint, maxCount: 3 });
        if (page.length === 0) break;
        checkpoint = await store.applyProjectionBatch(stats, page);
      }

      expect(checkpoint).toBe(7n);
      expect(await store.checkpoint('stream-stats')).toBe(7n);
      expect(await store.listCollection(streamStatsCollection)).toEqual(live);
      expect(live.map((doc) => doc.id)).toEqual(['fund-2024', 'region-510300']);
    });

    it('applyProjectionBatch skips events already applied and refuses a gap', async () => {
      const stats = streamStatsProjection();
      const store = await givenProjectedLog([stats]);
      const before = await store.listCollection(streamStatsCollection);
      const log = await store.readAll(readEverything);

      expect(await store.applyProjectionBatch(stats, log)).toBe(7n);
      expect(await store.listCollection(streamStatsCollection)).toEqual(before);

      await store.resetProjections(['stream-stats']);
      const gap = await rejectionOf(store.applyProjectionBatch(stats, log.slice(2)));
      expect(gap).toBeInstanceOf(RangeError);
      expect((gap as Error).message).toBe('projection stream-stats: expected position 1, got 3');
      expect(await store.checkpoint('stream-stats')).toBe(0n);
    });

    it('resetProjections leaves other projections alone', async () => {
      const store = await givenProjectedLog([streamStatsProjection(), countingProjection()]);

      await store.resetProjections(['stream-stats']);

      expect(await store.checkpoint('event-count')).toBe(7n);
      expect((await store.getDoc('event-count', 'all'))?.doc).toEqual({ events: 7 });
    });
  });
}

export function countingProjection(): DocumentProjection {
  return {
    name: 'event-count',
    origin: { module: __filename, exportName: 'countingProjection' },
    refs: () => [{ collection: 'event-count', id: 'all' }],
    apply: (events, docs) => {
      const previous = docs.get('event-count\u0000all')?.doc.events ?? 0;
      return [{ collection: 'event-count', id: 'all', partition: 'all', doc: { events: Number(previous) + events.length } }];
    },
  };
}
