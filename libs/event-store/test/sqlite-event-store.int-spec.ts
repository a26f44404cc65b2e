import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  ConcurrencyError,
  EventStoreUnavailableError,
  type RecordedEvent,
} from '../src';
import { SqliteEventStore, sqliteSchemaVersion, type SqliteEventStoreOptions, type SqliteWriterMode } from '../src/sqlite';
import { describeEventStoreContract } from './event-store.contract';
import { rejectionOf, waitUntil } from './support/async';
import { eventId, hashChainFailures, positionsOf, testEvent, testEvents } from './support/events';
import { recordingProjection, streamStatsCollection, streamStatsProjection } from './support/projections';
import { makeTempDir } from './support/temp-dir';
import { describeGroupCommit } from './support/group-commit-behaviour';
import { describeProjectionSink } from './support/projection-sink-behaviour';

const fixedNow = new Date('2024-01-18T08:30:00.000Z');
const readEverything = { afterPosition: 0n, maxCount: 1_000_000 } as const;

const writerModes: readonly SqliteWriterMode[] = ['inline', 'thread'];
// A store with the writer thread starts one per test, from TypeScript sources compiled as they load.
jest.setTimeout(60_000);

describe.each(writerModes)('SQLite, %s writer', (writer) => {
  describeEventStoreContract(
    `sqlite (${writer} writer)`,
    async (projections) => {
      const temp = makeTempDir('earmark-sqlite-contract-');
      const store = new SqliteEventStore({ file: join(temp.dir, 'events.sqlite'), projections, writer });
      await store.init();
      return {
        store,
        readModels: store,
        close: async () => {
          await store.close();
          temp.remove();
        },
      };
    },
    { inlineProjections: true, projectionsInThisThread: writer === 'inline' },
  );
});

describe.each(writerModes)('SqliteEventStore, %s writer', (writer) => {
  let temp: ReturnType<typeof makeTempDir>;
  let file: string;
  const opened: SqliteEventStore[] = [];

  beforeEach(() => {
    temp = makeTempDir('earmark-sqlite-');
    file = join(temp.dir, 'events.sqlite');
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    temp.remove();
  });

  async function openStore(options: Partial<SqliteEventStoreOptions> = {}): Promise<SqliteEventStore> {
    const store = new SqliteEventStore({ file, clock: () => fixedNow, writer, ...options });
    opened.push(store);
    await store.init();
    return store;
  }

  function rawConnection(): Database.Database {
    const db = new Database(file);
    db.defaultSafeIntegers(true);
    return db;
  }

  describe('durability and schema', () => {
    it('runs in WAL mode with synchronous=FULL, a busy timeout and foreign keys', async () => {
      const store = await openStore();

      expect(store.durabilitySettings()).toEqual({
        journalMode: 'wal',
        synchronous: 2,
        busyTimeoutMs: 5_000,
        foreignKeys: true,
        schemaVersion: sqliteSchemaVersion,
      });
    });

    it('records the schema version in the file, and init() on an existing file keeps its events', async () => {
      const first = await openStore();
      await first.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] });
      await first.close();

      const second = await openStore();

      expect(positionsOf(await second.readStream('account-1'))).toEqual([1n]);
      const db = rawConnection();
      expect(db.pragma('user_version', { simple: true })).toBe(BigInt(sqliteSchemaVersion));
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      db.close();
    });

    it('refuses a file written by a newer schema', async () => {
      const db = rawConnection();
      db.pragma(`user_version = ${sqliteSchemaVersion + 1}`);
      db.close();
      const store = new SqliteEventStore({ file, writer });
      opened.push(store);

      const error = await rejectionOf(store.init());

      expect(error).toBeInstanceOf(EventStoreUnavailableError);
      expect((error as Error).message).toBe(
        `the file has schema version ${sqliteSchemaVersion + 1}, this release knows up to ${sqliteSchemaVersion}`,
      );
    });

    it('refuses to update or delete an event', async () => {
      const store = await openStore();
      await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] });
      const db = rawConnection();

      expect(() => db.prepare("UPDATE events SET data = '{}' WHERE position = 1").run()).toThrow('events are immutable');
      expect(() => db.prepare('DELETE FROM events WHERE position = 1').run()).toThrow('events are immutable');
      db.close();
    });

    it('a resolved append is visible to another connection', async () => {
      const store = await openStore();
      await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 2) }] });

      const db = rawConnection();
      const rows = db.prepare('SELECT position, id FROM events ORDER BY position').all();
      db.close();

      expect(rows).toEqual([
        { position: 1n, id: eventId(1) },
        { position: 2n, id: eventId(2) },
      ]);
    });

    it('stamps recordedAt from the injected clock', async () => {
      const store = await openStore();

      const result = await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 2) }] });

      expect(result.events.map((event) => event.recordedAt)).toEqual(['2024-01-18T08:30:00.000Z', '2024-01-18T08:30:00.000Z']);
    });

    it('rejects appends before init() and after close()', async () => {
      const notInitialised = new SqliteEventStore({ file, writer });
      const before = await rejectionOf(
        notInitialised.append({ streams: [{ streamName: 'account-1', expectedVersion: 'any', events: [testEvent(1)] }] }),
      );
      const store = await openStore();
      await store.close();

      const after = await rejectionOf(store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'any', events: [testEvent(1)] }] }));

      expect(before).toBeInstanceOf(EventStoreUnavailableError);
      expect((before as Error).message).toBe('init() has not run');
      expect(after).toBeInstanceOf(EventStoreUnavailableError);
      expect((after as Error).message).toBe('the SQLite event store is closed');
    });
  });

  // A recording wrapper sees the projection's calls only where it runs: in this thread.
  if (writer === 'inline') {
    describe('group commit', () => {
      it('runs each inline projection once per batch, over all its new events in position order', async () => {
        const { projection, calls } = recordingProjection(streamStatsProjection());
        const store = await openStore({ projections: [projection] });

        await Promise.all(
          Array.from({ length: 8 }, (_, i) => store.append({ streams: [{ streamName: `region-${i % 3}`, expectedVersion: 'any', events: [testEvent(i + 1)] }] })),
        );

        expect(calls.map((call) => call.positions)).toEqual([[1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]]);
        expect((await store.getDoc(streamStatsCollection, 'region-0'))?.doc).toEqual({ count: 3, lastPosition: '7', lastType: 'Deposited' });
        expect(await store.checkpoint('stream-stats')).toBe(8n);
      });
    });
  }

  describeGroupCommit(openStore);

  describe('SQLite failures', () => {
    it('a (stream, version) clash from a writer that bypassed the lock is a ConcurrencyError', async () => {
      const store = await openStore();
      await store.append({ streams: [{ streamName: 'rogue-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] });
      const db = rawConnection();
      db.exec(`CREATE TRIGGER rogue_writer BEFORE INSERT ON events WHEN NEW.stream_name = 'rogue-1' AND NEW.id <> 'rogue'
        BEGIN
          INSERT INTO events (position, id, stream_name, stream_version, type, data, metadata, recorded_at, hash, previous_hash)
          VALUES (NEW.position + 1000, 'rogue', NEW.stream_name, NEW.stream_version, 'Rogue', '{}', '{}', NEW.recorded_at, 'x', 'y');
        END`);
      db.close();

      const error = await rejectionOf(store.append({ streams: [{ streamName: 'rogue-1', expectedVersion: 0n, events: [testEvent(2)] }] }));

      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ streamName: 'rogue-1', expected: 0n, actual: 0n });
      expect(await store.headPosition()).toBe(1n);
    });

    it('a write lock held past the busy timeout fails the batch as EventStoreUnavailableError, and the store recovers', async () => {
      const store = await openStore({ busyTimeoutMs: 50 });
      const db = rawConnection();
      db.exec('BEGIN IMMEDIATE');

      const error = await rejectionOf(store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] }));
      db.exec('ROLLBACK');
      db.close();

      expect(error).toBeInstanceOf(EventStoreUnavailableError);
      expect((error as Error).message).toBe('SQLite: database is locked');
      const retried = await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] });
      expect(retried.lastPosition).toBe(1n);
    });
  });

  describe('two processes on one file (the API and the CLI)', () => {
    it('keep one gapless log and one hash chain, and conflict across connections', async () => {
      const api = await openStore();
      const cli = await openStore();

      await api.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] });
      await cli.append({ streams: [{ streamName: 'account-2', expectedVersion: 'no-stream', events: [testEvent(2)] }] });
      await Promise.all([
        api.append({ streams: [{ streamName: 'account-1', expectedVersion: 0n, events: [testEvent(3)] }] }),
        cli.append({ streams: [{ streamName: 'account-2', expectedVersion: 0n, events: [testEvent(4)] }] }),
      ]);
      const conflict = await rejectionOf(cli.append({ streams: [{ streamName: 'account-1', expectedVersion: 0n, events: [testEvent(5)] }] }));

      expect(conflict).toMatchObject({ name: 'ConcurrencyError', streamName: 'account-1', expected: 0n, actual: 1n });
      const log = await api.readAll(readEverything);
      expect(positionsOf(log)).toEqual([1n, 2n, 3n, 4n]);
      expect(hashChainFailures(log)).toEqual([]);
    });

    it("a subscription sees the other connection's appends by polling", async () => {
      const api = await openStore();
      const cli = await openStore();
      const delivered: RecordedEvent[] = [];
      const subscription = api.subscribe({ afterPosition: 0n, onEvents: async (events) => void delivered.push(...events) });

      await cli.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 2) }] });
      await waitUntil(() => delivered.length >= 2, 'the CLI events');
      await subscription.stop();

      expect(positionsOf(delivered)).toEqual([1n, 2n]);
    });
  });

  describeProjectionSink(openStore);
});

