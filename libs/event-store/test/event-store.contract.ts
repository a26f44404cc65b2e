import {
  ConcurrencyError,
  IdempotencyKeyTakenError,
  docKey,
  genesisHash,
  type DocumentProjection,
  type EventHash,
  type EventStore,
  type IdempotencyRecord,
  type ReadModelStore,
  type RecordedEvent,
} from '../src';
import { rejectionOf, sleep, waitUntil } from './support/async';
import {
  eventId,
  hashChainFailures,
  placesOf,
  positionsOf,
  rfc3339Utc,
  sampleChineseData,
  testEvent,
  testEvents,
  versionsOf,
} from './support/events';
import { poisonProjection, recordingProjection, streamStatsCollection, streamStatsProjection } from './support/projections';

/**
 * The one behaviour every EventStore adapter must show (STYLE rule 6). An adapter's test file calls
 * `describeEventStoreContract('name', open)`; `open` returns a fresh, initialised, empty store per
 * test (a new SQLite file, a throwaway database...) with the given inline projections registered.
 */
export interface ContractSubject {
  store: EventStore;
  /** Absent for stores that cannot project inside the append transaction (KurrentDB). */
  readModels?: ReadModelStore;
  close(): Promise<void>;
}

export interface ContractFeatures {
  /** Projections run inside the append's transaction and are read back through `readModels`. */
  readonly inlineProjections: boolean;
  /**
   * The projections run in the test's own thread, so a wrapper can record their calls. False when
   * the store makes them again from their origin in a thread of its own (the SQLite writer thread).
   */
  readonly projectionsInThisThread?: boolean;
}

export type OpenContractSubject = (projections: DocumentProjection[]) => Promise<ContractSubject>;

// Sized so that a real database shows interleaving; the whole test stays well under its time limit.
const concurrentWriters = 16;
const appendsPerWriter = 250;
const concurrencyTestLimitMs = 120_000;
const subscriptionTestLimitMs = 30_000;
const oneMebibyte = 1024 * 1024;
const readEverything = { afterPosition: 0n, maxCount: 1_000_000 } as const;

/** The whole log's hashes, read after the last position of each page, as the Merkle tree reads them. */
async function readHashesInPages(store: EventStore, maxCount: number): Promise<EventHash[]> {
  const hashes: EventHash[] = [];
  for (;;) {
    const page = await store.readHashes({ afterPosition: hashes.at(-1)?.position ?? 0n, maxCount });
    hashes.push(...page);
    if (page.length < maxCount) return hashes;
  }
}

export function describeEventStoreContract(
  adapterName: string,
  open: OpenContractSubject,
  features: ContractFeatures = { inlineProjections: true },
): void {
  async function withStore(
    projections: DocumentProjection[],
    test: (store: EventStore, subject: ContractSubject) => Promise<void>,
  ): Promise<void> {
    const subject = await open(projections);
    try {
      await test(subject.store, subject);
    } finally {
      await subject.close();
    }
  }

  function readModelsOf(subject: ContractSubject): ReadModelStore {
    if (subject.readModels === undefined) throw new Error(`${adapterName} declared inline projections but gave no readModels`);
    return subject.readModels;
  }

  describe(`EventStore contract: ${adapterName}`, () => {
    describe('append with an expected version', () => {
      it("'no-stream' creates the stream at version 0 with positions from 1", () =>
        withStore([], async (store) => {
          const result = await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 3) }] });

          expect(result.nextExpectedVersions).toEqual([2n]);
          expect(result.lastPosition).toBe(3n);
          expect(placesOf(result.events)).toEqual([
            [eventId(1), 'account-1', 0n, 1n],
            [eventId(2), 'account-1', 1n, 2n],
            [eventId(3), 'account-1', 2n, 3n],
          ]);
          expect(await store.headPosition()).toBe(3n);
        }));

      it("'no-stream' on an existing stream is a ConcurrencyError naming the actual version", () =>
        withStore([], async (store) => {
          await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] });

          const error = await rejectionOf(
            store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(2)] }] }),
          );

          expect(error).toBeInstanceOf(ConcurrencyError);
          expect(error).toMatchObject({ name: 'ConcurrencyError', streamName: 'account-1', expected: 'no-stream', actual: 0n });
          expect(positionsOf(await store.readStream('account-1'))).toEqual([1n]);
        }));

      it('an exact version that matches appends at the next version', () =>
        withStore([], async (store) => {
          await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 2) }] });

          const result = await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 1n, events: [testEvent(3)] }] });

          expect(result.nextExpectedVersions).toEqual([2n]);
          expect(result.lastPosition).toBe(3n);
          expect(placesOf(result.events)).toEqual([[eventId(3), 'account-1', 2n, 3n]]);
        }));

      it('a stale exact version is a ConcurrencyError and appends nothing', () =>
        withStore([], async (store) => {
          await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 2) }] });

          const error = await rejectionOf(
            store.append({ streams: [{ streamName: 'account-1', expectedVersion: 0n, events: [testEvent(3)] }] }),
          );

          expect(error).toBeInstanceOf(ConcurrencyError);
          expect(error).toMatchObject({ streamName: 'account-1', expected: 0n, actual: 1n });
          expect(await store.headPosition()).toBe(2n);
        }));

      it('an exact version ahead of the stream is a ConcurrencyError', () =>
        withStore([], async (store) => {
          await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 2) }] });

          const error = await rejectionOf(
            store.append({ streams: [{ streamName: 'account-1', expectedVersion: 5n, events: [testEvent(3)] }] }),
          );

          expect(error).toBeInstanceOf(ConcurrencyError);
          expect(error).toMatchObject({ streamName: 'account-1', expected: 5n, actual: 1n });
        }));

      it('an exact version on a stream that does not exist is a ConcurrencyError with actual null', () =>
        withStore([], async (store) => {
          const error = await rejectionOf(
            store.append({ streams: [{ streamName: 'account-1', expectedVersion: 0n, events: [testEvent(1)] }] }),
          );

          expect(error).toBeInstanceOf(ConcurrencyError);
          expect(error).toMatchObject({ streamName: 'account-1', expected: 0n, actual: null });
          expect(await store.headPosition()).toBe(0n);
        }));

      it("'stream-exists' on a stream that does not exist is a ConcurrencyError with actual null", () =>
        withStore([], async (store) => {
          const error = await rejectionOf(
            store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'stream-exists', events: [testEvent(1)] }] }),
          );

          expect(error).toBeInstanceOf(ConcurrencyError);
          expect(error).toMatchObject({ streamName: 'account-1', expected: 'stream-exists', actual: null });
          expect(await store.readStream('account-1')).toEqual([]);
        }));

      it("'stream-exists' on an existing stream appends", () =>
        withStore([], async (store) => {
          await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] });

          const result = await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'stream-exists', events: [testEvent(2)] }] });

          expect(result.nextExpectedVersions).toEqual([1n]);
          expect(placesOf(result.events)).toEqual([[eventId(2), 'account-1', 1n, 2n]]);
        }));

      it("'any' appends to a new stream and to an existing one", () =>
        withStore([], async (store) => {
          const first = await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'any', events: [testEvent(1)] }] });
          const second = await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'any', events: [testEvent(2)] }] });

          expect(first.nextExpectedVersions).toEqual([0n]);
          expect(second.nextExpectedVersions).toEqual([1n]);
          expect(placesOf([...first.events, ...second.events])).toEqual([
            [eventId(1), 'account-1', 0n, 1n],
            [eventId(2), 'account-1', 1n, 2n],
          ]);
        }));

      it('init() again is a no-op that keeps the events', () =>
        withStore([], async (store) => {
          await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] });

          await store.init();

          expect(positionsOf(await store.readStream('account-1'))).toEqual([1n]);
        }));
    });

    describe('atomic multi-stream append', () => {
      it('appends every stream in request order with one version per stream', () =>
        withStore([], async (store) => {
          const result = await store.append({
            streams: [
              { streamName: 'region-510100', expectedVersion: 'no-stream', events: testEvents(1, 2) },
              { streamName: 'region-510300', expectedVersion: 'no-stream', events: [testEvent(3)] },
            ],
          });

          expect(result.nextExpectedVersions).toEqual([1n, 0n]);
          expect(result.lastPosition).toBe(3n);
          expect(placesOf(result.events)).toEqual([
            [eventId(1), 'region-510100', 0n, 1n],
            [eventId(2), 'region-510100', 1n, 2n],
            [eventId(3), 'region-510300', 0n, 3n],
          ]);
        }));

      it('a conflict on the last stream appends nothing on the others', () =>
        withStore([], async (store) => {
          await store.append({ streams: [{ streamName: 'region-510300', expectedVersion: 'no-stream', events: [testEvent(1)] }] });

          const error = await rejectionOf(
            store.append({
              streams: [
                { streamName: 'region-510100', expectedVersion: 'no-stream', events: [testEvent(2)] },
                { streamName: 'region-510300', expectedVersion: 'no-stream', events: [testEvent(3)] },
              ],
            }),
          );

          expect(error).toBeInstanceOf(ConcurrencyError);
          expect(error).toMatchObject({ streamName: 'region-510300', expected: 'no-stream', actual: 0n });
          expect(await store.readStream('region-510100')).toEqual([]);
          expect(placesOf(await store.readAll(readEverything))).toEqual([[eventId(1), 'region-510300', 0n, 1n]]);
        }));

      it('a conflict on the first stream appends nothing on the others', () =>
        withStore([], async (store) => {
          await store.append({ streams: [{ streamName: 'region-510100', expectedVersion: 'no-stream', events: [testEvent(1)] }] });

          const error = await rejectionOf(
            store.append({
              streams: [
                { streamName: 'region-510100', expectedVersion: 3n, events: [testEvent(2)] },
                { streamName: 'region-510300', expectedVersion: 'no-stream', events: [testEvent(3)] },
              ],
            }),
          );

          expect(error).toMatchObject({ name: 'ConcurrencyError', streamName: 'region-510100', expected: 3n, actual: 0n });
          expect(await store.readStream('region-510300')).toEqual([]);
          expect(await store.headPosition()).toBe(1n);
        }));
    });

    describe('idempotent append', () => {
      it('the same request again is a no-op returning the same recorded events', () =>
        withStore([], async (store) => {
          const request = { streams: [{ streamName: 'account-1', expectedVersion: 'no-stream' as const, events: testEvents(1, 2) }] };
          const first = await store.append(request);

          const again = await store.append(request);

          expect(again.events).toEqual(first.events);
          expect(again.nextExpectedVersions).toEqual([1n]);
          expect(again.lastPosition).toBe(2n);
          expect(await store.headPosition()).toBe(2n);
        }));

      it('a retry after other appends keeps the original positions and reports the head as lastPosition', () =>
        withStore([], async (store) => {
          const request = { streams: [{ streamName: 'account-1', expectedVersion: 'no-stream' as const, events: testEvents(1, 2) }] };
          await store.append(request);
          await store.append({ streams: [{ streamName: 'account-2', expectedVersion: 'no-stream', events: [testEvent(3)] }] });

          const again = await store.append(request);

          expect(placesOf(again.events)).toEqual([
            [eventId(1), 'account-1', 0n, 1n],
            [eventId(2), 'account-1', 1n, 2n],
          ]);
          expect(again.nextExpectedVersions).toEqual([1n]);
          expect(again.lastPosition).toBe(3n);
          expect(await store.headPosition()).toBe(3n);
        }));

      it('events already in the stream are skipped and the rest appended; all are returned in request order', () =>
        withStore([], async (store) => {
          await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] });

          const result = await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'any', events: testEvents(1, 2) }] });

          expect(placesOf(result.events)).toEqual([
            [eventId(1), 'account-1', 0n, 1n],
            [eventId(2), 'account-1', 1n, 2n],
          ]);
          expect(result.nextExpectedVersions).toEqual([1n]);
          expect(result.lastPosition).toBe(2n);
          expect(placesOf(await store.readAll(readEverything))).toEqual(placesOf(result.events));
        }));
    });

    describe('reading a stream', () => {
      // account-1 holds versions 0..4 at positions 1, 2, 4, 5, 6; account-2 sits at 3 and 7.
      async function givenTwoInterleavedStreams(store: EventStore): Promise<void> {
        await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 2) }] });
        await store.append({ streams: [{ streamName: 'account-2', expectedVersion: 'no-stream', events: [testEvent(3)] }] });
        await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 1n, events: testEvents(4, 6) }] });
        await store.append({ streams: [{ streamName: 'account-2', expectedVersion: 0n, events: [testEvent(7)] }] });
      }

      it('forwards from the start returns every event of the stream with its content', () =>
        withStore([], async (store) => {
          await givenTwoInterleavedStreams(store);

          const events = await store.readStream('account-1');

          expect(placesOf(events)).toEqual([
            [eventId(1), 'account-1', 0n, 1n],
            [eventId(2), 'account-1', 1n, 2n],
            [eventId(4), 'account-1', 2n, 4n],
            [eventId(5), 'account-1', 3n, 5n],
            [eventId(6), 'account-1', 4n, 6n],
          ]);
          expect(events[2]).toMatchObject({ type: 'Deposited', data: { amountFen: '400' }, metadata: { correlationId: eventId(4) } });
        }));

      it('forwards fromVersion, with and without maxCount', () =>
        withStore([], async (store) => {
          await givenTwoInterleavedStreams(store);

          expect(versionsOf(await store.readStream('account-1', { fromVersion: 2n }))).toEqual([2n, 3n, 4n]);
          expect(versionsOf(await store.readStream('account-1', { fromVersion: 1n, maxCount: 2 }))).toEqual([1n, 2n]);
          expect(versionsOf(await store.readStream('account-1', { maxCount: 1 }))).toEqual([0n]);
          expect(await store.readStream('account-1', { fromVersion: 5n })).toEqual([]);
        }));

      it('backwards from the end, from a version, with maxCount', () =>
        withStore([], async (store) => {
          await givenTwoInterleavedStreams(store);

          expect(versionsOf(await store.readStream('account-1', { direction: 'backwards' }))).toEqual([4n, 3n, 2n, 1n, 0n]);
          expect(versionsOf(await store.readStream('account-1', { direction: 'backwards', fromVersion: 3n, maxCount: 2 }))).toEqual([3n, 2n]);
          expect(positionsOf(await store.readStream('account-1', { direction: 'backwards', maxCount: 1 }))).toEqual([6n]);
          expect(versionsOf(await store.readStream('account-2', { direction: 'backwards', fromVersion: 0n }))).toEqual([0n]);
        }));

      it('a stream that was never written reads as []', () =>
        withStore([], async (store) => {
          await givenTwoInterleavedStreams(store);

          expect(await store.readStream('account-9')).toEqual([]);
          expect(await store.readStream('account-9', { direction: 'backwards' })).toEqual([]);
        }));

      it('the global log reads after a position, bounded by maxCount', () =>
        withStore([], async (store) => {
          await givenTwoInterleavedStreams(store);

          expect(placesOf(await store.readAll({ afterPosition: 0n, maxCount: 100 }))).toEqual([
            [eventId(1), 'account-1', 0n, 1n],
            [eventId(2), 'account-1', 1n, 2n],
            [eventId(3), 'account-2', 0n, 3n],
            [eventId(4), 'account-1', 2n, 4n],
            [eventId(5), 'account-1', 3n, 5n],
            [eventId(6), 'account-1', 4n, 6n],
            [eventId(7), 'account-2', 1n, 7n],
          ]);
          expect(positionsOf(await store.readAll({ afterPosition: 2n, maxCount: 3 }))).toEqual([3n, 4n, 5n]);
          expect(positionsOf(await store.readAll({ afterPosition: 6n, maxCount: 3 }))).toEqual([7n]);
          expect(await store.readAll({ afterPosition: 7n, maxCount: 3 })).toEqual([]);
          expect(await store.headPosition()).toBe(7n);
        }));

      it("the log's hashes are readAll's positions and hashes, in position order", () =>
        withStore([], async (store) => {
          await givenTwoInterleavedStreams(store);

          const log = await store.readAll(readEverything);
          const hashes = await store.readHashes(readEverything);

          expect(hashes).toEqual(log.map((event) => ({ position: event.position, hash: event.hash })));
          expect(positionsOf(hashes)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n]);
        }));

      it("the log's hashes read after a position, bounded by maxCount, as readAll pages", () =>
        withStore([], async (store) => {
          await givenTwoInterleavedStreams(store);
          const hashOf = new Map((await store.readAll(readEverything)).map((event) => [event.position, event.hash]));
          const at = (...positions: bigint[]) => positions.map((position) => ({ position, hash: hashOf.get(position) }));

          expect(await store.readHashes({ afterPosition: 0n, maxCount: 2 })).toEqual(at(1n, 2n));
          expect(await store.readHashes({ afterPosition: 2n, maxCount: 3 })).toEqual(at(3n, 4n, 5n));
          expect(await store.readHashes({ afterPosition: 5n, maxCount: 3 })).toEqual(at(6n, 7n));
          expect(await store.readHashes({ afterPosition: 6n, maxCount: 1 })).toEqual(at(7n));
          expect(await store.readHashes({ afterPosition: 7n, maxCount: 3 })).toEqual([]);
        }));

      it('an empty store has head 0 and an empty log', () =>
        withStore([], async (store) => {
          expect(await store.headPosition()).toBe(0n);
          expect(await store.readAll({ afterPosition: 0n, maxCount: 10 })).toEqual([]);
          expect(await store.readHashes({ afterPosition: 0n, maxCount: 10 })).toEqual([]);
        }));

      it('what append returns is what the reads return', () =>
        withStore([], async (store) => {
          const first = await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 2) }] });
          const second = await store.append({ streams: [{ streamName: 'account-2', expectedVersion: 'no-stream', events: [testEvent(3)] }] });

          expect(await store.readAll(readEverything)).toEqual([...first.events, ...second.events]);
          expect(await store.readStream('account-1')).toEqual(first.events);
        }));
    });

    describe('concurrent writers', () => {
      it(
        `${concurrentWriters} writers x ${appendsPerWriter} appends give a gapless log 1..n with every event once`,
        () =>
          withStore([], async (store) => {
            const writer = async (w: number): Promise<void> => {
              for (let i = 0; i < appendsPerWriter; i += 1) {
                await store.append({
                  streams: [{ streamName: `writer-${w}`, expectedVersion: i === 0 ? 'no-stream' : BigInt(i - 1), events: [testEvent(w * 10_000 + i)] }],
                });
              }
            };
            await Promise.all(Array.from({ length: concurrentWriters }, (_, w) => writer(w)));

            const total = concurrentWriters * appendsPerWriter;
            const log = await store.readAll(readEverything);
            expect(log).toHaveLength(total);
            expect(positionsOf(log)).toEqual(Array.from({ length: total }, (_, i) => BigInt(i + 1)));
            expect(new Set(log.map((event) => event.id)).size).toBe(total);
            for (let w = 0; w < concurrentWriters; w += 1) {
              const ofWriter = log.filter((event) => event.streamName === `writer-${w}`);
              expect(versionsOf(ofWriter)).toEqual(Array.from({ length: appendsPerWriter }, (_, i) => BigInt(i)));
              expect(ofWriter.map((event) => event.id)).toEqual(Array.from({ length: appendsPerWriter }, (_, i) => eventId(w * 10_000 + i)));
            }
            expect(hashChainFailures(log)).toEqual([]);
            expect(await store.headPosition()).toBe(BigInt(total));
            // Read a page at a time across the adapters' own pages (the KurrentDB map lists 1,000 at a time).
            expect(await readHashesInPages(store, 1_500)).toEqual(log.map((event) => ({ position: event.position, hash: event.hash })));
          }),
        concurrencyTestLimitMs,
      );

      it('racing appends with the same expected version: exactly one wins, the others get ConcurrencyError', () =>
        withStore([], async (store) => {
          const racers = 8;
          const outcomes = await Promise.allSettled(
            Array.from({ length: racers }, (_, i) =>
              store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(i + 1)] }] }),
            ),
          );

          const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
          const lost = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
          expect(won).toHaveLength(1);
          expect(lost).toHaveLength(racers - 1);
          for (const error of lost) {
            expect(error).toBeInstanceOf(ConcurrencyError);
            expect(error).toMatchObject({ streamName: 'account-1', expected: 'no-stream', actual: 0n });
          }
          expect(versionsOf(await store.readStream('account-1'))).toEqual([0n]);
        }));

      it('a failing append among concurrent ones rejects alone; the others commit gaplessly', () =>
        withStore([], async (store) => {
          await store.append({ streams: [{ streamName: 'account-0', expectedVersion: 'no-stream', events: [testEvent(100)] }] });

          const outcomes = await Promise.allSettled(
            Array.from({ length: 10 }, (_, i) =>
              i === 4
                ? store.append({ streams: [{ streamName: 'account-0', expectedVersion: 'no-stream', events: [testEvent(200)] }] })
                : store.append({ streams: [{ streamName: `account-${i + 1}`, expectedVersion: 'no-stream', events: [testEvent(i + 1)] }] }),
            ),
          );

          expect(outcomes.map((outcome) => outcome.status)).toEqual([
            'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected',
            'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled',
          ]);
          const log = await store.readAll(readEverything);
          expect(positionsOf(log)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n]);
          expect(log.map((event) => event.id).sort()).toEqual(
            [100, 1, 2, 3, 4, 6, 7, 8, 9, 10].map(eventId).sort(),
          );
          expect(hashChainFailures(log)).toEqual([]);
        }));
    });

    describe('subscribe', () => {
      it(
        'delivers every event after the checkpoint exactly once and in order, including events appended while it runs',
        () =>
          withStore([], async (store) => {
            await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 2) }] });
            await store.append({ streams: [{ streamName: 'account-2', expectedVersion: 'no-stream', events: testEvents(3, 4) }] });
            await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 1n, events: testEvents(5, 6) }] });
            const delivered: RecordedEvent[] = [];
            const batchSizes: number[] = [];

            const subscription = store.subscribe({
              afterPosition: 2n,
              batchSize: 2,
              onEvents: async (events) => {
                batchSizes.push(events.length);
                delivered.push(...events);
              },
            });
            await waitUntil(() => delivered.length >= 4, 'the catch-up');
            await store.append({ streams: [{ streamName: 'account-3', expectedVersion: 'no-stream', events: testEvents(7, 9) }] });
            await store.append({ streams: [{ streamName: 'account-2', expectedVersion: 1n, events: [testEvent(10)] }] });
            await waitUntil(() => delivered.length >= 8, 'the live events');
            await subscription.stop();

            expect(positionsOf(delivered)).toEqual([3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n]);
            expect(delivered.map((event) => event.id)).toEqual([3, 4, 5, 6, 7, 8, 9, 10].map(eventId));
            expect(batchSizes.every((size) => size >= 1 && size <= 2)).toBe(true);
          }),
        subscriptionTestLimitMs,
      );

      it(
        'from the head it waits for the next append, and delivers nothing after stop() resolved',
        () =>
          withStore([], async (store) => {
            await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 3) }] });
            const delivered: RecordedEvent[] = [];
            const subscription = store.subscribe({ afterPosition: 3n, onEvents: async (events) => void delivered.push(...events) });

            await sleep(50);
            expect(delivered).toEqual([]);
            await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 2n, events: [testEvent(4)] }] });
            await waitUntil(() => delivered.length >= 1, 'the new event');
            await subscription.stop();
            await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 3n, events: [testEvent(5)] }] });
            await sleep(100);

            expect(placesOf(delivered)).toEqual([[eventId(4), 'account-1', 3n, 4n]]);
          }),
        subscriptionTestLimitMs,
      );

      it(
        'waits for each onEvents before the next batch',
        () =>
          withStore([], async (store) => {
            await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 6) }] });
            let inFlight = 0;
            let mostInFlight = 0;
            const delivered: bigint[] = [];

            const subscription = store.subscribe({
              afterPosition: 0n,
              batchSize: 1,
              onEvents: async (events) => {
                inFlight += 1;
                mostInFlight = Math.max(mostInFlight, inFlight);
                await sleep(5);
                delivered.push(...positionsOf(events));
                inFlight -= 1;
              },
            });
            await waitUntil(() => delivered.length >= 6, 'six batches');
            await subscription.stop();

            expect(delivered).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
            expect(mostInFlight).toBe(1);
          }),
        subscriptionTestLimitMs,
      );
    });

    describe('payloads', () => {
      it('a 1 MiB string round-trips exactly', () =>
        withStore([], async (store) => {
          const blob = 'ab账'.repeat(oneMebibyte / 4) + 'z'.repeat(oneMebibyte / 4);
          expect(blob).toHaveLength(oneMebibyte);

          await store.append({
            streams: [{ streamName: 'notice-1', expectedVersion: 'no-stream', events: [testEvent(1, { type: 'NoticeImported', data: { text: blob } })] }],
          });

          const [event] = await store.readStream('notice-1');
          expect(event?.data).toEqual({ text: blob });
          expect(hashChainFailures(await store.readAll(readEverything))).toEqual([]);
        }));

      it('Chinese text in stream names, types, data and metadata round-trips exactly', () =>
        withStore([], async (store) => {
          const streamName = 'allocation-川财社〔2024〕2号';
          await store.append({
            streams: [{
              streamName,
              expectedVersion: 'no-stream',
              events: [testEvent(1, { type: 'AllocationRecorded', data: sampleChineseData, metadata: { note: '预拨 结算 补拨 〔〕' } })],
            }],
          });

          const [fromStream] = await store.readStream(streamName);
          const [fromLog] = await store.readAll(readEverything);
          for (const event of [fromStream, fromLog]) {
            expect(event).toMatchObject({
              streamName: 'allocation-川财社〔2024〕2号',
              type: 'AllocationRecorded',
              data: {
                documentNumber: '川财社〔2024〕2号',
                fundName: '困难群体养老保险个人缴费省级财政代缴资金',
                regionName: '北川羌族自治县',
                amountFen: '13500000000',
              },
              metadata: { note: '预拨 结算 补拨 〔〕' },
            });
          }
          expect(hashChainFailures([fromLog!])).toEqual([]);
        }));

      it('every JSON shape round-trips: nested objects, arrays, numbers, booleans, null, empty containers', () =>
        withStore([], async (store) => {
          const data = { nested: { list: [1, 2.5, -3, true, false, null, 'text'] }, empty: {}, none: [], flag: false, nothing: null };
          await store.append({ streams: [{ streamName: 'shape-1', expectedVersion: 'no-stream', events: [testEvent(1, { data, metadata: {} })] }] });

          const [event] = await store.readStream('shape-1');

          expect(event?.data).toEqual({ nested: { list: [1, 2.5, -3, true, false, null, 'text'] }, empty: {}, none: [], flag: false, nothing: null });
          expect(event?.metadata).toEqual({});
        }));

      it('recordedAt is an RFC 3339 UTC timestamp', () =>
        withStore([], async (store) => {
          const result = await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 2) }] });

          for (const event of [...result.events, ...(await store.readAll(readEverything))]) {
            expect(event.recordedAt).toMatch(rfc3339Utc);
            expect(Number.isNaN(Date.parse(event.recordedAt))).toBe(false);
          }
        }));
    });

    describe('hash chain', () => {
      it('links every position to the previous one from the genesis hash, through multi-stream, failed and repeated appends', () =>
        withStore([], async (store) => {
          await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 2) }] });
          await rejectionOf(store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(9)] }] }));
          await store.append({
            streams: [
              { streamName: 'account-2', expectedVersion: 'no-stream', events: [testEvent(3)] },
              { streamName: 'account-1', expectedVersion: 1n, events: testEvents(4, 5) },
            ],
          });
          await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 2) }] });
          await store.append({ streams: [{ streamName: 'account-2', expectedVersion: 0n, events: [testEvent(6, { data: sampleChineseData })] }] });

          const log = await store.readAll(readEverything);

          expect(positionsOf(log)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
          expect(log[0]?.previousHash).toBe(genesisHash);
          expect(log.every((event) => /^[0-9a-f]{64}$/.test(event.hash))).toBe(true);
          expect(hashChainFailures(log)).toEqual([]);
        }));
    });

    describe('idempotency records', () => {
      const record: IdempotencyRecord = {
        scope: 'api-key-sichuan',
        key: 'disbursement-2024-0001',
        requestHash: 'ab'.repeat(32),
        status: 201,
        body: { positions: ['1', '2'], message: '已记录', nested: { ok: true, count: 2, missing: null } },
      };

      it('is stored with the append and read back exactly, with the position of its last event', () =>
        withStore([], async (store) => {
          await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: testEvents(1, 2) }], idempotency: record });

          expect(await store.findIdempotency('api-key-sichuan', 'disbursement-2024-0001')).toEqual({ ...record, position: 2n });
          expect(await store.findIdempotency('api-key-sichuan', 'disbursement-2024-0002')).toBeNull();
          expect(await store.findIdempotency('api-key-other', 'disbursement-2024-0001')).toBeNull();
        }));

      it('a second append with the same scope and key is IdempotencyKeyTakenError and appends nothing', () =>
        withStore([], async (store) => {
          await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }], idempotency: record });

          const error = await rejectionOf(
            store.append({
              streams: [{ streamName: 'account-2', expectedVersion: 'no-stream', events: [testEvent(2)] }],
              idempotency: { ...record, requestHash: 'cd'.repeat(32), body: { other: true } },
            }),
          );

          expect(error).toBeInstanceOf(IdempotencyKeyTakenError);
          expect(error).toMatchObject({ name: 'IdempotencyKeyTakenError', scope: 'api-key-sichuan', key: 'disbursement-2024-0001' });
          expect(await store.readStream('account-2')).toEqual([]);
          expect(await store.headPosition()).toBe(1n);
          expect(await store.findIdempotency('api-key-sichuan', 'disbursement-2024-0001')).toEqual({ ...record, position: 1n });
        }));

      it('the same key in another scope is a separate record', () =>
        withStore([], async (store) => {
          await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }], idempotency: record });
          const other = { ...record, scope: 'api-key-chengdu', status: 200 };

          await store.append({ streams: [{ streamName: 'account-2', expectedVersion: 'no-stream', events: [testEvent(2)] }], idempotency: other });

          expect(await store.findIdempotency('api-key-chengdu', 'disbursement-2024-0001')).toEqual({ ...other, position: 2n });
          expect(await store.headPosition()).toBe(2n);
        }));

      it('an append that fails its expected version stores no record', () =>
        withStore([], async (store) => {
          await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] });

          await rejectionOf(
            store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(2)] }], idempotency: record }),
          );

          expect(await store.findIdempotency('api-key-sichuan', 'disbursement-2024-0001')).toBeNull();
        }));
    });

    if (features.inlineProjections) {
      describe('inline document projections', () => {
        // Appended out of id order so that the listing order is the store's doing.
        async function givenRegionsAndAFund(store: EventStore): Promise<void> {
          await store.append({ streams: [{ streamName: 'region-510300', expectedVersion: 'no-stream', events: [testEvent(1)] }] });
          await store.append({ streams: [{ streamName: 'region-510100', expectedVersion: 'no-stream', events: testEvents(2, 3) }] });
          await store.append({
            streams: [
              { streamName: 'fund-2024', expectedVersion: 'no-stream', events: [testEvent(4, { type: 'FundOpened' })] },
              { streamName: 'region-510400', expectedVersion: 'no-stream', events: [testEvent(5)] },
            ],
          });
        }

        it('writes documents read back by id, by partition in id order, and by collection in id order', () =>
          withStore([streamStatsProjection()], async (store, subject) => {
            await givenRegionsAndAFund(store);
            const readModels = readModelsOf(subject);

            expect(await readModels.getDoc(streamStatsCollection, 'region-510100')).toEqual({
              collection: 'stream-stats',
              id: 'region-510100',
              partition: 'region',
              doc: { count: 2, lastPosition: '3', lastType: 'Deposited' },
            });
            expect(await readModels.getDoc(streamStatsCollection, 'region-510200')).toBeNull();
            expect((await readModels.listDocs(streamStatsCollection, 'region')).map((doc) => [doc.id, doc.doc])).toEqual([
              ['region-510100', { count: 2, lastPosition: '3', lastType: 'Deposited' }],
              ['region-510300', { count: 1, lastPosition: '1', lastType: 'Deposited' }],
              ['region-510400', { count: 1, lastPosition: '5', lastType: 'Deposited' }],
            ]);
            expect(await readModels.listDocs(streamStatsCollection, 'account')).toEqual([]);
            expect((await readModels.listCollection(streamStatsCollection)).map((doc) => [doc.partition, doc.id])).toEqual([
              ['fund', 'fund-2024'],
              ['region', 'region-510100'],
              ['region', 'region-510300'],
              ['region', 'region-510400'],
            ]);
            expect(await readModels.listCollection('no-such-collection')).toEqual([]);
          }));

        it('checkpoints each projection at the last position, and an unknown projection at 0', () =>
          withStore([streamStatsProjection(), streamStatsProjection('stream-stats-copy')], async (store, subject) => {
            await givenRegionsAndAFund(store);
            const readModels = readModelsOf(subject);

            expect(await readModels.checkpoint('stream-stats')).toBe(5n);
            expect(await readModels.checkpoint('stream-stats-copy')).toBe(5n);
            expect(await readModels.checkpoint('never-registered')).toBe(0n);
          }));

        if (features.projectionsInThisThread !== false) {
          it('calls apply once per append with only the new events, in position order, and absent documents as null', () => {
            const { projection, calls } = recordingProjection(streamStatsProjection());
            return withStore([projection], async (store) => {
              await store.append({ streams: [{ streamName: 'region-510100', expectedVersion: 'no-stream', events: [testEvent(1)] }] });
              await store.append({
                streams: [
                  { streamName: 'region-510300', expectedVersion: 'no-stream', events: [testEvent(2)] },
                  { streamName: 'region-510100', expectedVersion: 'any', events: [testEvent(1), testEvent(3)] },
                ],
              });

              const ref510100 = docKey({ collection: 'stream-stats', id: 'region-510100' });
              const ref510300 = docKey({ collection: 'stream-stats', id: 'region-510300' });
              expect(calls).toEqual([
                { eventIds: [eventId(1)], positions: [1n], docs: [[ref510100, null]] },
                {
                  eventIds: [eventId(2), eventId(3)],
                  positions: [2n, 3n],
                  docs: [
                    [ref510100, { collection: 'stream-stats', id: 'region-510100', partition: 'region', doc: { count: 1, lastPosition: '1', lastType: 'Deposited' } }],
                    [ref510300, null],
                  ],
                },
              ]);
            });
          });
        }

        it('an idempotent retry does not apply the projection again', () =>
          withStore([streamStatsProjection()], async (store, subject) => {
            const request = { streams: [{ streamName: 'region-510100', expectedVersion: 'no-stream' as const, events: testEvents(1, 2) }] };
            await store.append(request);
            await store.append(request);

            expect((await readModelsOf(subject).getDoc(streamStatsCollection, 'region-510100'))?.doc).toEqual({
              count: 2,
              lastPosition: '2',
              lastType: 'Deposited',
            });
          }));

        it('a written null document is deleted', () =>
          withStore([streamStatsProjection()], async (store, subject) => {
            await givenRegionsAndAFund(store);
            await store.append({ streams: [{ streamName: 'region-510300', expectedVersion: 0n, events: [testEvent(6, { type: 'StreamClosed' })] }] });
            const readModels = readModelsOf(subject);

            expect(await readModels.getDoc(streamStatsCollection, 'region-510300')).toBeNull();
            expect((await readModels.listDocs(streamStatsCollection, 'region')).map((doc) => doc.id)).toEqual(['region-510100', 'region-510400']);
            expect(await readModels.checkpoint('stream-stats')).toBe(6n);
          }));

        it('a projection that throws rolls back the events, the other projections and the idempotency record', () =>
          withStore([streamStatsProjection(), poisonProjection()], async (store, subject) => {
            await store.append({ streams: [{ streamName: 'region-510100', expectedVersion: 'no-stream', events: [testEvent(1)] }] });

            const error = await rejectionOf(
              store.append({
                streams: [{ streamName: 'region-510100', expectedVersion: 0n, events: [testEvent(2), testEvent(3, { type: 'Poison' })] }],
                idempotency: { scope: 'api-key-sichuan', key: 'poisoned', requestHash: 'ef'.repeat(32), status: 201, body: {} },
              }),
            );
            const readModels = readModelsOf(subject);

            expect(error).toBeInstanceOf(Error);
            expect((error as Error).message).toBe(`poison event ${eventId(3)}`);
            expect(positionsOf(await store.readStream('region-510100'))).toEqual([1n]);
            expect(await store.headPosition()).toBe(1n);
            expect((await readModels.getDoc(streamStatsCollection, 'region-510100'))?.doc).toEqual({ count: 1, lastPosition: '1', lastType: 'Deposited' });
            expect(await readModels.checkpoint('stream-stats')).toBe(1n);
            expect(await readModels.checkpoint('poison')).toBe(1n);
            expect(await store.findIdempotency('api-key-sichuan', 'poisoned')).toBeNull();
          }));

        it('after a rolled-back projection the next append continues the log and the chain without a gap', () =>
          withStore([streamStatsProjection(), poisonProjection()], async (store, subject) => {
            await store.append({ streams: [{ streamName: 'region-510100', expectedVersion: 'no-stream', events: [testEvent(1)] }] });
            await rejectionOf(store.append({ streams: [{ streamName: 'region-510100', expectedVersion: 0n, events: [testEvent(2, { type: 'Poison' })] }] }));

            await store.append({ streams: [{ streamName: 'region-510100', expectedVersion: 0n, events: [testEvent(3)] }] });

            const log = await store.readAll(readEverything);
            expect(placesOf(log)).toEqual([
              [eventId(1), 'region-510100', 0n, 1n],
              [eventId(3), 'region-510100', 1n, 2n],
            ]);
            expect(hashChainFailures(log)).toEqual([]);
            expect(await readModelsOf(subject).checkpoint('stream-stats')).toBe(2n);
          }));
      });
    }
  });
}
