import { isMainThread } from 'node:worker_threads';
import type { DocRef, DocumentProjection, DocWrite, RecordedEvent, StoredDoc } from '../../src/event-store.port';
import { docKey } from '../../src/event-store.port';

export const streamStatsCollection = 'stream-stats';

/** The category of `<category>-<id>`. */
const categoryOf = (streamName: string): string => streamName.slice(0, Math.max(0, streamName.indexOf('-'))) || streamName;

/**
 * One document per stream: how many events it holds and the last position seen. A `StreamClosed`
 * event deletes the document, to exercise deletes.
 */
export function streamStatsProjection(name = 'stream-stats'): DocumentProjection {
  return {
    name,
    origin: { module: __filename, exportName: 'streamStatsProjection', args: [name] },
    refs: (events) => events.map((event) => ({ collection: streamStatsCollection, id: event.streamName })),
    apply: (events, docs) => {
      const current = new Map<string, StoredDoc | null>(docs);
      const written = new Map<string, DocWrite>();
      for (const event of events) {
        const ref: DocRef = { collection: streamStatsCollection, id: event.streamName };
        const key = docKey(ref);
        if (event.type === 'StreamClosed') {
          current.set(key, null);
          written.set(key, { ...ref, partition: categoryOf(event.streamName), doc: null });
          continue;
        }
        const previous = current.get(key) ?? null;
        const count = previous === null ? 1 : Number(previous.doc.count) + 1;
        const doc = { count, lastPosition: event.position.toString(), lastType: event.type };
        const stored: StoredDoc = { ...ref, partition: categoryOf(event.streamName), doc };
        current.set(key, stored);
        written.set(key, stored);
      }
      return [...written.values()];
    },
  };
}

/** Throws on any `Poison` event, so that a test can see the append roll back with it. */
export function poisonProjection(name = 'poison'): DocumentProjection {
  return {
    name,
    origin: { module: __filename, exportName: 'poisonProjection', args: [name] },
    refs: () => [],
    apply: (events) => {
      const poison = events.find((event) => event.type === 'Poison');
      if (poison !== undefined) throw new Error(`poison event ${poison.id}`);
      return [];
    },
  };
}

export interface ProjectionCall {
  readonly eventIds: string[];
  readonly positions: bigint[];
  readonly docs: [string, StoredDoc | null][];
}

/** Wraps a projection and records what each call received. */
export function recordingProjection(inner: DocumentProjection): { projection: DocumentProjection; calls: ProjectionCall[] } {
  const calls: ProjectionCall[] = [];
  const projection: DocumentProjection = {
    name: inner.name,
    refs: (events) => inner.refs(events),
    apply: (events: readonly RecordedEvent[], docs) => {
      calls.push({
        eventIds: events.map((event) => event.id),
        positions: events.map((event) => event.position),
        docs: [...docs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      });
      return inner.apply(events, docs);
    },
  };
  return { projection, calls };
}

/**
 * Ends the thread it runs in on an `ExitThread` event, as a crash of the SQLite writer thread
 * would. For a store that runs its projections in a thread of its own: in the test's thread it throws.
 */
export function threadExitProjection(name = 'thread-exit'): DocumentProjection {
  return {
    name,
    origin: { module: __filename, exportName: 'threadExitProjection', args: [name] },
    refs: () => [],
    apply: (events) => {
      if (events.some((event) => event.type === 'ExitThread')) {
        if (isMainThread) throw new Error('threadExitProjection ends worker threads only');
        process.exit(threadExitCode);
      }
      return [];
    },
  };
}

export const threadExitCode = 7;
