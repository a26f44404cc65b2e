import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { AppendRequest, IdempotencyRecord } from '../src';
import { SqliteEventStore, type SqliteEventStoreOptions, type SqliteWriterMode } from '../src/sqlite';
import { rejectionOf } from './support/async';
import { eventId, hashChainFailures, positionsOf, testEvent } from './support/events';
import { poisonProjection, streamStatsCollection, streamStatsProjection, threadExitCode, threadExitProjection } from './support/projections';
import { makeTempDir } from './support/temp-dir';

const readEverything = { afterPosition: 0n, maxCount: 1_000_000 } as const;
/** Each test starts a thread or two (from TypeScript sources here, compiled as they load): allow for a busy machine. */
const threadTestLimitMs = 60_000;

/**
 * Everything a caller can see of an error: its class, name, message, own fields and cause. Not by
 * `instanceof Error`: the driver's SqliteError may come from another realm (see isSqliteError).
 */
function errorView(error: unknown): Record<string, unknown> {
  if (typeof error !== 'object' || error === null || typeof (error as Error).message !== 'string') return { notAnError: String(error) };
  const { stack: _stack, cause, ...fields } = { ...error } as Record<string, unknown>;
  return {
    class: error.constructor.name,
    name: (error as Error).name,
    message: (error as Error).message,
    ...fields,
    ...(cause === undefined ? {} : { cause: errorView(cause) }),
  };
}

const append = (streamName: string, expectedVersion: AppendRequest['streams'][number]['expectedVersion'], n: number, type?: string): AppendRequest => ({
  streams: [{ streamName, expectedVersion, events: [testEvent(n, type === undefined ? {} : { type })] }],
});

describe('SqliteEventStore with a writer thread', () => {
  let temp: ReturnType<typeof makeTempDir>;
  const opened: SqliteEventStore[] = [];

  beforeEach(() => {
    temp = makeTempDir('earmark-sqlite-writer-');
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    temp.remove();
  });

  async function openStore(file: string, options: Partial<SqliteEventStoreOptions> = {}): Promise<SqliteEventStore> {
    const store = new SqliteEventStore({ file, writer: 'thread', ...options });
    opened.push(store);
    await store.init();
    return store;
  }

  /** Each way an append fails, on a fresh file with the given writer. */
  async function failures(writer: SqliteWriterMode): Promise<Record<string, unknown>[]> {
    const file = join(temp.dir, `${writer}.sqlite`);
    const store = await openStore(file, { writer, busyTimeoutMs: 50, projections: [streamStatsProjection(), poisonProjection()] });
    const record: IdempotencyRecord = { scope: 'api-key-1', key: 'key-1', requestHash: 'ab'.repeat(32), status: 201, body: { ok: true } };
    await store.append({ ...append('account-1', 'no-stream', 1), idempotency: record });
    const errors: unknown[] = [
      await rejectionOf(store.append(append('account-1', 'no-stream', 2))),
      await rejectionOf(store.append(append('account-1', 5n, 2))),
      await rejectionOf(store.append({ ...append('account-2', 'no-stream', 3), idempotency: record })),
      await rejectionOf(store.append({ streams: [] })),
      await rejectionOf(store.append(append('', 'any', 4))),
      await rejectionOf(store.append(append('account-3', 'no-stream', 5, 'Poison'))),
    ];
    const lock = new Database(file);
    lock.exec('BEGIN IMMEDIATE');
    errors.push(await rejectionOf(store.append(append('account-4', 'no-stream', 6))));
    lock.exec('ROLLBACK');
    lock.close();
    return errors.map(errorView);
  }

  it('an error from the thread arrives with the class, fields and message it has inline', async () => {
    const inline = await failures('inline');
    const thread = await failures('thread');

    expect(thread).toEqual(inline);
    expect(thread).toEqual([
      {
        class: 'ConcurrencyError',
        name: 'ConcurrencyError',
        message: 'stream account-1: expected version no-stream, actual 0',
        streamName: 'account-1',
        expected: 'no-stream',
        actual: 0n,
      },
      { class: 'ConcurrencyError', name: 'ConcurrencyError', message: 'stream account-1: expected version 5, actual 0', streamName: 'account-1', expected: 5n, actual: 0n },
      { class: 'IdempotencyKeyTakenError', name: 'IdempotencyKeyTakenError', message: 'idempotency key already used', scope: 'api-key-1', key: 'key-1' },
      { class: 'RangeError', name: 'RangeError', message: 'an append names 1..1000 streams, got 0' },
      { class: 'TypeError', name: 'TypeError', message: 'streamName must be a non-empty string' },
      { class: 'Error', name: 'Error', message: `poison event ${eventId(5)}` },
      {
        class: 'EventStoreUnavailableError',
        name: 'EventStoreUnavailableError',
        message: 'SQLite: database is locked',
        cause: { class: 'SqliteError', name: 'SqliteError', message: 'database is locked', code: 'SQLITE_BUSY' },
      },
    ]);
  }, threadTestLimitMs);

  it('a thread that dies fails the batch in flight and every later append, and says why; reads go on', async () => {
    const file = join(temp.dir, 'events.sqlite');
    const store = await openStore(file, { projections: [streamStatsProjection(), threadExitProjection()] });
    await store.append(append('account-1', 'no-stream', 1));

    const inFlight = await Promise.allSettled([
      store.append(append('account-2', 'no-stream', 2)),
      store.append(append('account-3', 'no-stream', 3, 'ExitThread')),
      store.append(append('account-4', 'no-stream', 4)),
    ]);
    const later = await rejectionOf(store.append(append('account-5', 'no-stream', 5)));

    const stopped = `the SQLite writer thread stopped: it exited with code ${threadExitCode}`;
    expect(inFlight.map((outcome) => (outcome.status === 'rejected' ? errorView(outcome.reason) : outcome.status))).toEqual([
      { class: 'EventStoreUnavailableError', name: 'EventStoreUnavailableError', message: stopped },
      { class: 'EventStoreUnavailableError', name: 'EventStoreUnavailableError', message: stopped },
      { class: 'EventStoreUnavailableError', name: 'EventStoreUnavailableError', message: stopped },
    ]);
    expect(errorView(later)).toEqual({ class: 'EventStoreUnavailableError', name: 'EventStoreUnavailableError', message: stopped });
    expect(positionsOf(await store.readAll(readEverything))).toEqual([1n]);
    expect((await store.getDoc(streamStatsCollection, 'account-1'))?.doc).toEqual({ count: 1, lastPosition: '1', lastType: 'Deposited' });
    await store.close();

    const reopened = await openStore(file, { projections: [streamStatsProjection()] });
    expect((await reopened.append(append('account-2', 'no-stream', 2))).lastPosition).toBe(2n);
  }, threadTestLimitMs);

  it('close() with appends in flight and queued answers every one of them, and they are in the file', async () => {
    const file = join(temp.dir, 'events.sqlite');
    const store = await openStore(file, { groupCommit: { maxBatch: 8 }, projections: [streamStatsProjection()] });
    const appends = Array.from({ length: 100 }, (_, i) => store.append(append(`account-${i % 10}`, 'any', i + 1)));

    await store.close();
    const outcomes = await Promise.allSettled(appends);
    const afterClose = await rejectionOf(store.append(append('account-1', 'any', 101)));

    expect(outcomes.map((outcome) => outcome.status)).toEqual(Array.from({ length: 100 }, () => 'fulfilled'));
    expect(errorView(afterClose)).toEqual({ class: 'EventStoreUnavailableError', name: 'EventStoreUnavailableError', message: 'the SQLite event store is closed' });
    const reopened = await openStore(file, { writer: 'inline' });
    const log = await reopened.readAll(readEverything);
    expect(new Set(log.map((event) => event.id))).toEqual(new Set(Array.from({ length: 100 }, (_, i) => eventId(i + 1))));
    expect(hashChainFailures(log)).toEqual([]);
    expect(await reopened.checkpoint('stream-stats')).toBe(100n);
  }, threadTestLimitMs);

  it('a read on the main connection sees every append as soon as it resolves, its projection included', async () => {
    const store = await openStore(join(temp.dir, 'events.sqlite'), { projections: [streamStatsProjection()] });
    const seen: [bigint, bigint, bigint, number][] = [];

    await Promise.all(
      Array.from({ length: 8 }, async (_, writer) => {
        for (let i = 0; i < 25; i += 1) {
          const streamName = `account-${writer}`;
          const result = await store.append(append(streamName, i === 0 ? 'no-stream' : BigInt(i - 1), writer * 100 + i + 1));
          const stream = await store.readStream(streamName);
          const doc = await store.getDoc(streamStatsCollection, streamName);
          seen.push([result.lastPosition, stream[stream.length - 1]!.position, stream[stream.length - 1]!.streamVersion, Number(doc?.doc.count)]);
          expect([stream.length, doc?.doc.count]).toEqual([i + 1, i + 1]);
        }
      }),
    );

    expect(seen).toHaveLength(200);
    expect(seen.filter(([resolved, read]) => resolved !== read)).toEqual([]);
    expect(await store.headPosition()).toBe(200n);
  }, threadTestLimitMs);

  it('an append structured clone refuses (a function in event data, not JSON) fails, and the thread goes on', async () => {
    const store = await openStore(join(temp.dir, 'events.sqlite'));
    const notJson = { streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1, { data: { f: (() => 1) as never } })] }] } as AppendRequest;

    const refused = await rejectionOf(store.append(notJson));
    const next = await store.append(append('account-1', 'no-stream', 2));

    expect((refused as Error).name).toBe('DataCloneError');
    expect(next.lastPosition).toBe(1n);
  }, threadTestLimitMs);

  it('an append structured clone refuses fails alone: the appends batched with it are committed', async () => {
    const store = await openStore(join(temp.dir, 'events.sqlite'));
    const notJson = { streams: [{ streamName: 'account-2', expectedVersion: 'no-stream', events: [testEvent(2, { data: { f: (() => 1) as never } })] }] } as AppendRequest;

    // Sent in one turn, so that the three go in one batch.
    const [first, refused, third] = await Promise.allSettled([
      store.append(append('account-1', 'no-stream', 1)),
      store.append(notJson),
      store.append(append('account-3', 'no-stream', 3)),
    ]);

    expect(first.status === 'fulfilled' && first.value.lastPosition).toBe(1n);
    expect(refused.status === 'rejected' && (refused.reason as Error).name).toBe('DataCloneError');
    expect(third.status === 'fulfilled' && third.value.lastPosition).toBe(2n);
    expect((await store.readAll({ afterPosition: 0n, maxCount: 10 })).map((event) => event.streamName)).toEqual(['account-1', 'account-3']);
  }, threadTestLimitMs);

  it('refuses a projection that names no origin, before opening anything', () => {
    const { origin: _origin, ...bare } = streamStatsProjection();

    expect(() => new SqliteEventStore({ file: join(temp.dir, 'events.sqlite'), writer: 'thread', projections: [bare] })).toThrow(
      'projection stream-stats names no origin, so it cannot run in the SQLite writer thread',
    );
  });
});
