import { randomUUID } from 'node:crypto';
import type { IdempotencyRecord } from '../../src';
import { InMemoryKurrentDbReadModels, KurrentDbEventStore, type KurrentDbEventStoreOptions, type KurrentDbReadModels } from '../../src/kurrentdb';
import { PostgresEventStore } from '../../src/postgres';
import { entriesBetween, positionMapProjection } from '../../src/kurrentdb/ledger-position-map';
import { rejectionOf, waitUntil } from './async';
import { eventId, hashChainFailures, placesOf, positionsOf, testEvent, testEvents } from './events';
import { createTestDatabase } from './postgres-test-db';

/** How a test reaches a KurrentDB: a connection string, or a simulated client. */
export type KurrentDbServerOptions = Pick<KurrentDbEventStoreOptions, 'connectionString' | 'client'>;

const quiet = (): void => undefined;
const readEverything = { afterPosition: 0n, maxCount: 1_000_000 } as const;
// A real server answers over the network, and each store first scans all of $all.
const behaviourTestLimitMs = 60_000;

/**
 * Where the position map is kept: in memory, or in PostgreSQL read models as the service keeps it.
 * (Not SQLite: better-sqlite3 hands its errors to the first jest module registry of a worker, and
 * the SQLite adapter's own tests in the same worker would then no longer recognise them.)
 */
export type ReadModelsKind = 'memory' | 'postgres';

/**
 * What the KurrentDB adapter does beyond the shared contract: the position map survives restarts,
 * rebuilds to the same map, resumes inside a multi-event append, and is shared safely by replicas.
 * Each test is a ledger of its own (a fresh stream name prefix), so a shared server will do.
 */
export function describeKurrentDbBehaviour(name: string, newServer: () => KurrentDbServerOptions, readModelsKind: ReadModelsKind): void {
  describe(`KurrentDbEventStore behaviour: ${name}, position map in ${readModelsKind}`, () => {
    let server: KurrentDbServerOptions;
    let prefix: string;
    const cleanups: Array<() => Promise<void>> = [];
    const inMemory = new Map<string, InMemoryKurrentDbReadModels>();
    const databases = new Map<string, Promise<{ url: string; drop(): Promise<void> }>>();

    beforeEach(() => {
      server = newServer();
      prefix = `behaviour-${randomUUID()}/`;
    });

    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
      inMemory.clear();
      const created = [...databases.values()];
      databases.clear();
      for (const database of created) await (await database).drop();
    });

    /** The read-model database named `label`; the same label is the same database, on a new connection. */
    async function openReadModels(label = 'read-models'): Promise<KurrentDbReadModels> {
      if (readModelsKind === 'memory') {
        const existing = inMemory.get(label) ?? new InMemoryKurrentDbReadModels();
        inMemory.set(label, existing);
        return existing;
      }
      if (!databases.has(label)) databases.set(label, createTestDatabase());
      const database = await (databases.get(label) as Promise<{ url: string }>);
      const readModels = new PostgresEventStore({ connectionString: database.url, poolSize: 2 });
      cleanups.push(() => readModels.close());
      await readModels.init();
      return readModels;
    }

    async function openStore(options: Partial<KurrentDbEventStoreOptions> = {}): Promise<KurrentDbEventStore> {
      const store = new KurrentDbEventStore({ ...server, streamNamePrefix: prefix, log: quiet, ...options });
      cleanups.push(() => store.close());
      await store.init();
      return store;
    }

    const record: IdempotencyRecord = { scope: 'api-key', key: 'k-1', requestHash: 'ab'.repeat(32), status: 201, body: { ok: true } };

    it(
      'picks up after a restart from the map kept in the read-model database',
      async () => {
        const readModels = await openReadModels();
        const first = await openStore({ readModels });
        await first.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 3) }] });
        await first.close();

        const second = await openStore({ readModels });
        const appended = await second.append({ streams: [{ streamName: 'account-1', expectedVersion: 2n, events: [testEvent(4)] }] });

        expect(placesOf(appended.events)).toEqual([[eventId(4), 'account-1', 3n, 4n]]);
        expect(hashChainFailures(await second.readAll(readEverything))).toEqual([]);
      },
      behaviourTestLimitMs,
    );

    it(
      'a map rebuilt from $all into empty read models is the same map, hashes included',
      async () => {
        const original = await openStore({ readModels: await openReadModels('original') });
        await original.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 2) }], idempotency: record });
        await original.append({
          streams: [
            { streamName: 'fund-a', expectedVersion: 'no-stream', events: [testEvent(3)] },
            { streamName: 'document-1', expectedVersion: 'no-stream', events: [testEvent(4)] },
          ],
        });

        const rebuilt = await openStore({ readModels: await openReadModels('rebuilt') });

        expect(await rebuilt.readAll(readEverything)).toEqual(await original.readAll(readEverything));
        expect(await rebuilt.findIdempotency('api-key', 'k-1')).toEqual({ ...record, position: 2n });
      },
      behaviourTestLimitMs,
    );

    it(
      'resumes from a head inside a multi-event append without losing the rest of it',
      async () => {
        const complete = new InMemoryKurrentDbReadModels();
        const original = await openStore({ readModels: complete });
        await original.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 3) }] });
        // A map that stopped after the first of the three events, as a crash between batches leaves it.
        const partial = new InMemoryKurrentDbReadModels();
        const [firstEntry] = await entriesBetween(complete, 0n, 1n);
        await partial.applyProjectionBatch(positionMapProjection(new Map([[1n, firstEntry]])), await original.readAll({ afterPosition: 0n, maxCount: 1 }));

        const resumed = await openStore({ readModels: partial });

        expect(await resumed.readAll(readEverything)).toEqual(await original.readAll(readEverything));
      },
      behaviourTestLimitMs,
    );

    it(
      'two replicas sharing the read-model database agree on every position',
      async () => {
        const replicaA = await openStore({ readModels: await openReadModels() });
        const replicaB = await openStore({ readModels: await openReadModels() });
        const writer = async (store: KurrentDbEventStore, w: number): Promise<void> => {
          for (let i = 0; i < 40; i += 1) {
            await store.append({
              streams: [{ streamName: `writer-${w}`, expectedVersion: i === 0 ? 'no-stream' : BigInt(i - 1), events: [testEvent(w * 1_000 + i)] }],
            });
          }
        };

        await Promise.all([writer(replicaA, 1), writer(replicaB, 2), writer(replicaA, 3), writer(replicaB, 4)]);

        const logA = await replicaA.readAll(readEverything);
        expect(positionsOf(logA)).toEqual(Array.from({ length: 160 }, (_, i) => BigInt(i + 1)));
        expect(new Set(logA.map((event) => event.id)).size).toBe(160);
        expect(hashChainFailures(logA)).toEqual([]);
        expect(await replicaB.readAll(readEverything)).toEqual(logA);
      },
      behaviourTestLimitMs,
    );

    it(
      'a replica that finds the map ahead of its batch adopts the entries after checking them',
      async () => {
        const ahead = await openStore({ readModels: await openReadModels() });
        const behind = await openStore({ readModels: await openReadModels(), indexBatchSize: 1 });
        await ahead.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 5) }] });

        const appended = await behind.append({ streams: [{ streamName: 'account-1', expectedVersion: 4n, events: [testEvent(6)] }] });

        expect(placesOf(appended.events)).toEqual([[eventId(6), 'account-1', 5n, 6n]]);
        expect(await behind.readAll(readEverything)).toEqual(await ahead.readAll(readEverything));
      },
      behaviourTestLimitMs,
    );

    it(
      'refuses to adopt a map that another ledger wrote into the same read models',
      async () => {
        const readModels = await openReadModels();
        const ledgerA = await openStore({ readModels, streamNamePrefix: `${prefix}a/` });
        const ledgerB = await openStore({ readModels, streamNamePrefix: `${prefix}b/` });
        await ledgerA.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] });

        const error = await rejectionOf(ledgerB.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(2)] }] }));

        expect(error).toMatchObject({ name: 'PositionMapDivergedError', position: 1n });
      },
      behaviourTestLimitMs,
    );

    it(
      'a subscription follows events another process appended',
      async () => {
        const observer = await openStore({ readModels: await openReadModels('observer') });
        const writer = await openStore({ readModels: await openReadModels('writer') });
        const delivered: bigint[] = [];
        const subscription = observer.subscribe({ afterPosition: 0n, onEvents: async (events) => void delivered.push(...positionsOf(events)) });

        await writer.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 3) }] });
        await waitUntil(() => delivered.length >= 3, 'the events of the other process');
        await subscription.stop();

        expect(delivered).toEqual([1n, 2n, 3n]);
      },
      behaviourTestLimitMs,
    );

    it(
      'keeps the map in memory when given no read models, rebuilding it from $all',
      async () => {
        const first = await openStore();
        await first.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 2) }] });

        const second = await openStore();

        expect(await second.headPosition()).toBe(2n);
        expect(await second.readAll(readEverything)).toEqual(await first.readAll(readEverything));
      },
      behaviourTestLimitMs,
    );

    it(
      'reads a long stream, its positions looked up a stream at a time',
      async () => {
        const store = await openStore({ readModels: await openReadModels() });
        await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 150) }] });
        await store.append({ streams: [{ streamName: 'account-2', expectedVersion: 'no-stream', events: [testEvent(151)] }] });

        const events = await store.readStream('account-1');

        expect(positionsOf(events)).toEqual(Array.from({ length: 150 }, (_, i) => BigInt(i + 1)));
        expect(await store.readAll({ afterPosition: 149n, maxCount: 5 })).toEqual([events[149], ...(await store.readStream('account-2'))]);
      },
      behaviourTestLimitMs,
    );

    it(
      'an idempotency record appended with no events carries the head of its time',
      async () => {
        const store = await openStore({ readModels: await openReadModels() });
        await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] });

        const result = await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'any', events: [] }], idempotency: record });

        expect(result).toEqual({ nextExpectedVersions: [0n], lastPosition: 1n, events: [] });
        expect(await store.findIdempotency('api-key', 'k-1')).toEqual({ ...record, position: 1n });
      },
      behaviourTestLimitMs,
    );

    it(
      'refuses ids KurrentDB cannot store and names it keeps for itself',
      async () => {
        const store = await openStore({ readModels: await openReadModels() });

        const badId = await rejectionOf(
          store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'any', events: [{ ...testEvent(1), id: 'not-a-uuid' }] }] }),
        );
        const reserved = await rejectionOf(store.append({ streams: [{ streamName: 'idempotency-x', expectedVersion: 'any', events: [testEvent(1)] }] }));

        expect(badId).toBeInstanceOf(TypeError);
        expect(reserved).toBeInstanceOf(TypeError);
        expect(await store.headPosition()).toBe(0n);
      },
      behaviourTestLimitMs,
    );
  });
}
