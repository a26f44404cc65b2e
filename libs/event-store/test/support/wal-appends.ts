import type { EventStore } from '../../src/event-store.port';
import type { SqliteEventStore } from '../../src/sqlite';
import { testEvent } from './events';

/**
 * `count` appends at once, each a new stream `account-<n>` from n = `from` with one event of some
 * 400 bytes: a few hundred pages of SQLite WAL, far below the count at which a commit checkpoints
 * on its own.
 */
export async function appendPayments(store: Pick<EventStore, 'append'>, from: number, count: number): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      store.append({ streams: [{ streamName: `account-${from + i}`, expectedVersion: 'no-stream', events: [testEvent(from + i, { data: { note: 'x'.repeat(400) } })] }] }),
    ),
  );
}

/** Ends the store's checkpointer thread as its own failure would: the store sees it exit, not close. */
export async function endCheckpointerThread(store: SqliteEventStore): Promise<void> {
  await (store as unknown as { checkpointer: { worker: { terminate(): Promise<number> } } }).checkpointer.worker.terminate();
}
