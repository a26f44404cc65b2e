import { assertAppendRequest, eventsIn, maxEventsPerAppend, maxStreamsPerAppend } from '../append-request';
import { DatabaseError, type PoolClient } from 'pg';
import { canonicalBodies, hashEventWithBodies, type CanonicalBodies } from '../event-hash';
import {
  ConcurrencyError,
  IdempotencyKeyTakenError,
  type AppendRequest,
  type AppendResult,
  type ExpectedVersion,
  type JsonObject,
  type RecordedEvent,
} from '../event-store.port';
import type { LedgerDelta } from '../ledger-tables.port';
import { arrayParam } from './postgres-array-param';
import { queryThenCommit } from './postgres-commit';
import { isUniqueViolation } from './postgres-errors';
import { isEmptyLedgerDelta, ledgerDeltaValues, ledgerWriteCtes } from './postgres-ledger-tables';
import { textArrayLiteral } from './postgres-literals';
import { eventColumns, toRecordedEvent, type EventRow } from './postgres-rows';


/** The last position handed out and its hash: where the next event chains on. */
export interface LogHead {
  readonly position: bigint;
  readonly hash: string;
}

/** The stream version reported for a stream that has no events. */
export const noStreamVersion = -1n;

/** One append of a batch, with the time its events are recorded at (fixed before planning). */
export interface AppendInput {
  readonly request: AppendRequest;
  readonly recordedAt: string;
  /** Its events encoded before the head lock is taken (`encodeAppend`), by stream; null if that threw. */
  readonly encoded: readonly (readonly EncodedEvent[])[] | null;
}

/** An event's stored JSON text, read back, and in canonical JSON: the part of hashing it that needs no position. */
export interface EncodedEvent {
  readonly text: StoredText;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
  readonly bodies: CanonicalBodies;
}

/**
 * Encodes an append's events, so that the batch does it before taking the head lock rather than
 * while holding it; null when an event cannot be encoded (planAppend then refuses the append).
 */
export function encodeAppend(request: AppendRequest): EncodedEvent[][] | null {
  try {
    return request.streams.map((stream) => stream.events.map(encodeEvent));
  } catch {
    return null;
  }
}

function encodeEvent(event: { readonly data: JsonObject; readonly metadata: JsonObject }): EncodedEvent {
  // Hash what will be read back (the JSON text), not the caller's objects: they may differ.
  const text: StoredText = { data: JSON.stringify(event.data), metadata: JSON.stringify(event.metadata) };
  const data = JSON.parse(text.data) as JsonObject;
  const metadata = JSON.parse(text.metadata) as JsonObject;
  return { text, data, metadata, bodies: canonicalBodies({ data, metadata }) };
}

/** What the database holds for a batch's appends, read once under the head lock. */
export interface StoredState {
  readonly versions: ReadonlyMap<string, bigint | null>;
  /** Events of the batch already stored, by stream and id. */
  readonly recorded: ReadonlyMap<string, RecordedEvent>;
  /** Idempotency keys of the batch already stored, by scope and key. */
  readonly takenKeys: ReadonlySet<string>;
}

/** The JSON text stored for an event: hashed and read back as it is, not the caller's objects. */
interface StoredText {
  readonly data: string;
  readonly metadata: string;
}

/** The idempotency record an append stores, its body already JSON text. */
interface PlannedIdempotency {
  readonly scope: string;
  readonly key: string;
  readonly requestHash: string;
  readonly status: number;
  readonly bodyText: string;
}

/** An append that passed its checks, placed in the log in memory, with what it will write. */
export interface PlannedAppend {
  readonly result: AppendResult;
  /** The events new to the log, in position order. */
  readonly fresh: readonly RecordedEvent[];
  readonly texts: readonly StoredText[];
  readonly idempotency: PlannedIdempotency | null;
  /** Each stream's version after this append, for the streams it moved. */
  readonly versions: ReadonlyMap<string, bigint>;
}

export type PlanOutcome = { readonly ok: true; readonly planned: PlannedAppend } | { readonly ok: false; readonly error: unknown };

const eventKey = (streamName: string, id: string): string => `${streamName}\u0000${id}`;
const idempotencyKey = (scope: string, key: string): string => `${scope}\u0000${key}`;

/**
 * The stored state seen through the appends of the batch planned so far, so that each append's
 * checks see those before it (expected versions, event ids, idempotency keys) as if committed.
 */
export class BatchView {
  private readonly versions = new Map<string, bigint>();
  private readonly recorded = new Map<string, RecordedEvent>();
  private readonly takenKeys = new Set<string>();

  constructor(
    private readonly stored: StoredState,
    public head: LogHead,
  ) {}

  version(streamName: string): bigint | null {
    return this.versions.get(streamName) ?? this.stored.versions.get(streamName) ?? null;
  }

  recordedEvent(key: string): RecordedEvent | undefined {
    return this.recorded.get(key) ?? this.stored.recorded.get(key);
  }

  isKeyTaken(scope: string, key: string): boolean {
    const taken = idempotencyKey(scope, key);
    return this.takenKeys.has(taken) || this.stored.takenKeys.has(taken);
  }

  /** Counts the append as done: the appends after it see its effects. */
  take(planned: PlannedAppend): void {
    for (const [streamName, version] of planned.versions) this.versions.set(streamName, version);
    for (const event of planned.fresh) this.recorded.set(eventKey(event.streamName, event.id), event);
    if (planned.idempotency) this.takenKeys.add(idempotencyKey(planned.idempotency.scope, planned.idempotency.key));
    const last = planned.fresh[planned.fresh.length - 1];
    if (last) this.head = { position: last.position, hash: last.hash };
  }
}

/**
 * Checks one append against the view and places its new events after the view's head: versions,
 * positions and the hash chain, all in memory. Throws ConcurrencyError or IdempotencyKeyTakenError
 * without touching the view; the caller takes the plan into the view when the append is kept.
 */
export function planAppend(view: BatchView, input: AppendInput): PlannedAppend {
  const { request, recordedAt } = input;
  const keys = request.streams.flatMap((stream) => stream.events.map((event) => eventKey(stream.streamName, event.id)));
  if (keys.length > 0 && keys.every((key) => view.recordedEvent(key) !== undefined)) {
    // Every event is already stored: a retry of an append that committed. Answer as it was.
    return {
      result: {
        nextExpectedVersions: request.streams.map((stream) => view.version(stream.streamName) ?? noStreamVersion),
        lastPosition: view.head.position,
        events: keys.map((key) => view.recordedEvent(key) as RecordedEvent),
      },
      fresh: [],
      texts: [],
      idempotency: null,
      versions: new Map(),
    };
  }

  let head = view.head;
  // This append's own effects, seen by its later streams (a stream may be named twice).
  const versions = new Map<string, bigint>();
  const recorded = new Map<string, RecordedEvent>();
  const fresh: RecordedEvent[] = [];
  const texts: StoredText[] = [];
  const returned: RecordedEvent[] = [];
  const nextExpectedVersions: bigint[] = [];
  for (const [s, stream] of request.streams.entries()) {
    const actual = versions.get(stream.streamName) ?? view.version(stream.streamName);
    checkExpectedVersion(stream.streamName, stream.expectedVersion, actual);
    let version = actual ?? noStreamVersion;
    for (const [e, event] of stream.events.entries()) {
      const key = eventKey(stream.streamName, event.id);
      const already = recorded.get(key) ?? view.recordedEvent(key);
      if (already) {
        returned.push(already);
        continue;
      }
      version += 1n;
      const encoded = input.encoded?.[s][e] ?? encodeEvent(event);
      const unhashed = {
        id: event.id,
        type: event.type,
        data: encoded.data,
        metadata: encoded.metadata,
        streamName: stream.streamName,
        streamVersion: version,
        position: head.position + 1n,
        recordedAt,
      };
      const chained: RecordedEvent = { ...unhashed, previousHash: head.hash, hash: hashEventWithBodies(unhashed, encoded.bodies, head.hash) };
      head = { position: chained.position, hash: chained.hash };
      recorded.set(key, chained);
      fresh.push(chained);
      texts.push(encoded.text);
      returned.push(chained);
    }
    if (version !== (actual ?? noStreamVersion)) versions.set(stream.streamName, version);
    nextExpectedVersions.push(version);
  }

  let idempotency: PlannedIdempotency | null = null;
  if (request.idempotency) {
    const { scope, key, requestHash, status, body } = request.idempotency;
    if (view.isKeyTaken(scope, key)) throw new IdempotencyKeyTakenError(scope, key);
    const bodyText = JSON.stringify(body) as string | undefined;
    if (bodyText === undefined) throw new TypeError('an idempotency record needs a JSON body');
    idempotency = { scope, key, requestHash, status, bodyText };
  }

  return { result: { nextExpectedVersions, lastPosition: head.position, events: returned }, fresh, texts, idempotency, versions };
}

/** The keys a batch's stored state is read by, one array per column of `storedStateSql`. */
interface StoredStateKeys {
  readonly streamNames: string[];
  readonly eventStreams: string[];
  readonly eventIds: string[];
  readonly scopes: string[];
  readonly keys: string[];
}

function storedStateKeys(requests: readonly AppendRequest[]): StoredStateKeys {
  const streamNames = new Set<string>();
  const eventStreams: string[] = [];
  const eventIds: string[] = [];
  const scopes: string[] = [];
  const keys: string[] = [];
  for (const request of requests) {
    for (const stream of request.streams) {
      streamNames.add(stream.streamName);
      for (const event of stream.events) {
        eventStreams.push(stream.streamName);
        eventIds.push(event.id);
      }
    }
    if (request.idempotency) {
      scopes.push(request.idempotency.scope);
      keys.push(request.idempotency.key);
    }
  }
  return { streamNames: [...streamNames], eventStreams, eventIds, scopes, keys };
}

type StoredStateRow = Partial<EventRow> & { versions: Record<string, string | null> | null; taken: [string, string][] | null };

/**
 * In one round trip, for every append of a batch: the current version of each stream named, the
 * events already stored among theirs (a retried append), and the idempotency keys already taken.
 */
export async function loadStoredState(client: PoolClient, requests: readonly AppendRequest[]): Promise<StoredState> {
  const keys = storedStateKeys(requests);
  const result = await client.query<StoredStateRow>({
    name: 'earmark-load-batch-state',
    text: storedStateParameterisedSql,
    values: [keys.streamNames, keys.eventStreams, keys.eventIds, keys.scopes, keys.keys],
  });
  return storedStateOf(result.rows);
}

/**
 * The statement of `loadStoredState` with its keys written as literals, for a simple query, or
 * null when some key cannot be a literal.
 */
export function storedStateLiteralSql(requests: readonly AppendRequest[]): string | null {
  const keys = storedStateKeys(requests);
  const arrays = [keys.streamNames, keys.eventStreams, keys.eventIds, keys.scopes, keys.keys].map(textArrayLiteral);
  if (arrays.some((array) => array === null)) return null;
  const [streamNames, eventStreams, eventIds, scopes, idempotencyKeys] = arrays as string[];
  return storedStateSql(streamNames, eventStreams, eventIds, scopes, idempotencyKeys);
}

export function storedStateOf(rows: readonly StoredStateRow[]): StoredState {
  const first = rows[0];
  const versions = new Map<string, bigint | null>();
  for (const [name, version] of Object.entries(first?.versions ?? {})) {
    versions.set(name, version === null ? null : BigInt(version));
  }
  const takenKeys = new Set((first?.taken ?? []).map(([scope, key]) => idempotencyKey(scope, key)));
  const recorded = new Map<string, RecordedEvent>();
  for (const row of rows) {
    if (row.position === null || row.position === undefined) continue;
    const event = toRecordedEvent(row as EventRow);
    recorded.set(eventKey(event.streamName, event.id), event);
  }
  return { versions, recorded, takenKeys };
}

function prefixed(alias: string, columns: string): string {
  return columns
    .split(', ')
    .map((column) => `${alias}.${column}`)
    .join(', ');
}

// The versions and the taken keys are uncorrelated subqueries: computed once, repeated on each row.
// Each lookup is a LATERAL ... LIMIT 1, which the planner cannot turn into a join: a hash join
// would scan the whole table once per batch.
function storedStateSql(streamNames: string, eventStreams: string, eventIds: string, scopes: string, keys: string): string {
  return `
  SELECT
    (SELECT json_object_agg(s.name, (SELECT max(v.stream_version)::text FROM events v WHERE v.stream_name = s.name))
       FROM unnest(${streamNames}) AS s(name)) AS versions,
    (SELECT json_agg(json_build_array(k.scope, k.key))
       FROM unnest(${scopes}, ${keys}) AS k(scope, key)
       CROSS JOIN LATERAL (SELECT 1 FROM idempotency i WHERE i.scope = k.scope AND i.key = k.key LIMIT 1) AS hit) AS taken,
    ${prefixed('e', eventColumns)}
  FROM (SELECT 1) AS one
  LEFT JOIN (unnest(${eventStreams}, ${eventIds}) AS r(stream_name, id)
             CROSS JOIN LATERAL (SELECT ${eventColumns} FROM events
                                 WHERE events.stream_name = r.stream_name AND events.id = r.id LIMIT 1) AS e) ON TRUE`;
}

const storedStateParameterisedSql = storedStateSql('$1::text[]', '$2::text[]', '$3::text[]', '$4::text[]', '$5::text[]');

/** A read-model document as the batch leaves it: its JSON text, or null to delete it. */
export interface DocWriteRow {
  readonly collection: string;
  readonly id: string;
  readonly partition: string;
  readonly docText: string | null;
  readonly projection: string;
}

/** Everything a batch writes, already decided in memory. */
export interface BatchWrites {
  readonly appends: readonly PlannedAppend[];
  readonly docs: readonly DocWriteRow[];
  /** The ledger tables' delta, written after the events in the same transaction. */
  readonly ledger: LedgerDelta | null;
  readonly checkpoints: readonly { readonly projection: string; readonly position: bigint }[];
  readonly head: LogHead;
}

export function hasWrites(writes: BatchWrites): boolean {
  return writes.appends.some((append) => append.fresh.length > 0 || append.idempotency !== null);
}

/**
 * The whole batch in one statement: its events, idempotency records, documents, the ledger tables'
 * delta and checkpoints, and the head; then COMMIT, in the same round trip (`queryThenCommit`, whose
 * answer it returns). A constraint violation fails all of it and leaves the transaction open,
 * failed, without committing; the caller then rolls back and retries each append alone.
 */
export async function writeBatchAndCommit(client: PoolClient, writes: BatchWrites): Promise<string | null> {
  const events: RecordedEvent[] = [];
  const data: string[] = [];
  const metadata: string[] = [];
  for (const append of writes.appends) {
    events.push(...append.fresh);
    for (const text of append.texts) {
      data.push(text.data);
      metadata.push(text.metadata);
    }
  }
  // A record carries the position of its append's last event, or the head when it appended none.
  const keys = writes.appends.flatMap((append) => (append.idempotency ? [{ ...append.idempotency, position: append.result.lastPosition }] : []));
  const upserts = writes.docs.filter((doc) => doc.docText !== null);
  const deletes = writes.docs.filter((doc) => doc.docText === null);
  const batchValues = [
    events.map((event) => event.position.toString()),
    events.map((event) => event.id),
    events.map((event) => event.streamName),
    events.map((event) => event.streamVersion.toString()),
    events.map((event) => event.type),
    jsonArray(data),
    jsonArray(metadata),
    events.map((event) => event.recordedAt),
    events.map((event) => event.hash),
    events.map((event) => event.previousHash),
    keys.map((record) => record.scope),
    keys.map((record) => record.key),
    keys.map((record) => record.requestHash),
    keys.map((record) => record.status),
    jsonArray(keys.map((record) => record.bodyText)),
    keys.map((record) => record.position.toString()),
    upserts.map((doc) => doc.collection),
    upserts.map((doc) => doc.id),
    upserts.map((doc) => doc.partition),
    jsonArray(upserts.map((doc) => doc.docText as string)),
    upserts.map((doc) => doc.projection),
    deletes.map((doc) => doc.collection),
    deletes.map((doc) => doc.id),
    writes.checkpoints.map((checkpoint) => checkpoint.projection),
    writes.checkpoints.map((checkpoint) => checkpoint.position.toString()),
    writes.head.position.toString(),
    writes.head.hash,
  ];
  if (writes.ledger === null || isEmptyLedgerDelta(writes.ledger)) {
    return queryThenCommit(client, { name: 'earmark-write-batch', text: writeBatchSql, values: batchValues.map(param) });
  }
  const values = [...batchValues, ...ledgerDeltaValues(writes.ledger)].map(param);
  return queryThenCommit(client, { name: 'earmark-write-batch-and-ledger', text: writeBatchAndLedgerSql, values });
}

// Each document key appears once (the last write wins in memory): ON CONFLICT DO UPDATE refuses to
// touch a row twice in one statement, and an upserted key is never also deleted. A batch without
// deletes skips rm_docs by a one-time filter, rather than the scan a generic plan may choose.
const writeBatchSql = writeBatchSqlWith([]);
/** Its 27 parameters, then the ledger delta's. */
const writeBatchAndLedgerSql = writeBatchSqlWith(ledgerWriteCtes('', 28));

function writeBatchSqlWith(ledgerCtes: readonly string[]): string {
  return `
  WITH new_events AS (
    INSERT INTO events (${eventColumns})
    SELECT e.position, e.id, e.stream_name, e.stream_version, e.type, e.data::text, e.metadata::text,
           e.recorded_at, e.hash, e.previous_hash
    FROM ROWS FROM (unnest($1::bigint[]), unnest($2::text[]), unnest($3::text[]), unnest($4::bigint[]), unnest($5::text[]),
                    json_array_elements($6::json), json_array_elements($7::json),
                    unnest($8::text[]), unnest($9::text[]), unnest($10::text[]))
      AS e(position, id, stream_name, stream_version, type, data, metadata, recorded_at, hash, previous_hash)
  ), new_keys AS (
    INSERT INTO idempotency (scope, key, request_hash, status, body, position)
    SELECT k.scope, k.key, k.request_hash, k.status, k.body::jsonb, k.position
    FROM ROWS FROM (unnest($11::text[]), unnest($12::text[]), unnest($13::text[]), unnest($14::int[]),
                    json_array_elements($15::json), unnest($16::bigint[]))
      AS k(scope, key, request_hash, status, body, position)
  ), upserted_docs AS (
    INSERT INTO rm_docs (collection, id, partition, doc, projection)
    SELECT d.collection, d.id, d.partition, d.doc::jsonb, d.projection
    FROM ROWS FROM (unnest($17::text[]), unnest($18::text[]), unnest($19::text[]), json_array_elements($20::json), unnest($21::text[]))
      AS d(collection, id, partition, doc, projection)
    ON CONFLICT (collection, id) DO UPDATE
      SET partition = EXCLUDED.partition, doc = EXCLUDED.doc, projection = EXCLUDED.projection
  ), deleted_docs AS (
    DELETE FROM rm_docs USING unnest($22::text[], $23::text[]) AS d(collection, id)
    WHERE cardinality($22::text[]) > 0 AND rm_docs.collection = d.collection AND rm_docs.id = d.id
  ), checkpoints AS (
    INSERT INTO rm_checkpoints (projection, position)
    SELECT * FROM unnest($24::text[], $25::bigint[])
    ON CONFLICT (projection) DO UPDATE SET position = GREATEST(rm_checkpoints.position, EXCLUDED.position)
  )${ledgerCtes.map((cte) => `,\n  ${cte}`).join('')}
  UPDATE event_log_head SET position = $26, hash = $27 WHERE position <> $26`;
}

const param = (value: unknown): unknown => (Array.isArray(value) ? arrayParam(value) : value);

/**
 * JSON texts as one JSON array, for `json_array_elements`: joining them costs nothing, where pg's
 * array literal escapes every quote of every document (the bulk of a batch's serialisation). A json
 * element cast to text is its input text verbatim, so event data reads back exactly as hashed.
 */
export function jsonArray(texts: readonly string[]): string {
  return `[${texts.join(',')}]`;
}

/**
 * Why the write of a lone append failed, in the port's terms: its events or its idempotency key
 * clashed with rows written by someone who did not take the head lock, or the server refused it.
 */
export function writeFailureOf(error: unknown, request: AppendRequest, stored: StoredState): unknown {
  if (!isUniqueViolation(error)) return error;
  const { constraint, detail } = error as DatabaseError;
  if (constraint === 'idempotency_pkey' && request.idempotency) {
    return new IdempotencyKeyTakenError(request.idempotency.scope, request.idempotency.key);
  }
  if (constraint?.startsWith('events_')) {
    const writing = request.streams.filter((stream) => stream.events.length > 0);
    // The violation's detail names the key, "(stream_name, ...)=(<name>, ...)", when it is per stream.
    const stream = writing.find((candidate) => detail?.includes(`=(${candidate.streamName}, `)) ?? writing[0] ?? request.streams[0];
    return new ConcurrencyError(stream.streamName, stream.expectedVersion, stored.versions.get(stream.streamName) ?? null);
  }
  return error;
}

/** Errors that belong to the data of some append of the batch, rather than to the server or the network. */
export function isDataRefusal(error: unknown): boolean {
  // SQLSTATE classes 22 (data exception: a string jsonb refuses) and 23 (integrity constraint violation).
  return error instanceof DatabaseError && typeof error.code === 'string' && /^2[23]/.test(error.code);
}

export function checkExpectedVersion(streamName: string, expected: ExpectedVersion, actual: bigint | null): void {
  const matches =
    expected === 'any'
      ? true
      : expected === 'no-stream'
        ? actual === null
        : expected === 'stream-exists'
          ? actual !== null
          : actual === expected;
  if (!matches) throw new ConcurrencyError(streamName, expected, actual);
}

export { assertAppendRequest, eventsIn, maxEventsPerAppend, maxStreamsPerAppend };
