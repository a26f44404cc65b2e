import { Client } from 'pg';
import {
  ConcurrencyError,
  EventStoreUnavailableError,
  type RecordedEvent,
} from '../src';
import { PostgresEventStore, type PostgresEventStoreOptions } from '../src/postgres';
import { describeEventStoreContract } from './event-store.contract';
import { rejectionOf, waitUntil } from './support/async';
import { eventId, hashChainFailures, placesOf, positionsOf, testEvent, testEvents, versionsOf } from './support/events';
import { describeGroupCommit } from './support/group-commit-behaviour';
import { createTestDatabase } from './support/postgres-test-db';
import { describeProjectionSink } from './support/projection-sink-behaviour';

describeEventStoreContract('postgres', async (projections) => {
  const database = await createTestDatabase();
  const store = new PostgresEventStore({ connectionString: database.url, projections });
  try {
    await store.init();
  } catch (error) {
    await store.close();
    await database.drop();
    throw error;
  }
  return {
    store,
    readModels: store,
    close: async () => {
      await store.close();
      await database.drop();
    },
  };
});

const fixedNow = new Date('2024-01-18T08:30:00.000Z');
const readEverything = { afterPosition: 0n, maxCount: 1_000_000 } as const;
const twoProcessTestLimitMs = 120_000;

describe('PostgresEventStore', () => {
  let database: { url: string; drop(): Promise<void> };
  const opened: PostgresEventStore[] = [];
  const rawClients: Client[] = [];

  beforeEach(async () => {
    database = await createTestDatabase();
  });

  afterEach(async () => {
    await Promise.all(rawClients.splice(0).map((client) => client.end()));
    await Promise.all(opened.splice(0).map((store) => store.close()));
    await database.drop();
  });

  /** A store with its own pool, as a separate process would have. */
  async function openStore(options: Partial<PostgresEventStoreOptions> = {}): Promise<PostgresEventStore> {
    const store = new PostgresEventStore({ connectionString: database.url, clock: () => fixedNow, ...options });
    opened.push(store);
    await store.init();
    return store;
  }

  async function rawConnection(): Promise<Client> {
    const client = new Client({ connectionString: database.url });
    rawClients.push(client);
    await client.connect();
    return client;
  }

  describe('two processes on one database', () => {
    it(
      '16 writers through two stores: every event once, positions 1..n, one chain, and a subscription sees all in order',
      async () => {
        const [first, second] = [await openStore(), await openStore()];
        const writers = 16;
        const appendsPerWriter = 120;
        const eventsPerAppend = 2;
        const total = writers * appendsPerWriter * eventsPerAppend;
        const delivered: RecordedEvent[] = [];
        const subscription = first.subscribe({ afterPosition: 0n, batchSize: 97, onEvents: async (events) => void delivered.push(...events) });

        const writer = async (w: number): Promise<void> => {
          for (let i = 0; i < appendsPerWriter; i += 1) {
            const through = (w + i) % 2 === 0 ? first : second;
            const n = (w * appendsPerWriter + i) * eventsPerAppend;
            await through.append({
              streams: [
                {
                  streamName: `writer-${w}`,
                  expectedVersion: i === 0 ? 'no-stream' : BigInt(i * eventsPerAppend - 1),
                  events: testEvents(n + 1, n + eventsPerAppend),
                },
              ],
            });
          }
        };
        await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
        await waitUntil(() => delivered.length >= total, `${total} events delivered`, 30_000);
        await subscription.stop();

        const expectedPositions = Array.from({ length: total }, (_, i) => BigInt(i + 1));
        const log = await second.readAll(readEverything);
        expect(positionsOf(log)).toEqual(expectedPositions);
        expect(new Set(log.map((event) => event.id)).size).toBe(total);
        expect(hashChainFailures(log)).toEqual([]);
        expect(delivered).toEqual(log);
        expect(await first.readAll(readEverything)).toEqual(log);
        expect(await first.headPosition()).toBe(BigInt(total));
        for (let w = 0; w < writers; w += 1) {
          expect(versionsOf(await second.readStream(`writer-${w}`))).toEqual(
            Array.from({ length: appendsPerWriter * eventsPerAppend }, (_, i) => BigInt(i)),
          );
        }
      },
      twoProcessTestLimitMs,
    );

    it(
      'racing appends to one stream through two stores: exactly one wins each version, the others get ConcurrencyError',
      async () => {
        const stores = [await openStore(), await openStore()];
        const rounds = 30;
        const racers = 8;
        const winners: string[] = [];
        for (let version = 0; version < rounds; version += 1) {
          const expectedVersion = version === 0 ? ('no-stream' as const) : BigInt(version - 1);
          const outcomes = await Promise.allSettled(
            Array.from({ length: racers }, (_, r) =>
              stores[r % 2].append({ streams: [{ streamName: 'fund-2024', expectedVersion, events: [testEvent(version * 100 + r)] }] }),
            ),
          );

          const won = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
          const lost = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
          expect(won).toHaveLength(1);
          expect(won[0].nextExpectedVersions).toEqual([BigInt(version)]);
          expect(lost).toHaveLength(racers - 1);
          for (const error of lost) {
            expect(error).toBeInstanceOf(ConcurrencyError);
            expect(error).toMatchObject({ streamName: 'fund-2024', expected: expectedVersion, actual: BigInt(version) });
          }
          winners.push(won[0].events[0].id);
        }

        const stream = await stores[1].readStream('fund-2024');
        expect(versionsOf(stream)).toEqual(Array.from({ length: rounds }, (_, i) => BigInt(i)));
        expect(stream.map((event) => event.id)).toEqual(winners);
        expect(positionsOf(stream)).toEqual(Array.from({ length: rounds }, (_, i) => BigInt(i + 1)));
      },
      twoProcessTestLimitMs,
    );

    it('migrating one empty database from four stores at once: all start, and the schema is recorded once', async () => {
      const stores = Array.from({ length: 4 }, () => new PostgresEventStore({ connectionString: database.url }));
      opened.push(...stores);

      await Promise.all(stores.map((store) => store.init()));
      await stores[3].append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] });

      const { rows } = await (await rawConnection()).query<{ version: number }>('SELECT version FROM earmark_schema_migrations');
      expect(rows.map((row) => row.version)).toEqual([1, 2]);
      expect(positionsOf(await stores[0].readAll(readEverything))).toEqual([1n]);
    });

    it('a subscription still delivers after its LISTEN connection is killed', async () => {
      const api = await openStore();
      const cli = await openStore();
      const delivered: RecordedEvent[] = [];
      const subscription = api.subscribe({ afterPosition: 0n, onEvents: async (events) => void delivered.push(...events) });
      await cli.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] });
      await waitUntil(() => delivered.length >= 1, 'the first event');

      const raw = await rawConnection();
      const killed = await raw.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'`,
      );
      expect(killed.rowCount).toBeGreaterThanOrEqual(1);
      await cli.append({ streams: [{ streamName: 'account-1', expectedVersion: 0n, events: [testEvent(2)] }] });
      await waitUntil(() => delivered.length >= 2, 'the event appended after the kill');
      await subscription.stop();

      expect(placesOf(delivered)).toEqual([
        [eventId(1), 'account-1', 0n, 1n],
        [eventId(2), 'account-1', 1n, 2n],
      ]);
    });
  });

  describe('group commit', () => {
    it('a batch refused by a row written without the head lock is retried append by append: only the clashing one fails', async () => {
      const store = await openStore();
      await store.append({ streams: [{ streamName: 'rogue-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] });
      await (await rawConnection()).query(rogueWriterOn('rogue-1'));

      const outcomes = await Promise.allSettled([
        store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(2)] }] }),
        store.append({ streams: [{ streamName: 'rogue-1', expectedVersion: 0n, events: [testEvent(3)] }] }),
        store.append({ streams: [{ streamName: 'account-2', expectedVersion: 'no-stream', events: [testEvent(4)] }] }),
      ]);

      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ name: 'ConcurrencyError', streamName: 'rogue-1', expected: 0n, actual: 0n });
      const log = await store.readAll(readEverything);
      expect(placesOf(log)).toEqual([
        [eventId(1), 'rogue-1', 0n, 1n],
        [eventId(2), 'account-1', 0n, 2n],
        [eventId(4), 'account-2', 0n, 3n],
      ]);
      expect(hashChainFailures(log)).toEqual([]);
    });
  });

  describeGroupCommit(openStore);

  describe('idempotency lookups', () => {
    it('lookups made in the same turn share a query and each gets its own record, or null', async () => {
      const store = await openStore();
      const record = (key: string) => ({ scope: 'api-key-sichuan', key, requestHash: 'ab'.repeat(32), status: 201, body: { key } });
      await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }], idempotency: record('k-1') });
      await store.append({ streams: [{ streamName: 'account-2', expectedVersion: 'no-stream', events: [testEvent(2)] }], idempotency: record('k-2') });

      const found = await Promise.all([
        store.findIdempotency('api-key-sichuan', 'k-2'),
        store.findIdempotency('api-key-sichuan', 'k-3'),
        store.findIdempotency('another-key', 'k-1'),
        store.findIdempotency('api-key-sichuan', 'k-1'),
      ]);

      expect(found).toEqual([{ ...record('k-2'), position: 2n }, null, null, { ...record('k-1'), position: 1n }]);
    });
  });

  describe('what is stored', () => {
    it('ids, numbers, strings and key order come back exactly as given, so the hash recomputes from the row', async () => {
      const store = await openStore();
      const data = {
        zeta: 1,
        alpha: [0.1, 1e21, 5e-324, -1.5e-7, 9007199254740991],
        nul: 'a\u0000b',
        loneSurrogate: '\ud800',
        escapes: '"\\/\n\t\u2028',
        tile: '🀄',
      };
      const upperCaseId = 'AAAAAAAA-0000-4000-8000-00000000000A';

      await store.append({
        streams: [{ streamName: 'shape-1', expectedVersion: 'no-stream', events: [{ id: upperCaseId, type: 'Shaped', data, metadata: { b: 2, a: 1 } }] }],
      });

      const [event] = await store.readStream('shape-1');
      expect(event.id).toBe(upperCaseId);
      expect(Object.keys(event.data)).toEqual(['zeta', 'alpha', 'nul', 'loneSurrogate', 'escapes', 'tile']);
      expect(event.data).toEqual(data);
      expect(event.recordedAt).toBe('2024-01-18T08:30:00.000Z');
      expect(hashChainFailures([event])).toEqual([]);
    });

    it('refuses to update, delete or truncate a recorded event', async () => {
      const store = await openStore();
      await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] });
      const raw = await rawConnection();

      await expect(raw.query(`UPDATE events SET data = '{}'`)).rejects.toThrow('events are immutable: UPDATE refused');
      await expect(raw.query('DELETE FROM events')).rejects.toThrow('events are immutable: DELETE refused');
      await expect(raw.query('TRUNCATE events')).rejects.toThrow('events are immutable: TRUNCATE refused');
      expect(placesOf(await store.readAll(readEverything))).toEqual([[eventId(1), 'account-1', 0n, 1n]]);
    });

    it('a (stream, version) clash from a writer that bypassed the head lock is a ConcurrencyError', async () => {
      const store = await openStore();
      await store.append({ streams: [{ streamName: 'rogue-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] });
      await (await rawConnection()).query(rogueWriterOn('rogue-1'));

      const error = await rejectionOf(store.append({ streams: [{ streamName: 'rogue-1', expectedVersion: 0n, events: [testEvent(2)] }] }));

      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ streamName: 'rogue-1', expected: 0n, actual: 0n });
      expect(await store.headPosition()).toBe(1n);
    });
  });

  describe('lifecycle', () => {
    it('rejects appends before init() and after close(), naming the server', async () => {
      const notInitialised = new PostgresEventStore({ connectionString: database.url });
      opened.push(notInitialised);
      const before = await rejectionOf(
        notInitialised.append({ streams: [{ streamName: 'account-1', expectedVersion: 'any', events: [testEvent(1)] }] }),
      );
      const store = await openStore();
      await store.close();

      const after = await rejectionOf(store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'any', events: [testEvent(1)] }] }));

      expect(before).toBeInstanceOf(EventStoreUnavailableError);
      expect((before as Error).message).toBe(`postgres at ${database.url}: init() has not run`);
      expect(after).toBeInstanceOf(EventStoreUnavailableError);
      expect((after as Error).message).toBe(`postgres at ${database.url}: the store is closed`);
    });

    it('refuses a database migrated by a newer release', async () => {
      await openStore();
      await (await rawConnection()).query(`INSERT INTO earmark_schema_migrations (version, name) VALUES (99, 'from the future')`);

      const older = new PostgresEventStore({ connectionString: database.url });
      opened.push(older);

      const error = await rejectionOf(older.init());

      expect(error).toBeInstanceOf(EventStoreUnavailableError);
      expect((error as Error).message).toBe('the database has schema version 99, this release knows up to 2');
    });

    it('an unreachable server is EventStoreUnavailableError naming it, without the password', async () => {
      const store = new PostgresEventStore({ connectionString: 'postgres://earmark:secret@127.0.0.1:1/earmark' });
      opened.push(store);

      const error = await rejectionOf(store.init());

      expect(error).toBeInstanceOf(EventStoreUnavailableError);
      expect((error as Error).message).toMatch(/^postgres at postgres:\/\/earmark:\*\*\*@127\.0\.0\.1:1\/earmark: .*ECONNREFUSED/);
      expect((error as Error).message).not.toContain('secret');
    });
  });

  describeProjectionSink(openStore);
});

/** One document counting every event, in a collection of its own. */

/** A trigger that writes a clashing row for each event of the stream: a writer that skipped the head lock. */
function rogueWriterOn(streamName: string): string {
  return `
    CREATE FUNCTION rogue_writer() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO events (position, id, stream_name, stream_version, type, data, metadata, recorded_at, hash, previous_hash)
      VALUES (NEW.position + 1000, 'rogue', NEW.stream_name, NEW.stream_version, 'Rogue', '{}', '{}', NEW.recorded_at, 'x', 'y');
      RETURN NEW;
    END $$;
    CREATE TRIGGER rogue_writer BEFORE INSERT ON events
      FOR EACH ROW WHEN (NEW.stream_name = '${streamName}' AND NEW.id <> 'rogue') EXECUTE FUNCTION rogue_writer();`;
}
