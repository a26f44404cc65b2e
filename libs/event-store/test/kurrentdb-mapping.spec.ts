import {
  StreamNotFoundError,
  UnavailableError,
  UnsupportedError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type Position,
} from '@kurrent/kurrentdb-client';
import { ConcurrencyError, EventStoreUnavailableError, IdempotencyKeyTakenError, genesisHash, type ExpectedVersion } from '../src';
import {
  asWrongExpectedVersion,
  compareAllPositions,
  deterministicUuid,
  expectationHolds,
  fromIdempotencyEventData,
  fromKurrentMetadata,
  fromKurrentStreamState,
  idempotencyEventId,
  idempotencyStreamName,
  isReservedStreamName,
  isStreamNotFound,
  isUnsupported,
  normalizeEventId,
  normalizeNewEvent,
  sequentialAppendOrder,
  toActualVersion,
  toConflictError,
  toIdempotencyEventData,
  toKurrentMetadata,
  toKurrentStreamState,
  toLedgerRecord,
  toStoreError,
  type ConflictTarget,
  type KurrentRecord,
} from '../src/kurrentdb/kurrentdb-mapping';
import { emptyMapHead, indexSlice } from '../src/kurrentdb/ledger-indexer';
import {
  InMemoryKurrentDbReadModels,
  entriesBetween,
  entryDocs,
  fromEntryDoc,
  positionDocId,
  positionMapProjection,
  positionPartition,
  toEntryDoc,
  type PositionMapEntry,
} from '../src/kurrentdb/ledger-position-map';
import { eventId, hashChainFailures } from './support/events';

const recordedAt = '2024-01-18T08:30:00.000Z';

function ledgerRecord(overrides: Partial<KurrentRecord> = {}): KurrentRecord {
  return {
    streamId: 'fund-sc-pension-2024',
    id: eventId(1),
    type: 'AllocationRecorded',
    revision: 0n,
    data: { amountFen: '100' },
    metadata: toKurrentMetadata({ actor: 'finance-sichuan' }, recordedAt),
    position: { commit: 4_000n, prepare: 3_863n },
    ...overrides,
  };
}

const resolved = (record: KurrentRecord): AllStreamResolvedEvent => ({ event: record }) as unknown as AllStreamResolvedEvent;

describe('expected versions', () => {
  const pairs: [ExpectedVersion, string | bigint][] = [
    ['no-stream', 'no_stream'],
    ['stream-exists', 'stream_exists'],
    ['any', 'any'],
    [0n, 0n],
    [41n, 41n],
  ];

  it.each(pairs)('%s is the client stream state %s, and back', (expected, state) => {
    expect(toKurrentStreamState(expected)).toBe(state);
    expect(fromKurrentStreamState(toKurrentStreamState(expected))).toBe(expected);
  });

  it('the actual version is null for a stream that does not exist, however the client says it', () => {
    expect(toActualVersion('no_stream')).toBeNull();
    expect(toActualVersion(-1n)).toBeNull();
    expect(toActualVersion(undefined)).toBeNull();
    expect(toActualVersion(0n)).toBe(0n);
    expect(toActualVersion(7n)).toBe(7n);
  });

  it('states which versions satisfy each expectation', () => {
    expect([null, 0n, 3n].map((actual) => expectationHolds('any', actual))).toEqual([true, true, true]);
    expect([null, 0n, 3n].map((actual) => expectationHolds('no-stream', actual))).toEqual([true, false, false]);
    expect([null, 0n, 3n].map((actual) => expectationHolds('stream-exists', actual))).toEqual([false, true, true]);
    expect([null, 0n, 3n].map((actual) => expectationHolds(3n, actual))).toEqual([false, false, true]);
  });
});

describe('client errors', () => {
  const fund: ConflictTarget = { kurrentName: 'ledger/fund-a', portName: 'fund-a', expected: 2n };
  const document: ConflictTarget = { kurrentName: 'ledger/document-1', portName: 'document-1', expected: 'no-stream' };
  const key: ConflictTarget = {
    kurrentName: 'ledger/idempotency-api%2Dkey-k1',
    portName: 'idempotency-api%2Dkey-k1',
    expected: 'no-stream',
    idempotency: { scope: 'api-key', key: 'k1' },
  };

  it("reads the client's WrongExpectedVersionError by its type", () => {
    const error = new WrongExpectedVersionError(undefined, { streamName: 'ledger/fund-a', expected: 2n, current: 5n });

    expect(asWrongExpectedVersion(error)).toEqual({ streamName: 'ledger/fund-a', expected: 2n, actual: 5n });
    expect(asWrongExpectedVersion(new WrongExpectedVersionError(undefined, { streamName: 's', expected: 'no_stream', current: 'no_stream' }))).toEqual({
      streamName: 's',
      expected: 'no_stream',
      actual: null,
    });
    expect(asWrongExpectedVersion(new Error('wrong-expected-version'))).toBeNull();
    expect(asWrongExpectedVersion(new ConcurrencyError('s', 'any', null))).toBeNull();
  });

  it('a conflict names the port stream and the expectation the caller stated', () => {
    const conflict = { streamName: 'ledger/fund-a', expected: 2n, actual: 5n };

    const error = toConflictError(conflict, [fund, document], 'ledger/');

    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ streamName: 'fund-a', expected: 2n, actual: 5n });
  });

  it('a conflict on the idempotency stream is IdempotencyKeyTakenError', () => {
    const error = toConflictError({ streamName: key.kurrentName, expected: 'no_stream', actual: 0n }, [fund, key], 'ledger/');

    expect(error).toBeInstanceOf(IdempotencyKeyTakenError);
    expect(error).toMatchObject({ scope: 'api-key', key: 'k1' });
  });

  it('an unnamed conflict on a lone stream is that stream; on an unknown stream it keeps what the client said', () => {
    expect(toConflictError({ streamName: null, expected: null, actual: 0n }, [document], 'ledger/')).toMatchObject({
      streamName: 'document-1',
      expected: 'no-stream',
      actual: 0n,
    });
    expect(toConflictError({ streamName: 'ledger/region-1', expected: 'stream_exists', actual: null }, [fund], 'ledger/')).toMatchObject({
      streamName: 'region-1',
      expected: 'stream-exists',
      actual: null,
    });
  });

  it("the client's other errors are EventStoreUnavailableError; the port's and programming errors pass unchanged", () => {
    const unavailable = toStoreError(new UnavailableError(undefined, 'connection refused'), 'append');
    const concurrency = new ConcurrencyError('s', 'any', null);
    const programming = new TypeError('bad');

    expect(unavailable).toBeInstanceOf(EventStoreUnavailableError);
    expect((unavailable as Error).message).toBe('kurrentdb append: unavailable: connection refused');
    const bareGrpc = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, details: 'No connection established' });
    expect(toStoreError(bareGrpc, 'append')).toMatchObject({
      name: 'EventStoreUnavailableError',
      message: 'kurrentdb append: grpc-status-14: 14 UNAVAILABLE: No connection established',
    });
    expect(toStoreError(concurrency, 'append')).toBe(concurrency);
    expect(toStoreError(programming, 'append')).toBe(programming);
  });

  it('tells a missing stream and an old server apart from other errors', () => {
    expect(isStreamNotFound(new StreamNotFoundError(undefined, 'fund-a'))).toBe(true);
    expect(isUnsupported(new UnsupportedError('multiStreamAppend', '25.1'))).toBe(true);
    expect(isStreamNotFound(new UnsupportedError('multiStreamAppend', '25.1'))).toBe(false);
    expect(isUnsupported(new Error('unsupported'))).toBe(false);
  });
});

describe('stream names and event ids', () => {
  it('an idempotency stream name cannot be spelled by two different (scope, key) pairs', () => {
    expect(idempotencyStreamName('api-key-sichuan', 'disbursement-2024-0001')).toBe('idempotency-api%2Dkey%2Dsichuan-disbursement%2D2024%2D0001');
    expect(idempotencyStreamName('a-b', 'c')).not.toBe(idempotencyStreamName('a', 'b-c'));
    expect(idempotencyStreamName('财政厅', 'k:1')).toBe('idempotency-%E8%B4%A2%E6%94%BF%E5%8E%85-k%3A1');
  });

  it("keeps idempotency streams and KurrentDB's $ streams out of the caller's reach", () => {
    expect(isReservedStreamName('idempotency-x')).toBe(true);
    expect(isReservedStreamName('$ce-fund')).toBe(true);
    expect(isReservedStreamName('fund-idempotency-2024')).toBe(false);
  });

  it('event ids are UUIDs, lowercased once', () => {
    expect(normalizeEventId('0000000A-0000-4000-8000-00000000000B')).toBe('0000000a-0000-4000-8000-00000000000b');
    expect(() => normalizeEventId('command-1/0')).toThrow(TypeError);
  });

  it('a deterministic UUID is a version 8 UUID that depends on every part', () => {
    const id = deterministicUuid('idempotency', 'api-key', 'k1');

    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Ids already stored are found again only if the same parts still give the same id.
    expect(id).toBe('c876d55c-6108-80af-88f0-dca6817947dc');
    expect(deterministicUuid('idempotency', 'api-key', 'k1')).toBe(id);
    expect(deterministicUuid('idempotency', 'api-key', 'k2')).not.toBe(id);
    expect(deterministicUuid('idempotency', 'api-keyk1')).not.toBe(id);
  });

  it("an idempotency record's id follows its request: same request, same id", () => {
    const record = { scope: 'api-key', key: 'k1', requestHash: 'ab'.repeat(32), status: 201, body: {} };
    const appended = [['fund-a', eventId(1)]] as const;

    expect(idempotencyEventId(record, appended)).toBe(idempotencyEventId({ ...record }, [['fund-a', eventId(1)]]));
    expect(idempotencyEventId(record, appended)).not.toBe(idempotencyEventId({ ...record, requestHash: 'cd'.repeat(32) }, appended));
    expect(idempotencyEventId(record, appended)).not.toBe(idempotencyEventId(record, [['fund-a', eventId(2)]]));
  });
});

describe('event bodies', () => {
  it('metadata travels as flat strings and comes back, whatever KurrentDB adds beside it', () => {
    const metadata = { actor: { name: 'finance-sichuan', role: 'finance' }, count: 2, note: '预拨' };
    const stored = toKurrentMetadata(metadata, recordedAt);

    expect(Object.values(stored).every((value) => typeof value === 'string')).toBe(true);
    expect(fromKurrentMetadata(stored)).toEqual({ metadata, recordedAt });
    expect(fromKurrentMetadata({ ...stored, '$schema.format': 'Json', '$schema.name': 'AllocationRecorded' })).toEqual({ metadata, recordedAt });
    expect(fromKurrentMetadata(Buffer.from(JSON.stringify(stored)))).toEqual({ metadata, recordedAt });
  });

  it('metadata without the envelope is not ours', () => {
    expect(fromKurrentMetadata({ actor: 'someone' })).toBeNull();
    expect(fromKurrentMetadata(undefined)).toBeNull();
    expect(fromKurrentMetadata(new Uint8Array([1, 2, 3]))).toBeNull();
  });

  it('an event is normalised to what reads will return', () => {
    const event = normalizeNewEvent({
      id: eventId(1).toUpperCase(),
      type: 'Deposited',
      data: { amountFen: '1', dropped: undefined as unknown as string, zero: -0 },
      metadata: {},
    });

    expect(event).toEqual({ id: eventId(1), type: 'Deposited', data: { amountFen: '1', zero: 0 }, metadata: {} });
    expect(Object.is(event.data.zero, 0)).toBe(true);
    expect(() => normalizeNewEvent({ id: eventId(1), type: '$metadata', data: {}, metadata: {} })).toThrow(TypeError);
  });
});

describe('which records are ledger events', () => {
  it('an event under the prefix with the envelope is, with its stream name as the port knows it', () => {
    const record = toLedgerRecord(ledgerRecord({ streamId: 'ledger-a/fund-sc-pension-2024', id: eventId(1).toUpperCase() }), 'ledger-a/');

    expect(record).toEqual({
      id: eventId(1),
      type: 'AllocationRecorded',
      data: { amountFen: '100' },
      metadata: { actor: 'finance-sichuan' },
      streamName: 'fund-sc-pension-2024',
      streamVersion: 0n,
      recordedAt,
      allPosition: { commit: 4_000n, prepare: 3_863n },
    });
  });

  it('data handed over as bytes is read as JSON', () => {
    expect(toLedgerRecord(ledgerRecord({ data: Buffer.from('{"amountFen":"100"}') }), '')?.data).toEqual({ amountFen: '100' });
  });

  it.each([
    ['another ledger', { streamId: 'ledger-b/fund-a' }],
    ['a system stream', { streamId: '$stats-127.0.0.1:2113' }],
    ['an idempotency record', { streamId: 'ledger-a/idempotency-api-k1' }],
    ['a system event type', { streamId: 'ledger-a/fund-a', type: '$metadata' }],
    ['no envelope', { streamId: 'ledger-a/fund-a', metadata: { actor: 'someone' } }],
    ['data that is not a JSON object', { streamId: 'ledger-a/fund-a', data: new Uint8Array([0xff]) }],
  ])('%s is not', (_what, overrides) => {
    expect(toLedgerRecord(ledgerRecord(overrides as Partial<KurrentRecord>), 'ledger-a/')).toBeNull();
  });

  it('orders $all positions by commit, then prepare', () => {
    const positions: Position[] = [
      { commit: 200n, prepare: 150n },
      { commit: 100n, prepare: 90n },
      { commit: 200n, prepare: 120n },
    ];

    expect([...positions].sort(compareAllPositions)).toEqual([
      { commit: 100n, prepare: 90n },
      { commit: 200n, prepare: 120n },
      { commit: 200n, prepare: 150n },
    ]);
    expect(compareAllPositions({ commit: 5n, prepare: 5n }, { commit: 5n, prepare: 5n })).toBe(0);
  });
});

describe('idempotency records', () => {
  it('round-trip through the event data', () => {
    const data = {
      record: { scope: 'api-key', key: 'k1', requestHash: 'ab'.repeat(32), status: 201, body: { message: '已记录', nested: [1, null] } },
      appended: [['fund-a', eventId(1)] as const],
      headPosition: 0n,
    };

    expect(fromIdempotencyEventData(toIdempotencyEventData(data))).toEqual(data);
    expect(fromIdempotencyEventData(JSON.stringify(toIdempotencyEventData(data)))).toEqual(data);
  });

  it('malformed ones are refused', () => {
    expect(fromIdempotencyEventData({ scope: 'api-key' })).toBeNull();
    expect(fromIdempotencyEventData({ scope: 'a', key: 'k', requestHash: 'h', status: '201', body: {}, appended: [], headPosition: '0' })).toBeNull();
    expect(fromIdempotencyEventData({ scope: 'a', key: 'k', requestHash: 'h', status: 201, body: {}, appended: [['x']], headPosition: '0' })).toBeNull();
  });
});

describe('several streams without a multi-stream append', () => {
  const isReservation = (name: string): boolean => name.startsWith('document-');

  it('reservations go first, then the stream that carries the money', () => {
    expect(
      sequentialAppendOrder(
        [
          { streamName: 'fund-a', expectedVersion: 3n },
          { streamName: 'document-1', expectedVersion: 'no-stream' },
        ],
        isReservation,
      ),
    ).toEqual([1, 0]);
    expect(sequentialAppendOrder([{ streamName: 'fund-a', expectedVersion: 'no-stream' }], isReservation)).toEqual([0]);
  });

  it('a reservation name appended with another expectation is no reservation', () => {
    expect(() =>
      sequentialAppendOrder(
        [
          { streamName: 'fund-a', expectedVersion: 3n },
          { streamName: 'document-1', expectedVersion: 'any' },
        ],
        isReservation,
      ),
    ).toThrow(EventStoreUnavailableError);
  });

  it('two streams that carry money are refused', () => {
    expect(() =>
      sequentialAppendOrder(
        [
          { streamName: 'region-510100', expectedVersion: 'no-stream' },
          { streamName: 'region-510300', expectedVersion: 'no-stream' },
        ],
        isReservation,
      ),
    ).toThrow(/region-510100, region-510300 cannot be appended atomically/);
  });
});

describe('the position map', () => {
  const entry: PositionMapEntry = {
    position: 1_001n,
    allPosition: { commit: 9_007_199_254_740_993n, prepare: 9_007_199_254_740_990n },
    eventId: eventId(1),
    streamName: 'fund-a',
    streamVersion: 12n,
    recordedAt,
    hash: 'a'.repeat(64),
    previousHash: 'b'.repeat(64),
  };

  it('an entry round-trips through its document, $all positions beyond 2^53 included', () => {
    expect(fromEntryDoc(toEntryDoc(entry))).toEqual(entry);
  });

  it('is kept twice: by position, a page per partition, and by (stream, event id), a stream per partition', () => {
    const [byPosition, byEvent] = entryDocs(entry);

    expect(byPosition).toMatchObject({ collection: 'kurrentdb-position', id: '00000000000000001001', partition: '00000000000000001' });
    expect(byEvent).toMatchObject({ collection: 'kurrentdb-event', id: JSON.stringify(['fund-a', eventId(1)]), partition: 'fund-a' });
    expect(positionDocId(1n)).toBe('00000000000000000001');
    expect([1n, 1_000n, 1_001n].map(positionPartition)).toEqual(['00000000000000000', '00000000000000000', '00000000000000001']);
  });

  it('gives each ledger event of a slice of $all the next position and chains its hash, skipping the rest', () => {
    const slice = [
      resolved(ledgerRecord({ id: eventId(1), position: { commit: 1_000n, prepare: 1_000n } })),
      resolved(ledgerRecord({ streamId: '$stats-node', type: 'statsCollected', position: { commit: 1_500n, prepare: 1_500n } })),
      resolved(ledgerRecord({ streamId: 'idempotency-a-k', position: { commit: 2_000n, prepare: 2_000n } })),
      resolved(ledgerRecord({ id: eventId(2), revision: 1n, position: { commit: 2_600n, prepare: 2_300n } })),
      resolved(ledgerRecord({ id: eventId(3), revision: 2n, position: { commit: 2_600n, prepare: 2_450n } })),
    ];

    const indexed = indexSlice(emptyMapHead, slice, '');

    expect(indexed.entries.map((e) => [e.position, e.eventId, e.allPosition.prepare])).toEqual([
      [1n, eventId(1), 1_000n],
      [2n, eventId(2), 2_300n],
      [3n, eventId(3), 2_450n],
    ]);
    expect(indexed.events[0].previousHash).toBe(genesisHash);
    expect(hashChainFailures(indexed.events)).toEqual([]);
    expect(indexed.entries.map((e) => e.hash)).toEqual(indexed.events.map((e) => e.hash));
    expect(indexed.lastAllPosition).toEqual({ commit: 2_600n, prepare: 2_450n });
  });

  it('continues a head, and skips what the head already covers (a resubscription repeats its start)', () => {
    const first = indexSlice(emptyMapHead, [resolved(ledgerRecord({ id: eventId(1), position: { commit: 1_000n, prepare: 1_000n } }))], '');
    const head = { position: 1n, hash: first.events[0].hash, allPosition: { commit: 1_000n, prepare: 1_000n } };

    const next = indexSlice(
      head,
      [
        resolved(ledgerRecord({ id: eventId(1), position: { commit: 1_000n, prepare: 1_000n } })),
        resolved(ledgerRecord({ id: eventId(2), revision: 1n, position: { commit: 1_200n, prepare: 1_200n } })),
      ],
      '',
    );

    expect(next.entries.map((e) => [e.position, e.eventId, e.previousHash])).toEqual([[2n, eventId(2), first.events[0].hash]]);
    expect(hashChainFailures([...first.events, ...next.events])).toEqual([]);
  });

  it('is written as a projection: gapless, idempotent, and read back a range at a time', async () => {
    const readModels = new InMemoryKurrentDbReadModels();
    const slice = Array.from({ length: 5 }, (_, i) =>
      resolved(ledgerRecord({ id: eventId(i + 1), revision: BigInt(i), position: { commit: BigInt(1_000 * (i + 1)), prepare: BigInt(1_000 * (i + 1)) } })),
    );
    const indexed = indexSlice(emptyMapHead, slice, '');
    const projection = positionMapProjection(new Map(indexed.entries.map((e) => [e.position, e])));

    expect(await readModels.applyProjectionBatch(projection, indexed.events.slice(0, 3))).toBe(3n);
    expect(await readModels.applyProjectionBatch(projection, indexed.events)).toBe(5n);
    expect(await readModels.applyProjectionBatch(projection, indexed.events)).toBe(5n);
    await expect(readModels.applyProjectionBatch(projection, [{ ...indexed.events[4], position: 7n }])).rejects.toThrow(RangeError);

    expect(await entriesBetween(readModels, 1n, 4n)).toEqual(indexed.entries.slice(1, 4));
    expect(await entriesBetween(readModels, 0n, 5n)).toEqual(indexed.entries);
    expect(await entriesBetween(readModels, 5n, 5n)).toEqual([]);
    await expect(entriesBetween(readModels, 3n, 6n)).rejects.toThrow(/no entry for position 6/);
  });
});
