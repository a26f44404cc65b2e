import { join } from 'node:path';
import { UnavailableError } from '@kurrent/kurrentdb-client';
import {
  ConcurrencyError,
  EventStoreUnavailableError,
  IdempotencyKeyTakenError,
  KurrentDbEventStore,
  SqliteEventStore,
  type IdempotencyRecord,
  type KurrentDbClient,
  type KurrentDbEventStoreOptions,
} from '../src';
import { describeEventStoreContract } from './event-store.contract';
import { rejectionOf, sleep, waitUntil } from './support/async';
import { eventId, hashChainFailures, placesOf, positionsOf, testEvent, testEvents } from './support/events';
import { KurrentDbSimulator } from './support/kurrentdb-simulator';
import { makeTempDir } from './support/temp-dir';

/*
 * The adapter's logic against an in-process simulation of the KurrentDB client (see the
 * simulator's header for what it does and does not prove), with the position map in a real SQLite
 * read-model database, as the service runs it when no PostgreSQL is configured.
 */

const quiet = (): void => undefined;
const readEverything = { afterPosition: 0n, maxCount: 1_000_000 } as const;

describeEventStoreContract(
  'kurrentdb on a simulated server',
  async () => {
    const temp = makeTempDir('earmark-kurrentdb-');
    const readModels = new SqliteEventStore({ file: join(temp.dir, 'read-models.sqlite') });
    await readModels.init();
    const simulator = new KurrentDbSimulator({ multiStreamAppend: true });
    const store = new KurrentDbEventStore({ connectionString: 'kurrentdb://simulated', client: simulator.client(), readModels, log: quiet });
    await store.init();
    return {
      store,
      close: async () => {
        await store.close();
        await readModels.close();
        temp.remove();
      },
    };
  },
  { inlineProjections: false },
);

describe('KurrentDbEventStore on a simulated server', () => {
  let temp: ReturnType<typeof makeTempDir>;
  const cleanups: Array<() => Promise<void>> = [];

  beforeEach(() => {
    temp = makeTempDir('earmark-kurrentdb-');
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    temp.remove();
  });

  async function openReadModels(name = 'read-models.sqlite'): Promise<SqliteEventStore> {
    const readModels = new SqliteEventStore({ file: join(temp.dir, name) });
    await readModels.init();
    cleanups.push(() => readModels.close());
    return readModels;
  }

  async function openStore(
    simulator: KurrentDbSimulator,
    readModels: SqliteEventStore,
    options: Partial<KurrentDbEventStoreOptions> = {},
  ): Promise<KurrentDbEventStore> {
    const store = new KurrentDbEventStore({
      connectionString: 'kurrentdb://simulated',
      client: simulator.client(),
      readModels,
      log: quiet,
      ...options,
    });
    cleanups.push(() => store.close());
    await store.init();
    return store;
  }

  const record: IdempotencyRecord = { scope: 'api-key', key: 'k-1', requestHash: 'ab'.repeat(32), status: 201, body: { ok: true } };

  it('numbers the ledger 1..n although $all positions have gaps and hold system and foreign events', async () => {
    const simulator = new KurrentDbSimulator({ multiStreamAppend: true });
    const store = await openStore(simulator, await openReadModels());
    for (let n = 1; n <= 8; n += 1) {
      await store.append({ streams: [{ streamName: `account-${n % 3}`, expectedVersion: 'any', events: [testEvent(n)] }], idempotency: { ...record, key: `k-${n}` } });
      simulator.writeForeign('other-app-2', 'SomethingHappened', { n }, {});
    }
    simulator.writeForeign('account-9', 'Deposited', { amountFen: '1' }, { written: 'without the adapter' });

    const log = await store.readAll(readEverything);

    const commits = simulator.allPositions().map((position) => position.commit);
    expect(commits.some((commit, index) => index > 0 && commit - commits[index - 1] !== 1n)).toBe(true);
    expect(positionsOf(log)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
    expect(log.map((event) => event.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map(eventId));
    expect(hashChainFailures(log)).toEqual([]);
    expect(await store.readStream('account-9')).toEqual([]);
  });

  it('stores each stream under the prefix, and the idempotency record in a stream of its own', async () => {
    const simulator = new KurrentDbSimulator({ multiStreamAppend: true });
    const store = await openStore(simulator, await openReadModels(), { streamNamePrefix: 'ledger-a/' });

    await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }], idempotency: record });

    expect(simulator.streamIds()).toEqual(expect.arrayContaining(['ledger-a/account-1', 'ledger-a/idempotency-api%2Dkey-k%2D1']));
    expect(placesOf(await store.readStream('account-1'))).toEqual([[eventId(1), 'account-1', 0n, 1n]]);
    expect(await store.findIdempotency('api-key', 'k-1')).toEqual({ ...record, position: 1n });
  });

  it('recognises a multi-stream append retried after its answer was lost, by its event ids', async () => {
    const simulator = new KurrentDbSimulator({ multiStreamAppend: true });
    const store = await openStore(simulator, await openReadModels());
    const request = {
      streams: [
        { streamName: 'fund-a', expectedVersion: 'no-stream' as const, events: testEvents(1, 2) },
        { streamName: 'document-1', expectedVersion: 'no-stream' as const, events: [testEvent(3)] },
      ],
      idempotency: record,
    };
    simulator.hold();
    simulator.loseTheNextAnswer();
    expect(await rejectionOf(store.append(request))).toBeInstanceOf(EventStoreUnavailableError);

    const retry = store.append(request);
    await sleep(20);
    simulator.release();
    const result = await retry;

    expect(placesOf(result.events)).toEqual([
      [eventId(1), 'fund-a', 0n, 1n],
      [eventId(2), 'fund-a', 1n, 2n],
      [eventId(3), 'document-1', 0n, 3n],
    ]);
    expect(result.nextExpectedVersions).toEqual([1n, 0n]);
    expect(positionsOf(await store.readAll(readEverything))).toEqual([1n, 2n, 3n]);
    expect(await store.findIdempotency('api-key', 'k-1')).toEqual({ ...record, position: 3n });
  });

  it('a conflict the client cannot read is still reported as the ConcurrencyError it was', async () => {
    const simulator = new KurrentDbSimulator({ multiStreamAppend: true });
    const store = await openStore(simulator, await openReadModels());
    await store.append({ streams: [{ streamName: 'document-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] });
    simulator.garbleTheNextConflict();

    const error = await rejectionOf(
      store.append({
        streams: [
          { streamName: 'fund-a', expectedVersion: 'no-stream', events: [testEvent(2)] },
          { streamName: 'document-1', expectedVersion: 'no-stream', events: [testEvent(3)] },
        ],
      }),
    );

    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ streamName: 'document-1', expected: 'no-stream', actual: 0n });
    expect(await store.headPosition()).toBe(1n);
  });

  it('gives up waiting for positions after indexWaitMs; the events are stored and a retry returns them', async () => {
    const simulator = new KurrentDbSimulator({ multiStreamAppend: true });
    const store = await openStore(simulator, await openReadModels(), { indexWaitMs: 100 });
    const request = { streams: [{ streamName: 'account-1', expectedVersion: 'no-stream' as const, events: [testEvent(1)] }] };
    simulator.hold();

    const error = await rejectionOf(store.append(request));
    simulator.release();
    const retried = await store.append(request);

    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    expect((error as Error).message).toMatch(/not in the position map after 100 ms/);
    expect(placesOf(retried.events)).toEqual([[eventId(1), 'account-1', 0n, 1n]]);
  });

  describe('on a server without multiStreamAppend (before KurrentDB 25.1)', () => {
    it('appends the reservation first, then the fund stream, reporting versions in request order', async () => {
      const simulator = new KurrentDbSimulator({ multiStreamAppend: false });
      const store = await openStore(simulator, await openReadModels());

      const result = await store.append({
        streams: [
          { streamName: 'fund-a', expectedVersion: 'no-stream', events: testEvents(1, 2) },
          { streamName: 'document-1', expectedVersion: 'no-stream', events: [testEvent(3)] },
        ],
      });

      expect(placesOf(result.events)).toEqual([
        [eventId(1), 'fund-a', 0n, 2n],
        [eventId(2), 'fund-a', 1n, 3n],
        [eventId(3), 'document-1', 0n, 1n],
      ]);
      expect(result.nextExpectedVersions).toEqual([1n, 0n]);
      expect(result.lastPosition).toBe(3n);
    });

    it('a conflict on the fund stream leaves the reservation behind: the window that is not atomic', async () => {
      const simulator = new KurrentDbSimulator({ multiStreamAppend: false });
      const store = await openStore(simulator, await openReadModels());
      await store.append({ streams: [{ streamName: 'fund-a', expectedVersion: 'no-stream', events: [testEvent(1)] }] });

      const error = await rejectionOf(
        store.append({
          streams: [
            { streamName: 'fund-a', expectedVersion: 'no-stream', events: [testEvent(2)] },
            { streamName: 'document-2', expectedVersion: 'no-stream', events: [testEvent(3)] },
          ],
        }),
      );

      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ streamName: 'fund-a', expected: 'no-stream', actual: 0n });
      expect(placesOf(await store.readStream('document-2'))).toEqual([[eventId(3), 'document-2', 0n, 2n]]);
      expect(placesOf(await store.readStream('fund-a'))).toEqual([[eventId(1), 'fund-a', 0n, 1n]]);
    });

    it('refuses two streams that are not reservations, appending nothing', async () => {
      const simulator = new KurrentDbSimulator({ multiStreamAppend: false });
      const store = await openStore(simulator, await openReadModels());

      const error = await rejectionOf(
        store.append({
          streams: [
            { streamName: 'region-510100', expectedVersion: 'no-stream', events: [testEvent(1)] },
            { streamName: 'region-510300', expectedVersion: 'no-stream', events: [testEvent(2)] },
          ],
        }),
      );

      expect(error).toBeInstanceOf(EventStoreUnavailableError);
      expect((error as Error).message).toMatch(/no multi-stream append/);
      expect(await store.headPosition()).toBe(0n);
    });

    it('writes the idempotency record after the events, and refuses a taken key before appending', async () => {
      const simulator = new KurrentDbSimulator({ multiStreamAppend: false });
      const store = await openStore(simulator, await openReadModels());
      await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 2) }], idempotency: record });

      const error = await rejectionOf(
        store.append({
          streams: [{ streamName: 'account-2', expectedVersion: 'no-stream', events: [testEvent(3)] }],
          idempotency: { ...record, requestHash: 'cd'.repeat(32) },
        }),
      );

      expect(error).toBeInstanceOf(IdempotencyKeyTakenError);
      expect(await store.readStream('account-2')).toEqual([]);
      expect(await store.findIdempotency('api-key', 'k-1')).toEqual({ ...record, position: 2n });
    });

    it('a retry after a lost answer appends nothing twice and still stores the record', async () => {
      const simulator = new KurrentDbSimulator({ multiStreamAppend: false });
      const store = await openStore(simulator, await openReadModels());
      const request = { streams: [{ streamName: 'account-1', expectedVersion: 'no-stream' as const, events: testEvents(1, 2) }], idempotency: record };
      simulator.loseTheNextAnswer();
      expect(await rejectionOf(store.append(request))).toBeInstanceOf(EventStoreUnavailableError);

      const retried = await store.append(request);

      expect(placesOf(retried.events)).toEqual([
        [eventId(1), 'account-1', 0n, 1n],
        [eventId(2), 'account-1', 1n, 2n],
      ]);
      expect(positionsOf(await store.readAll(readEverything))).toEqual([1n, 2n]);
      expect(await store.findIdempotency('api-key', 'k-1')).toEqual({ ...record, position: 2n });
    });
  });

  it('picks up after a restart from the map kept in the read-model database', async () => {
    const simulator = new KurrentDbSimulator({ multiStreamAppend: true });
    const readModels = await openReadModels();
    const first = await openStore(simulator, readModels);
    await first.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 3) }] });
    await first.close();

    const second = await openStore(simulator, readModels);
    const appended = await second.append({ streams: [{ streamName: 'account-1', expectedVersion: 2n, events: [testEvent(4)] }] });

    expect(placesOf(appended.events)).toEqual([[eventId(4), 'account-1', 3n, 4n]]);
    expect(hashChainFailures(await second.readAll(readEverything))).toEqual([]);
  });

  it('a map rebuilt from $all into empty read models is the same map, hashes included', async () => {
    const simulator = new KurrentDbSimulator({ multiStreamAppend: true });
    const original = await openStore(simulator, await openReadModels('original.sqlite'));
    await original.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 2) }], idempotency: record });
    await original.append({
      streams: [
        { streamName: 'fund-a', expectedVersion: 'no-stream', events: [testEvent(3)] },
        { streamName: 'document-1', expectedVersion: 'no-stream', events: [testEvent(4)] },
      ],
    });

    const rebuilt = await openStore(simulator, await openReadModels('rebuilt.sqlite'));

    expect(await rebuilt.readAll(readEverything)).toEqual(await original.readAll(readEverything));
    expect(await rebuilt.findIdempotency('api-key', 'k-1')).toEqual({ ...record, position: 2n });
  });

  it('two replicas sharing the read-model database agree on every position', async () => {
    const simulator = new KurrentDbSimulator({ multiStreamAppend: true });
    const replicaA = await openStore(simulator, await openReadModels());
    const replicaB = await openStore(simulator, await openReadModels());
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
  });

  it('a replica that finds the map ahead of its batch adopts the entries after checking them', async () => {
    const simulator = new KurrentDbSimulator({ multiStreamAppend: true });
    const ahead = await openStore(simulator, await openReadModels());
    const behind = await openStore(simulator, await openReadModels(), { indexBatchSize: 1 });
    await ahead.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 5) }] });

    const appended = await behind.append({ streams: [{ streamName: 'account-1', expectedVersion: 4n, events: [testEvent(6)] }] });

    expect(placesOf(appended.events)).toEqual([[eventId(6), 'account-1', 5n, 6n]]);
    expect(await behind.readAll(readEverything)).toEqual(await ahead.readAll(readEverything));
    expect(hashChainFailures(await behind.readAll(readEverything))).toEqual([]);
  });

  it('refuses to adopt a map that another ledger wrote into the same read models', async () => {
    const simulator = new KurrentDbSimulator({ multiStreamAppend: true });
    const readModels = await openReadModels();
    const ledgerA = await openStore(simulator, readModels, { streamNamePrefix: 'a/' });
    const ledgerB = await openStore(simulator, readModels, { streamNamePrefix: 'b/' });
    await ledgerA.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] });

    const error = await rejectionOf(ledgerB.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(2)] }] }));

    expect(error).toMatchObject({ name: 'PositionMapDivergedError', position: 1n });
  });

  it('resubscribes when the $all subscription drops, and appends carry on', async () => {
    const simulator = new KurrentDbSimulator({ multiStreamAppend: true });
    const store = await openStore(simulator, await openReadModels());
    await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] });

    simulator.dropSubscriptions();
    const appended = await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 0n, events: [testEvent(2)] }] });

    expect(placesOf(appended.events)).toEqual([[eventId(2), 'account-1', 1n, 2n]]);
    expect(hashChainFailures(await store.readAll(readEverything))).toEqual([]);
  });

  it('a subscription follows events another process appended', async () => {
    const simulator = new KurrentDbSimulator({ multiStreamAppend: true });
    const observer = await openStore(simulator, await openReadModels('observer.sqlite'));
    const writer = await openStore(simulator, await openReadModels('writer.sqlite'));
    const delivered: bigint[] = [];
    const subscription = observer.subscribe({ afterPosition: 0n, onEvents: async (events) => void delivered.push(...positionsOf(events)) });

    await writer.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 3) }] });
    await waitUntil(() => delivered.length >= 3, 'the events of the other process');
    await subscription.stop();

    expect(delivered).toEqual([1n, 2n, 3n]);
  });

  it('an idempotency record appended with no events carries the head of its time', async () => {
    const simulator = new KurrentDbSimulator({ multiStreamAppend: true });
    const store = await openStore(simulator, await openReadModels());
    await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] });

    const result = await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'any', events: [] }], idempotency: record });

    expect(result).toEqual({ nextExpectedVersions: [0n], lastPosition: 1n, events: [] });
    expect(await store.findIdempotency('api-key', 'k-1')).toEqual({ ...record, position: 1n });
  });

  it('keeps the map in memory when given no read models, rebuilding it from $all', async () => {
    const simulator = new KurrentDbSimulator({ multiStreamAppend: true });
    const first = new KurrentDbEventStore({ connectionString: 'kurrentdb://simulated', client: simulator.client(), log: quiet });
    cleanups.push(() => first.close());
    await first.init();
    await first.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 2) }] });
    const second = new KurrentDbEventStore({ connectionString: 'kurrentdb://simulated', client: simulator.client(), log: quiet });
    cleanups.push(() => second.close());

    await second.init();

    expect(await second.headPosition()).toBe(2n);
    expect(await second.readAll(readEverything)).toEqual(await first.readAll(readEverything));
  });

  it('reads a long stream, its positions looked up a stream at a time', async () => {
    const simulator = new KurrentDbSimulator({ multiStreamAppend: true });
    const store = await openStore(simulator, await openReadModels());
    await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 150) }] });
    await store.append({ streams: [{ streamName: 'account-2', expectedVersion: 'no-stream', events: [testEvent(151)] }] });

    const events = await store.readStream('account-1');

    expect(positionsOf(events)).toEqual(Array.from({ length: 150 }, (_, i) => BigInt(i + 1)));
    expect(await store.readAll({ afterPosition: 149n, maxCount: 5 })).toEqual([events[149], ...(await store.readStream('account-2'))]);
  });

  it('init() fails with EventStoreUnavailableError when KurrentDB cannot be reached', async () => {
    const simulator = new KurrentDbSimulator({ multiStreamAppend: true });
    const client = {
      ...simulator.client(),
      readAll: () => {
        throw new UnavailableError(undefined, 'simulated: no route to host');
      },
    } as unknown as KurrentDbClient;
    const store = new KurrentDbEventStore({ connectionString: 'kurrentdb://nowhere:2113?tls=false', client, log: quiet });
    cleanups.push(() => store.close());

    const error = await rejectionOf(store.init());

    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    expect((error as Error).message).toMatch(/init: unavailable/);
  });

  it('refuses ids KurrentDB cannot store and names it keeps for itself', async () => {
    const simulator = new KurrentDbSimulator({ multiStreamAppend: true });
    const store = await openStore(simulator, await openReadModels());

    const badId = await rejectionOf(
      store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'any', events: [{ ...testEvent(1), id: 'not-a-uuid' }] }] }),
    );
    const reserved = await rejectionOf(store.append({ streams: [{ streamName: 'idempotency-x', expectedVersion: 'any', events: [testEvent(1)] }] }));

    expect(badId).toBeInstanceOf(TypeError);
    expect(reserved).toBeInstanceOf(TypeError);
    expect(await store.headPosition()).toBe(0n);
  });
});
