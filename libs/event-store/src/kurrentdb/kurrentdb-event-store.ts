import { abortableSleep, assertAppendRequest as assertCommonAppendRequest, maxEventsPerAppend, maxStreamsPerAppend } from '../append-request';
import type { AppendStreamRequest, EventData, Filter, Position, ReadPosition } from '@kurrent/kurrentdb-client';
import {
  EventStoreUnavailableError,
  IdempotencyKeyTakenError,
  type AppendRequest,
  type AppendResult,
  type EventHash,
  type EventStore,
  type ExpectedVersion,
  type IdempotencyRecord,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StoredIdempotencyRecord,
  type SubscribeOptions,
  type Subscription,
} from '../event-store.port';
import { connectKurrentDb, ledgerFilter, type KurrentDbClient } from './kurrentdb-client';
import {
  asWrongExpectedVersion,
  compareAllPositions,
  eventKey,
  expectationHolds,
  fromIdempotencyEventData,
  idempotencyEventId,
  idempotencyRecordedType,
  idempotencyStreamName,
  isReservedStreamName,
  isStreamNotFound,
  isUnrecognised,
  isUnsupported,
  normalizeNewEvent,
  recordedAtKey,
  toConflictError,
  toIdempotencyEventData,
  toKurrentMetadata,
  toKurrentStreamState,
  toLedgerRecord,
  toStoreError,
  sequentialAppendOrder,
  type ConflictTarget,
  type IdempotencyEventData,
  type KurrentRecord,
  type LedgerRecord,
  type WrongExpectedVersion,
} from './kurrentdb-mapping';
import { LedgerIndexer, maxIndexBatch, type EntryWait, type KurrentDbLog } from './ledger-indexer';
import {
  entriesBetween,
  entriesForEvents,
  entryKey,
  InMemoryKurrentDbReadModels,
  positionMapHead,
  type KurrentDbReadModels,
  type PositionMapEntry,
} from './ledger-position-map';

/** How long an append or a read waits for its events to be mapped to positions. */
export const defaultIndexWaitMs = 30_000;
/** How long init() waits for the position map to catch up with $all. */
export const defaultCatchUpWaitMs = 10 * 60_000;
/** $all events read per request when fetching a range of the log. */
export const logReadPageSize = 1_000;
export const defaultSubscriptionBatchSize = 500;
export const maxSubscriptionBatchSize = 10_000;
/** How often a subscription reads again when no mapping in this process woke it. */
export const subscriptionPollIntervalMs = 1_000;
export const subscriptionRetryDelayMs = 1_000;
/** Streams named like this, appended with 'no-stream', are reservations (see sequentialAppendOrder). */
export const defaultReservationStreamPrefixes: readonly string[] = ['document-'];
/** The version reported for a stream that has no events, as the SQL adapters do. */
export const noStreamVersion = -1n;

export interface KurrentDbEventStoreOptions {
  /** e.g. kurrentdb://node1:2113,node2:2113,node3:2113?tls=false */
  readonly connectionString: string;
  /**
   * The read-model database that keeps the position map (ledger-position-map.ts): the service's
   * PostgreSQL or SQLite read models. Without one, the map is kept in memory and rebuilt from $all
   * at every start.
   */
  readonly readModels?: KurrentDbReadModels;
  readonly clock?: () => Date;
  /**
   * Stored before every stream name, and only streams under it are part of this ledger: several
   * ledgers (the contract tests) can share one KurrentDB. Empty in production.
   */
  readonly streamNamePrefix?: string;
  readonly reservationStreamPrefixes?: readonly string[];
  readonly indexWaitMs?: number;
  readonly catchUpWaitMs?: number;
  /** $all events mapped per read-model transaction (1..maxIndexBatch). */
  readonly indexBatchSize?: number;
  readonly log?: KurrentDbLog;
  /** Used instead of connecting to connectionString (tests); the store does not dispose it. */
  readonly client?: KurrentDbClient;
}

/** One stream of a request as it goes to KurrentDB. */
interface PlannedAppend extends ConflictTarget {
  readonly events: EventData[];
  readonly eventIds: readonly string[];
}

interface Started {
  readonly client: KurrentDbClient;
  readonly filter: Filter;
  readonly indexer: LedgerIndexer;
}

const defaultLog: KurrentDbLog = (level, message) => (level === 'error' ? console.error(message) : console.warn(message));

/**
 * The EventStore port on KurrentDB (EventStoreDB). KurrentDB keeps the events; the gapless ledger
 * positions and the hash chain are a position map derived from $all (ledger-position-map.ts),
 * kept in the read-model database by an indexer (ledger-indexer.ts). An append resolves once its
 * events are in the map, so it returns their positions and hashes, as the SQL adapters do.
 *
 * Atomicity, see deploy/README.md: one stream is one KurrentDB append. Several streams (and the
 * idempotency record, which is a stream of its own) go in one multi-stream append on KurrentDB
 * 25.1+, all or nothing. An older server gets them one after the other, reservations first
 * (sequentialAppendOrder), which is not atomic.
 */
export class KurrentDbEventStore implements EventStore {
  readonly kind = 'kurrentdb' as const;

  private readonly connectionString: string;
  private readonly readModels: KurrentDbReadModels;
  private readonly clock: () => Date;
  private readonly prefix: string;
  private readonly reservationPrefixes: readonly string[];
  private readonly indexWaitMs: number;
  private readonly catchUpWaitMs: number;
  private readonly indexBatchSize: number;
  private readonly log: KurrentDbLog;
  private readonly givenClient: KurrentDbClient | undefined;
  private started: Started | null = null;
  private starting: Promise<Started> | null = null;
  private multiStreamAppend: 'untried' | 'available' | 'unavailable' = 'untried';
  private readonly subscriptions = new Set<KurrentDbSubscription>();
  private closed = false;

  constructor(options: KurrentDbEventStoreOptions) {
    const prefix = options.streamNamePrefix ?? '';
    assert(!prefix.startsWith('$'), 'streamNamePrefix must not start with $: those are system streams');
    this.connectionString = options.connectionString;
    this.readModels = options.readModels ?? new InMemoryKurrentDbReadModels();
    this.clock = options.clock ?? (() => new Date());
    this.prefix = prefix;
    this.reservationPrefixes = options.reservationStreamPrefixes ?? defaultReservationStreamPrefixes;
    this.indexWaitMs = options.indexWaitMs ?? defaultIndexWaitMs;
    this.catchUpWaitMs = options.catchUpWaitMs ?? defaultCatchUpWaitMs;
    this.indexBatchSize = options.indexBatchSize ?? maxIndexBatch;
    assertCount('indexBatchSize', this.indexBatchSize, maxIndexBatch);
    this.log = options.log ?? defaultLog;
    this.givenClient = options.client;
  }

  /** Connects, starts the indexer and waits until the position map has caught up with $all. */
  async init(): Promise<void> {
    this.assertOpen();
    if (this.started) return;
    this.starting ??= this.start().finally(() => {
      this.starting = null;
    });
    this.started = await this.starting;
  }

  private async start(): Promise<Started> {
    const filter = await ledgerFilter();
    const client = this.givenClient ?? (await connectKurrentDb(this.connectionString));
    const indexer = new LedgerIndexer({
      client,
      readModels: this.readModels,
      filter,
      streamNamePrefix: this.prefix,
      log: this.log,
      batchSize: this.indexBatchSize,
    });
    try {
      const target = await this.lastLogPosition(client, filter);
      await indexer.start();
      await indexer.waitUntilPast(target, this.catchUpWaitMs);
    } catch (error) {
      await indexer.stop();
      if (!this.givenClient) await client.dispose();
      throw toStoreError(error, 'init');
    }
    return { client, filter, indexer };
  }

  /** The newest non-system event's $all position: what the map must have reached to be caught up. */
  private async lastLogPosition(client: KurrentDbClient, filter: Filter): Promise<Position | null> {
    for await (const resolved of client.readAll({ direction: 'backwards', fromPosition: 'end', maxCount: 1, filter })) {
      if (resolved.event) return resolved.event.position;
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------------
  // Appends

  async append(request: AppendRequest): Promise<AppendResult> {
    const { indexer } = this.ready();
    assertAppendRequest(request);
    const streams = request.streams.map((stream) => ({ ...stream, events: stream.events.map(normalizeNewEvent) }));
    const wanted = streams.flatMap((stream) => stream.events.map((event) => ({ streamName: stream.streamName, eventId: event.id })));
    const wait = indexer.expect(wanted);
    try {
      const known = await entriesForEvents(this.readModels, wanted);
      for (const entry of known.values()) wait.offer(entry);
      if (wanted.length > 0 && known.size === wanted.length) return await this.answerRetry(streams, known, request.idempotency);

      // Events already in their stream are skipped, as a retry that half-succeeded needs.
      const fresh = streams.map((stream) => ({
        ...stream,
        events: stream.events.filter((event) => !known.has(eventKey(stream.streamName, event.id))),
      }));
      const versions = await this.write(fresh, request.idempotency);
      const entries = await wait.result(this.indexWaitMs);
      const stored = await this.storedEvents([...known.values()]);
      const events = streams.flatMap((stream) =>
        stream.events.map((event) => {
          const key = eventKey(stream.streamName, event.id);
          return stored.get(key) ?? toRecordedEvent(stream.streamName, event, entries.get(key) as PositionMapEntry);
        }),
      );
      const freshPositions = fresh.flatMap((stream) =>
        stream.events.map((event) => (entries.get(eventKey(stream.streamName, event.id)) as PositionMapEntry).position),
      );
      const lastPosition = freshPositions.length > 0 ? freshPositions.reduce((a, b) => (a > b ? a : b)) : await this.headPosition();
      return { nextExpectedVersions: versions, lastPosition, events };
    } finally {
      wait.cancel();
    }
  }

  /**
   * Every event is stored already: answer as the first append did, with today's versions and head.
   * Its idempotency record is written if it is missing, which only an append without a multi-stream
   * append can leave behind (events stored, then the record lost with the connection).
   */
  private async answerRetry(
    streams: readonly { readonly streamName: string; readonly events: readonly NewEvent[] }[],
    known: ReadonlyMap<string, PositionMapEntry>,
    idempotency: IdempotencyRecord | undefined,
  ): Promise<AppendResult> {
    if (idempotency) {
      const appended = streams.flatMap((stream) => stream.events.map((event) => [stream.streamName, event.id] as const));
      const planned = await this.planIdempotencyRecord(idempotency, appended, this.clock().toISOString());
      if ((await this.readIdempotencyEvent(planned.kurrentName)) === null) {
        // Taken meanwhile by another request: this one's answer stands without a record, as in SQL.
        await this.appendOne(planned).catch((error: unknown) => {
          if (!(error instanceof IdempotencyKeyTakenError)) throw error;
        });
      }
    }
    const stored = await this.storedEvents([...known.values()]);
    const events = streams.flatMap((stream) => stream.events.map((event) => stored.get(eventKey(stream.streamName, event.id)) as RecordedEvent));
    const nextExpectedVersions = await Promise.all(streams.map((stream) => this.currentVersion(stream.streamName)));
    return { nextExpectedVersions, lastPosition: await this.headPosition(), events };
  }

  /** Sends the new events and the idempotency record; returns each stream's version after it. */
  private async write(
    streams: readonly { readonly streamName: string; readonly expectedVersion: ExpectedVersion; readonly events: readonly NewEvent[] }[],
    idempotency: IdempotencyRecord | undefined,
  ): Promise<bigint[]> {
    const recordedAt = this.clock().toISOString();
    const planned: PlannedAppend[] = streams
      // Nothing to write and nothing to check: the stream's version is read afterwards.
      .filter((stream) => stream.events.length > 0 || stream.expectedVersion !== 'any')
      .map((stream) => ({
        kurrentName: this.prefix + stream.streamName,
        portName: stream.streamName,
        expected: stream.expectedVersion,
        events: stream.events.map((event) => toEventData(event, recordedAt)),
        eventIds: stream.events.map((event) => event.id),
      }));
    const record = idempotency
      ? await this.planIdempotencyRecord(
          idempotency,
          streams.flatMap((stream) => stream.events.map((event) => [stream.streamName, event.id] as const)),
          recordedAt,
        )
      : null;
    const all = record ? [...planned, record] : planned;

    let versions: Map<string, bigint>;
    if (all.length === 0) versions = new Map();
    else if (all.length === 1) versions = await this.appendOne(all[0]);
    else if (this.multiStreamAppend !== 'unavailable') {
      try {
        versions = await this.appendAtomically(all);
        this.multiStreamAppend = 'available';
      } catch (error) {
        if (!isUnsupported(error)) throw error;
        this.multiStreamAppend = 'unavailable';
        this.log('warn', 'kurrentdb: this server has no multi-stream append (KurrentDB 25.1+): appends to several streams are not atomic');
        versions = await this.appendInOrder(planned, record);
      }
    } else {
      versions = await this.appendInOrder(planned, record);
    }
    return Promise.all(streams.map(async (stream) => versions.get(this.prefix + stream.streamName) ?? this.currentVersion(stream.streamName)));
  }

  private async planIdempotencyRecord(
    record: IdempotencyRecord,
    appended: readonly (readonly [string, string])[],
    recordedAt: string,
  ): Promise<PlannedAppend> {
    const data: IdempotencyEventData = {
      record: { scope: record.scope, key: record.key, requestHash: record.requestHash, status: record.status, body: record.body },
      appended,
      // Its position when nothing is appended with it; with events, theirs is looked up when read.
      headPosition: appended.length === 0 ? await this.headPosition() : 0n,
    };
    const id = idempotencyEventId(record, appended);
    return {
      kurrentName: this.prefix + idempotencyStreamName(record.scope, record.key),
      portName: idempotencyStreamName(record.scope, record.key),
      expected: 'no-stream',
      idempotency: { scope: record.scope, key: record.key },
      events: [{ id, contentType: 'application/json', type: idempotencyRecordedType, data: toIdempotencyEventData(data), metadata: { [recordedAtKey]: recordedAt } }],
      eventIds: [id],
    };
  }

  private async appendOne(planned: PlannedAppend): Promise<Map<string, bigint>> {
    const { client } = this.ready();
    let conflict: WrongExpectedVersion;
    try {
      const result = await client.appendToStream(planned.kurrentName, planned.events, { streamState: toKurrentStreamState(planned.expected) });
      if (result.success) return new Map([[planned.kurrentName, result.nextExpectedRevision]]);
      // Only with throwOnAppendFailure=false in the connection string.
      conflict = {
        streamName: planned.kurrentName,
        expected: toKurrentStreamState(planned.expected),
        actual: result.nextExpectedRevision < 0n ? null : result.nextExpectedRevision,
      };
    } catch (error) {
      conflict = asWrongExpectedVersion(error) ?? (await this.diagnose(error, [planned], 'append'));
    }
    return (await this.ownEarlierAppend([planned])) ?? Promise.reject(toConflictError(conflict, [planned], this.prefix));
  }

  private async appendAtomically(all: readonly PlannedAppend[]): Promise<Map<string, bigint>> {
    const { client } = this.ready();
    const requests: AppendStreamRequest[] = all.map((planned) => ({
      streamName: planned.kurrentName,
      events: planned.events,
      expectedState: toKurrentStreamState(planned.expected),
    }));
    let conflict: WrongExpectedVersion;
    try {
      const result = await client.multiStreamAppend(requests);
      return new Map(result.responses.map((response) => [response.streamName, response.revision]));
    } catch (error) {
      if (isUnsupported(error)) throw error;
      conflict = asWrongExpectedVersion(error) ?? (await this.diagnose(error, all, 'multi-stream append'));
    }
    return (await this.ownEarlierAppend(all)) ?? Promise.reject(toConflictError(conflict, all, this.prefix));
  }

  /**
   * An append failed with an error the client could not read (UnknownError: details of a newer
   * server it does not parse). If a stream is not where the append expected it, that was the
   * reason, and the caller gets the conflict it can retry on; otherwise the error stands. A request
   * whose own events are in place has succeeded, and is answered as such by the caller.
   */
  private async diagnose(error: unknown, all: readonly PlannedAppend[], operation: string): Promise<WrongExpectedVersion> {
    if (!isUnrecognised(error)) throw toStoreError(error, operation);
    if ((await this.ownEarlierAppend(all)) !== null) return { streamName: null, expected: null, actual: null };
    for (const planned of all) {
      const current = await this.currentVersion(planned.portName);
      const actual = current === noStreamVersion ? null : current;
      if (!expectationHolds(planned.expected, actual)) {
        return { streamName: planned.kurrentName, expected: toKurrentStreamState(planned.expected), actual };
      }
    }
    throw toStoreError(error, operation);
  }

  /**
   * Without a multi-stream append: reservations, then the stream that carries the money, then the
   * idempotency record. Not atomic (deploy/README.md): a failure after the first append leaves a
   * reservation without its movement, or a movement without its record. A key already taken is
   * checked first, so that the common case appends nothing; two requests racing on one key can
   * still both append their events, and the second then gets IdempotencyKeyTakenError.
   */
  private async appendInOrder(planned: readonly PlannedAppend[], record: PlannedAppend | null): Promise<Map<string, bigint>> {
    const order = sequentialAppendOrder(
      planned.map((stream) => ({ streamName: stream.portName, expectedVersion: stream.expected })),
      (streamName) => this.reservationPrefixes.some((prefix) => streamName.startsWith(prefix)),
    );
    if (record?.idempotency) {
      const existing = await this.readIdempotencyEvent(record.kurrentName);
      if (existing !== null && existing.id !== record.eventIds[0]) throw new IdempotencyKeyTakenError(record.idempotency.scope, record.idempotency.key);
    }
    const versions = new Map<string, bigint>();
    for (const index of order) for (const [name, version] of await this.appendOne(planned[index])) versions.set(name, version);
    if (record) await this.appendOne(record);
    return versions;
  }

  /**
   * After a conflict: whether this request's own events already sit where it expected to put them,
   * i.e. it is the retry of an append whose answer was lost. Then the conflict is no conflict.
   * Only an exact version or 'no-stream' says where the events would be.
   */
  private async ownEarlierAppend(all: readonly PlannedAppend[]): Promise<Map<string, bigint> | null> {
    const versions = new Map<string, bigint>();
    for (const planned of all) {
      if (planned.eventIds.length === 0) return null;
      const first = planned.expected === 'no-stream' ? 0n : typeof planned.expected === 'bigint' ? planned.expected + 1n : null;
      if (first === null) return null;
      const ids = (await this.readRecords(planned.kurrentName, { fromRevision: first, maxCount: planned.eventIds.length })).map((record) =>
        record.id.toLowerCase(),
      );
      if (ids.length !== planned.eventIds.length || ids.some((id, index) => id !== planned.eventIds[index])) return null;
      versions.set(planned.kurrentName, first + BigInt(ids.length) - 1n);
    }
    return versions;
  }

  /** The stream's last version, noStreamVersion when it has none. */
  private async currentVersion(streamName: string): Promise<bigint> {
    const [last] = await this.readRecords(this.prefix + streamName, { direction: 'backwards', fromRevision: 'end', maxCount: 1 });
    return last === undefined ? noStreamVersion : last.revision;
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const { indexer } = this.ready();
    if (options.fromVersion !== undefined && options.fromVersion < 0n) throw new RangeError('fromVersion is >= 0');
    if (options.maxCount !== undefined) assertCount('maxCount', options.maxCount, Number.MAX_SAFE_INTEGER);
    const backwards = options.direction === 'backwards';
    const records = (
      await this.readRecords(this.prefix + streamName, {
        direction: backwards ? 'backwards' : 'forwards',
        fromRevision: options.fromVersion ?? (backwards ? 'end' : 'start'),
        maxCount: options.maxCount,
      })
    )
      .map((record) => toLedgerRecord(record, this.prefix))
      .filter((record): record is LedgerRecord => record !== null);
    if (records.length === 0) return [];
    const entries = await this.awaitEntries(indexer, records.map((record) => ({ streamName: record.streamName, eventId: record.id })));
    return records.map((record) => toRecordedEvent(record.streamName, record, entries.get(eventKey(record.streamName, record.id)) as PositionMapEntry));
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    const through = await this.lastPositionRead(options);
    if (through === null) return [];
    // The entry at afterPosition, if any, is where the $all scan starts.
    const entries = await entriesBetween(this.readModels, options.afterPosition > 0n ? options.afterPosition - 1n : 0n, through);
    const start = options.afterPosition > 0n ? (entries.shift() as PositionMapEntry).allPosition : null;
    const events: RecordedEvent[] = [];
    let from = start;
    for (let index = 0; index < entries.length; index += logReadPageSize) {
      const page = entries.slice(index, index + logReadPageSize);
      events.push(...(await this.readLogPage(page, from)));
      from = page[page.length - 1].allPosition;
    }
    return events;
  }

  /**
   * From the position map alone, which holds each event's position and hash: unlike readAll, it
   * reads nothing from $all, so it does not find out whether $all still holds the events.
   */
  async readHashes(options: ReadAllOptions): Promise<EventHash[]> {
    const through = await this.lastPositionRead(options);
    if (through === null) return [];
    const entries = await entriesBetween(this.readModels, options.afterPosition, through);
    return entries.map((entry) => ({ position: entry.position, hash: entry.hash }));
  }

  /** The last position a read of the log with these options reaches, or null when it reaches none. */
  private async lastPositionRead(options: ReadAllOptions): Promise<bigint | null> {
    this.ready();
    assertCount('maxCount', options.maxCount, Number.MAX_SAFE_INTEGER);
    if (options.afterPosition < 0n) throw new RangeError('afterPosition is >= 0');
    const head = await this.headPosition();
    if (options.afterPosition >= head) return null;
    return head - options.afterPosition > BigInt(options.maxCount) ? options.afterPosition + BigInt(options.maxCount) : head;
  }

  /**
   * The events of consecutive entries, read from $all from the entry before them (or the start):
   * between them lie only events that are no part of the ledger (idempotency records, other
   * programs' streams), which are passed over.
   */
  private async readLogPage(page: readonly PositionMapEntry[], from: Position | null): Promise<RecordedEvent[]> {
    const { client, filter } = this.ready();
    const wanted = new Map(page.map((entry) => [entryKey(entry), entry]));
    const found = new Map<string, RecordedEvent>();
    const lastWanted = page[page.length - 1].allPosition;
    let cursor: ReadPosition = from ?? 'start';
    for (;;) {
      let lastSeen: Position | null = null;
      try {
        for await (const resolved of client.readAll({ fromPosition: cursor, maxCount: logReadPageSize + page.length, filter })) {
          if (!resolved.event) continue;
          lastSeen = resolved.event.position;
          const record = toLedgerRecord(resolved.event, this.prefix);
          const entry = record && wanted.get(eventKey(record.streamName, record.id));
          if (record && entry && record.streamVersion === entry.streamVersion) found.set(entryKey(entry), toRecordedEvent(record.streamName, record, entry));
          if (compareAllPositions(lastSeen, lastWanted) >= 0) break;
        }
      } catch (error) {
        throw toStoreError(error, 'read $all');
      }
      if (found.size === wanted.size) break;
      const stuck = lastSeen === null || (typeof cursor === 'object' && compareAllPositions(lastSeen, cursor) <= 0);
      if (stuck || compareAllPositions(lastSeen as Position, lastWanted) >= 0) {
        const missing = page.find((entry) => !found.has(entryKey(entry))) as PositionMapEntry;
        throw new EventStoreUnavailableError(`kurrentdb: position ${missing.position} is mapped to an event $all does not hold`);
      }
      cursor = lastSeen as Position;
    }
    return page.map((entry) => found.get(entryKey(entry)) as RecordedEvent);
  }

  /** The stored form of mapped events, read a stream at a time over the versions they span. */
  private async storedEvents(entries: readonly PositionMapEntry[]): Promise<Map<string, RecordedEvent>> {
    const byStream = new Map<string, PositionMapEntry[]>();
    for (const entry of entries) {
      const list = byStream.get(entry.streamName) ?? [];
      list.push(entry);
      byStream.set(entry.streamName, list);
    }
    const stored = new Map<string, RecordedEvent>();
    for (const [streamName, list] of byStream) {
      const versions = list.map((entry) => entry.streamVersion);
      const first = versions.reduce((a, b) => (a < b ? a : b));
      const last = versions.reduce((a, b) => (a > b ? a : b));
      const byVersion = new Map(list.map((entry) => [entry.streamVersion, entry]));
      for (const raw of await this.readRecords(this.prefix + streamName, { fromRevision: first, maxCount: Number(last - first) + 1 })) {
        const record = toLedgerRecord(raw, this.prefix);
        const entry = byVersion.get(raw.revision);
        if (record && entry && entry.eventId === record.id) stored.set(entryKey(entry), toRecordedEvent(streamName, record, entry));
      }
    }
    const missing = entries.find((entry) => !stored.has(entryKey(entry)));
    if (missing) throw new EventStoreUnavailableError(`kurrentdb: position ${missing.position} is mapped to an event its stream does not hold`);
    return stored;
  }

  private async awaitEntries(
    indexer: LedgerIndexer,
    events: readonly { readonly streamName: string; readonly eventId: string }[],
  ): Promise<Map<string, PositionMapEntry>> {
    const wait: EntryWait = indexer.expect(events);
    try {
      for (const entry of (await entriesForEvents(this.readModels, events)).values()) wait.offer(entry);
      return await wait.result(this.indexWaitMs);
    } finally {
      wait.cancel();
    }
  }

  /** A stream's raw records; a stream that does not exist has none. */
  private async readRecords(
    kurrentName: string,
    options: { direction?: 'forwards' | 'backwards'; fromRevision: bigint | 'start' | 'end'; maxCount?: number },
  ): Promise<KurrentRecord[]> {
    const { client } = this.ready();
    const records: KurrentRecord[] = [];
    try {
      for await (const resolved of client.readStream(kurrentName, {
        direction: options.direction ?? 'forwards',
        fromRevision: options.fromRevision,
        ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
      })) {
        if (resolved.event) records.push(resolved.event);
      }
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw toStoreError(error, `read ${kurrentName}`);
    }
    return records;
  }

  async headPosition(): Promise<bigint> {
    this.ready();
    return positionMapHead(this.readModels);
  }

  // ---------------------------------------------------------------------------------------------
  // Idempotency records

  async findIdempotency(scope: string, key: string): Promise<StoredIdempotencyRecord | null> {
    const { indexer } = this.ready();
    const event = await this.readIdempotencyEvent(this.prefix + idempotencyStreamName(scope, key));
    if (event === null) return null;
    const data = fromIdempotencyEventData(event.data);
    if (data === null) throw new EventStoreUnavailableError(`kurrentdb: the idempotency record of ${scope}/${key} is unreadable`);
    let position = data.headPosition;
    if (data.appended.length > 0) {
      const entries = await this.awaitEntries(indexer, data.appended.map(([streamName, eventId]) => ({ streamName, eventId })));
      position = [...entries.values()].reduce((last, entry) => (entry.position > last ? entry.position : last), 0n);
    }
    return { ...data.record, position };
  }

  private async readIdempotencyEvent(kurrentName: string): Promise<{ id: string; data: unknown } | null> {
    const [first] = await this.readRecords(kurrentName, { fromRevision: 'start', maxCount: 1 });
    return first === undefined ? null : { id: first.id.toLowerCase(), data: first.data };
  }

  // ---------------------------------------------------------------------------------------------
  // Subscriptions

  subscribe(options: SubscribeOptions): Subscription {
    const { indexer } = this.ready();
    const batchSize = options.batchSize ?? defaultSubscriptionBatchSize;
    assertCount('batchSize', batchSize, maxSubscriptionBatchSize);
    const subscription = new KurrentDbSubscription(this, indexer, options, batchSize, (done) => this.subscriptions.delete(done));
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    const started = this.started ?? (await this.starting?.catch(() => null)) ?? null;
    this.started = null;
    if (started === null) return;
    await started.indexer.stop();
    if (!this.givenClient) await started.client.dispose();
  }

  private ready(): Started {
    this.assertOpen();
    if (this.started === null) throw new Error('KurrentDbEventStore: call init() first');
    return this.started;
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError('kurrentdb: store is closed');
  }
}

/**
 * Follows the position map, not $all directly: a ledger position exists only once mapped. The map
 * is fed by the indexer's catch-up subscription to $all, so this is that subscription, delivered
 * in ledger positions: read the map after the checkpoint, hand over a batch, wait for the map to
 * grow (or poll, for entries another replica mapped), and so on.
 */
class KurrentDbSubscription implements Subscription {
  private readonly stopping = new AbortController();
  private delivering = false;
  private readonly loop: Promise<void>;

  constructor(
    private readonly store: KurrentDbEventStore,
    private readonly indexer: LedgerIndexer,
    private readonly options: SubscribeOptions,
    private readonly batchSize: number,
    private readonly release: (subscription: KurrentDbSubscription) => void,
  ) {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    // Called from inside onEvents, waiting for the loop would wait for itself.
    if (!this.delivering) await this.loop;
    this.release(this);
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    const reportError = this.options.onError ?? (() => undefined);
    let after = this.options.afterPosition;
    while (!signal.aborted) {
      // Taken before reading, so that a mapping landing between the read and the wait still wakes us.
      const seen = this.indexer.changeCount;
      let events: RecordedEvent[];
      try {
        events = await this.store.readAll({ afterPosition: after, maxCount: this.batchSize });
      } catch (error) {
        // A failed read delivered nothing: reading again later is safe.
        reportError(error);
        await abortableSleep(subscriptionRetryDelayMs, signal);
        continue;
      }
      if (events.length === 0) {
        await this.indexer.waitForChange(seen, subscriptionPollIntervalMs, signal);
        continue;
      }
      if (signal.aborted) return;
      this.delivering = true;
      try {
        await this.options.onEvents(events);
      } catch (error) {
        // The handler did not take these events: stop here rather than skip them or loop on them.
        reportError(error);
        return;
      } finally {
        this.delivering = false;
      }
      after = events[events.length - 1].position;
    }
  }
}


function toEventData(event: NewEvent, recordedAt: string): EventData {
  return {
    id: event.id,
    contentType: 'application/json',
    type: event.type,
    data: event.data,
    metadata: toKurrentMetadata(event.metadata, recordedAt),
  };
}

function toRecordedEvent(
  streamName: string,
  event: { readonly id: string; readonly type: string; readonly data: RecordedEvent['data']; readonly metadata: RecordedEvent['metadata'] },
  entry: PositionMapEntry,
): RecordedEvent {
  return {
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    streamName,
    streamVersion: entry.streamVersion,
    position: entry.position,
    recordedAt: entry.recordedAt,
    hash: entry.hash,
    previousHash: entry.previousHash,
  };
}


function assertCount(name: string, value: number, limit: number): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > limit) {
    throw new RangeError(`${name} must be an integer in 1..${limit}, got ${value}`);
  }
}

/** Programmer errors: stay on in production. */
function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

export { maxEventsPerAppend, maxStreamsPerAppend };

/** Programmer errors in the request itself: the checks every adapter makes, and KurrentDB's own. */
function assertAppendRequest(request: AppendRequest): void {
  assertCommonAppendRequest(request);
  const names = new Set<string>();
  for (const stream of request.streams) {
    if (isReservedStreamName(stream.streamName)) throw new TypeError(`stream name ${stream.streamName} is reserved by the kurrentdb adapter`);
    if (names.has(stream.streamName)) throw new TypeError(`stream ${stream.streamName} is named twice in one append`);
    names.add(stream.streamName);
  }
}
