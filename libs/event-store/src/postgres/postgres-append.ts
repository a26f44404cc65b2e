import type { PoolClient } from 'pg';
import { chainEvent } from '../event-hash';
import {
  ConcurrencyError,
  IdempotencyKeyTakenError,
  type AppendRequest,
  type AppendResult,
  type DocumentProjection,
  type ExpectedVersion,
  type JsonObject,
  type RecordedEvent,
  type StreamAppend,
} from '../event-store.port';
import { isUniqueViolation } from './postgres-errors';
import { projectInTransaction } from './postgres-projection-writer';
import { eventColumns, toRecordedEvent, type EventRow } from './postgres-rows';

export const maxStreamsPerAppend = 1_000;
export const maxEventsPerAppend = 10_000;

/** The last position handed out and its hash: where the next event chains on. */
export interface LogHead {
  readonly position: bigint;
  readonly hash: string;
}

/** The stream version reported for a stream that has no events. */
export const noStreamVersion = -1n;

export interface AppendContext {
  readonly client: PoolClient;
  readonly head: LogHead;
  readonly recordedAt: string;
  readonly projections: readonly DocumentProjection[];
}

interface StoredText {
  readonly data: string;
  readonly metadata: string;
}

/**
 * One append inside a transaction that already holds the event_log_head row lock, so no other
 * appender can interleave: checks, chains, inserts, records the idempotency answer, projects.
 * Throws ConcurrencyError or IdempotencyKeyTakenError; the caller rolls back.
 */
export async function appendInTransaction(
  context: AppendContext,
  request: AppendRequest,
): Promise<{ result: AppendResult; head: LogHead }> {
  assertAppendRequest(request);
  const { client } = context;
  const positionBefore = context.head.position;
  const { versions, recorded } = await loadRequestState(client, request);

  const pairs = request.streams.flatMap((stream) => stream.events.map((event) => eventKey(stream.streamName, event.id)));
  if (pairs.length > 0 && pairs.every((pair) => recorded.has(pair))) {
    // Every event is already stored: a retry of an append that committed. Answer as it was.
    const result: AppendResult = {
      nextExpectedVersions: request.streams.map((stream) => versions.get(stream.streamName) ?? noStreamVersion),
      lastPosition: positionBefore,
      events: pairs.map((pair) => recorded.get(pair) as RecordedEvent),
    };
    return { result, head: context.head };
  }

  let head = context.head;
  const appended: RecordedEvent[] = [];
  const texts = new Map<RecordedEvent, StoredText>();
  const returned: RecordedEvent[] = [];
  const nextExpectedVersions: bigint[] = [];
  for (const stream of request.streams) {
    const actual = versions.get(stream.streamName) ?? null;
    checkExpectedVersion(stream.streamName, stream.expectedVersion, actual);
    let version = actual ?? noStreamVersion;
    const fresh: RecordedEvent[] = [];
    for (const event of stream.events) {
      const key = eventKey(stream.streamName, event.id);
      const already = recorded.get(key);
      if (already) {
        returned.push(already);
        continue;
      }
      version += 1n;
      // Hash what will be read back (the JSON text), not the caller's objects: they may differ.
      const text: StoredText = { data: JSON.stringify(event.data), metadata: JSON.stringify(event.metadata) };
      const chained = chainEvent(
        {
          id: event.id,
          type: event.type,
          data: JSON.parse(text.data) as JsonObject,
          metadata: JSON.parse(text.metadata) as JsonObject,
          streamName: stream.streamName,
          streamVersion: version,
          position: head.position + 1n,
          recordedAt: context.recordedAt,
        },
        head.hash,
      );
      head = { position: chained.position, hash: chained.hash };
      recorded.set(key, chained);
      texts.set(chained, text);
      fresh.push(chained);
      returned.push(chained);
    }
    await insertEvents(client, stream, actual, fresh, texts);
    if (fresh.length > 0) versions.set(stream.streamName, version);
    appended.push(...fresh);
    nextExpectedVersions.push(version);
  }

  if (request.idempotency) {
    const { scope, key, requestHash, status, body } = request.idempotency;
    const stored = await client.query({
      name: 'earmark-insert-idempotency',
      text: `INSERT INTO idempotency (scope, key, request_hash, status, body, position)
             VALUES ($1, $2, $3, $4, $5::jsonb, $6)
             ON CONFLICT (scope, key) DO NOTHING`,
      values: [scope, key, requestHash, status, JSON.stringify(body), head.position.toString()],
    });
    if (stored.rowCount !== 1) throw new IdempotencyKeyTakenError(scope, key);
  }

  if (appended.length > 0 && context.projections.length > 0) {
    const checkpoints = await lockCheckpoints(client, context.projections);
    for (const projection of context.projections) {
      // A projection behind the log (appended to by a process without it) would skip events if
      // applied here: it stays behind, visibly, until catchUpProjections() or a rebuild.
      if ((checkpoints.get(projection.name) ?? 0n) === positionBefore) {
        await projectInTransaction(client, projection, appended);
      }
    }
  }

  return { result: { nextExpectedVersions, lastPosition: head.position, events: returned }, head };
}

const eventKey = (streamName: string, id: string): string => `${streamName}\u0000${id}`;

/**
 * In one round trip: the current version of every stream the request names, and those of its events
 * already stored (keyed by stream and id).
 */
async function loadRequestState(
  client: PoolClient,
  request: AppendRequest,
): Promise<{ versions: Map<string, bigint | null>; recorded: Map<string, RecordedEvent> }> {
  const streamNames = [...new Set(request.streams.map((stream) => stream.streamName))];
  const pairs = request.streams.flatMap((stream) => stream.events.map((event) => [stream.streamName, event.id] as const));
  const result = await client.query<Partial<EventRow> & { versions: Record<string, string | null> }>({
    name: 'earmark-load-request-state',
    text: loadRequestStateSql,
    values: [streamNames, pairs.map(([streamName]) => streamName), pairs.map(([, id]) => id)],
  });
  const versions = new Map<string, bigint | null>();
  for (const [name, version] of Object.entries(result.rows[0]?.versions ?? {})) {
    versions.set(name, version === null ? null : BigInt(version));
  }
  const recorded = new Map<string, RecordedEvent>();
  for (const row of result.rows) {
    if (row.position === null || row.position === undefined) continue;
    const event = toRecordedEvent(row as EventRow);
    recorded.set(eventKey(event.streamName, event.id), event);
  }
  return { versions, recorded };
}

function prefixed(alias: string, columns: string): string {
  return columns
    .split(', ')
    .map((column) => `${alias}.${column}`)
    .join(', ');
}

const loadRequestStateSql = `
  SELECT
    (SELECT json_object_agg(s.name, (SELECT max(v.stream_version)::text FROM events v WHERE v.stream_name = s.name))
       FROM unnest($1::text[]) AS s(name)) AS versions,
    ${prefixed('e', eventColumns)}
  FROM (SELECT 1) AS one
  LEFT JOIN (events e JOIN unnest($2::text[], $3::text[]) AS r(stream_name, id)
               ON e.stream_name = r.stream_name AND e.id = r.id) ON TRUE`;

/** Locked so that a rebuild batch moving the same checkpoint is waited for, not raced. */
async function lockCheckpoints(client: PoolClient, projections: readonly DocumentProjection[]): Promise<Map<string, bigint>> {
  const result = await client.query<{ projection: string; position: string }>({
    name: 'earmark-lock-checkpoints',
    text: 'SELECT projection, position FROM rm_checkpoints WHERE projection = ANY($1::text[]) FOR UPDATE',
    values: [projections.map((projection) => projection.name)],
  });
  return new Map(result.rows.map((row) => [row.projection, BigInt(row.position)]));
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

/** Programmer errors in the request itself: the same checks, and limits, as the SQLite adapter. */
function assertAppendRequest(request: AppendRequest): void {
  if (request.streams.length === 0 || request.streams.length > maxStreamsPerAppend) {
    throw new RangeError(`an append names 1..${maxStreamsPerAppend} streams, got ${request.streams.length}`);
  }
  const eventCount = request.streams.reduce((sum, stream) => sum + stream.events.length, 0);
  if (eventCount > maxEventsPerAppend) throw new RangeError(`an append holds at most ${maxEventsPerAppend} events, got ${eventCount}`);
  for (const stream of request.streams) {
    if (typeof stream.streamName !== 'string' || stream.streamName.length === 0) throw new TypeError('streamName must be a non-empty string');
    if (typeof stream.expectedVersion === 'bigint' && stream.expectedVersion < 0n) throw new RangeError('an exact expected version is >= 0');
    for (const event of stream.events) {
      if (typeof event.id !== 'string' || event.id.length === 0) throw new TypeError('event id must be a non-empty string');
      if (typeof event.type !== 'string' || event.type.length === 0) throw new TypeError('event type must be a non-empty string');
    }
  }
}

async function insertEvents(
  client: PoolClient,
  stream: StreamAppend,
  actual: bigint | null,
  events: readonly RecordedEvent[],
  texts: ReadonlyMap<RecordedEvent, StoredText>,
): Promise<void> {
  if (events.length === 0) return;
  try {
    await client.query({
      name: 'earmark-insert-events',
      text: `INSERT INTO events (${eventColumns})
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[],
                                  $7::text[], $8::text[], $9::text[], $10::text[])`,
      values: [
        events.map((event) => event.position.toString()),
        events.map((event) => event.id),
        events.map((event) => event.streamName),
        events.map((event) => event.streamVersion.toString()),
        events.map((event) => event.type),
        events.map((event) => (texts.get(event) as StoredText).data),
        events.map((event) => (texts.get(event) as StoredText).metadata),
        events.map((event) => event.recordedAt),
        events.map((event) => event.hash),
        events.map((event) => event.previousHash),
      ],
    });
  } catch (error) {
    // Unreachable for writers that take the head lock; the UNIQUE constraints guard against any
    // that do not, and their conflict is a stream that moved under us.
    if (isUniqueViolation(error)) throw new ConcurrencyError(stream.streamName, stream.expectedVersion, actual);
    throw error;
  }
}
