import { UnavailableError } from '@kurrent/kurrentdb-client';
import {
  ConcurrencyError,
  EventStoreUnavailableError,
  IdempotencyKeyTakenError,
  type IdempotencyRecord,
} from '../src';
import { KurrentDbEventStore, type KurrentDbClient, type KurrentDbEventStoreOptions } from '../src/kurrentdb';
import { describeEventStoreContract } from './event-store.contract';
import { rejectionOf, sleep } from './support/async';
import { eventId, hashChainFailures, placesOf, positionsOf, testEvent, testEvents } from './support/events';
import { describeKurrentDbBehaviour, type KurrentDbServerOptions } from './support/kurrentdb-behaviour';
import { KurrentDbSimulator } from './support/kurrentdb-simulator';

/*
 * The adapter's logic against an in-process simulation of the KurrentDB client (see the
 * simulator's header for what it does and does not prove), the position map in memory, and once
 * more in PostgreSQL read models as the service keeps it.
 */

const quiet = (): void => undefined;
const readEverything = { afterPosition: 0n, maxCount: 1_000_000 } as const;

describeEventStoreContract(
  'kurrentdb on a simulated server',
  async () => {
    const simulator = new KurrentDbSimulator({ multiStreamAppend: true });
    const store = new KurrentDbEventStore({ connectionString: 'kurrentdb://simulated', client: simulator.client(), log: quiet });
    await store.init();
    return { store, close: () => store.close() };
  },
  { inlineProjections: false },
);

const simulatedServer = (): KurrentDbServerOptions => {
  const simulator = new KurrentDbSimulator({ multiStreamAppend: true });
  return { connectionString: 'kurrentdb://simulated', client: simulator.client() };
};
describeKurrentDbBehaviour('a simulated server', simulatedServer, 'memory');
describeKurrentDbBehaviour('a simulated server', simulatedServer, 'postgres');

/** What only a simulator can stage: lost answers, old servers, a lagging server, dropped links. */
describe('KurrentDbEventStore on a simulated server', () => {
  const cleanups: Array<() => Promise<void>> = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function openStore(simulator: KurrentDbSimulator, options: Partial<KurrentDbEventStoreOptions> = {}): Promise<KurrentDbEventStore> {
    const store = new KurrentDbEventStore({ connectionString: 'kurrentdb://simulated', client: simulator.client(), log: quiet, ...options });
    cleanups.push(() => store.close());
    await store.init();
    return store;
  }

  const record: IdempotencyRecord = { scope: 'api-key', key: 'k-1', requestHash: 'ab'.repeat(32), status: 201, body: { ok: true } };

  it('numbers the ledger 1..n although $all positions have gaps and hold system and foreign events', async () => {
    const simulator = new KurrentDbSimulator({ multiStreamAppend: true });
    const store = await openStore(simulator);
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
    const store = await openStore(simulator, { streamNamePrefix: 'ledger-a/' });

    await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }], idempotency: record });

    expect(simulator.streamIds()).toEqual(expect.arrayContaining(['ledger-a/account-1', 'ledger-a/idempotency-api%2Dkey-k%2D1']));
    expect(placesOf(await store.readStream('account-1'))).toEqual([[eventId(1), 'account-1', 0n, 1n]]);
    expect(await store.findIdempotency('api-key', 'k-1')).toEqual({ ...record, position: 1n });
  });

  it('recognises a multi-stream append retried after its answer was lost, by its event ids', async () => {
    const simulator = new KurrentDbSimulator({ multiStreamAppend: true });
    const store = await openStore(simulator);
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
    const store = await openStore(simulator);
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
    const store = await openStore(simulator, { indexWaitMs: 100 });
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
      const store = await openStore(simulator);

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
      const store = await openStore(simulator);
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
      const store = await openStore(simulator);

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
      const store = await openStore(simulator);
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
      const store = await openStore(simulator);
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

  it('resubscribes when the $all subscription drops, and appends carry on', async () => {
    const simulator = new KurrentDbSimulator({ multiStreamAppend: true });
    const store = await openStore(simulator);
    await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] });

    simulator.dropSubscriptions();
    const appended = await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 0n, events: [testEvent(2)] }] });

    expect(placesOf(appended.events)).toEqual([[eventId(2), 'account-1', 1n, 2n]]);
    expect(hashChainFailures(await store.readAll(readEverything))).toEqual([]);
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

});
