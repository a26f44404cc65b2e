import type { AppendStreamState, CurrentStreamState, Position } from '@kurrent/kurrentdb-client';
import {
  ConcurrencyError,
  EventStoreUnavailableError,
  IdempotencyKeyTakenError,
  type ExpectedVersion,
  type IdempotencyRecord,
  type JsonObject,
  type JsonValue,
  type NewEvent,
} from '../event-store.port';
import { sha256Hex } from '../event-hash';

/*
 * Pure translations between the port and @kurrent/kurrentdb-client. Nothing here imports the client
 * at run time: its errors are recognised by their `type` field, so that a second copy of the
 * package (or a test double) is recognised too, and so that importing the event-store barrel does
 * not load the gRPC stack.
 */

// ---------------------------------------------------------------------------------------------
// Expected versions

export function toKurrentStreamState(expected: ExpectedVersion): AppendStreamState {
  if (typeof expected === 'bigint') return expected;
  switch (expected) {
    case 'no-stream':
      return 'no_stream';
    case 'stream-exists':
      return 'stream_exists';
    case 'any':
      return 'any';
    default:
      return assertNever(expected);
  }
}

export function fromKurrentStreamState(state: AppendStreamState): ExpectedVersion {
  if (typeof state === 'bigint') return state;
  switch (state) {
    case 'no_stream':
      return 'no-stream';
    case 'stream_exists':
      return 'stream-exists';
    case 'any':
      return 'any';
    default:
      return assertNever(state);
  }
}

/**
 * The port's `actual` version: null when the stream does not exist. The client reports that as
 * 'no_stream', as -1 (an append with throwOnAppendFailure=false), or as -5/-6 for a deleted or
 * tombstoned stream, which the ledger never does and which holds no events either way.
 */
export function toActualVersion(current: CurrentStreamState | bigint | undefined): bigint | null {
  if (current === undefined || current === 'no_stream') return null;
  return current < 0n ? null : current;
}

// ---------------------------------------------------------------------------------------------
// Client errors

/** The `type` values of the client's CommandError subclasses that this adapter acts on. */
export const kurrentErrorTypes = {
  wrongExpectedVersion: 'wrong-expected-version',
  streamNotFound: 'stream-not-found',
  unsupported: 'unsupported',
} as const;

export function kurrentErrorType(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  const type = (error as { type?: unknown }).type;
  return typeof type === 'string' ? type : null;
}

export interface WrongExpectedVersion {
  /** KurrentDB's name of the stream, when the client knows it. */
  readonly streamName: string | null;
  readonly expected: AppendStreamState | null;
  readonly actual: bigint | null;
}

export function asWrongExpectedVersion(error: unknown): WrongExpectedVersion | null {
  if (kurrentErrorType(error) !== kurrentErrorTypes.wrongExpectedVersion) return null;
  const fields = error as { streamName?: unknown; expectedState?: unknown; actualState?: unknown };
  const expected = fields.expectedState;
  const actual = fields.actualState;
  return {
    streamName: typeof fields.streamName === 'string' && fields.streamName.length > 0 ? fields.streamName : null,
    expected: isStreamState(expected) ? expected : null,
    actual: actual === 'no_stream' || typeof actual === 'bigint' ? toActualVersion(actual) : null,
  };
}

function isStreamState(value: unknown): value is AppendStreamState {
  return typeof value === 'bigint' || value === 'any' || value === 'no_stream' || value === 'stream_exists';
}

export const isStreamNotFound = (error: unknown): boolean => kurrentErrorType(error) === kurrentErrorTypes.streamNotFound;
/** What the client reports when it cannot read the server's error details. */
export const isUnrecognised = (error: unknown): boolean => kurrentErrorType(error) === 'unknown';

/** Whether a stream at version `actual` (null: no stream) satisfies the expectation. */
export function expectationHolds(expected: ExpectedVersion, actual: bigint | null): boolean {
  if (expected === 'any') return true;
  if (expected === 'no-stream') return actual === null;
  if (expected === 'stream-exists') return actual !== null;
  return actual === expected;
}
export const isUnsupported = (error: unknown): boolean => kurrentErrorType(error) === kurrentErrorTypes.unsupported;

/** One stream of an append as sent to KurrentDB, with what the port needs to report a conflict on it. */
export interface ConflictTarget {
  readonly kurrentName: string;
  readonly portName: string;
  readonly expected: ExpectedVersion;
  /** Set on the idempotency-record stream: a conflict there means the key is taken. */
  readonly idempotency?: { readonly scope: string; readonly key: string };
}

/**
 * The one error the port knows for a failed expectation. The port's `expected` is the one the
 * caller stated, not the client's echo of it, so that it compares equal to the request.
 */
export function toConflictError(
  conflict: WrongExpectedVersion,
  targets: readonly ConflictTarget[],
  streamNamePrefix: string,
): ConcurrencyError | IdempotencyKeyTakenError {
  const target =
    targets.find((candidate) => candidate.kurrentName === conflict.streamName) ??
    (conflict.streamName === null && targets.length === 1 ? targets[0] : undefined);
  if (target?.idempotency) return new IdempotencyKeyTakenError(target.idempotency.scope, target.idempotency.key);
  if (target) return new ConcurrencyError(target.portName, target.expected, conflict.actual);
  const kurrentName = conflict.streamName ?? '(unnamed stream)';
  const portName = kurrentName.startsWith(streamNamePrefix) ? kurrentName.slice(streamNamePrefix.length) : kurrentName;
  return new ConcurrencyError(portName, conflict.expected === null ? 'any' : fromKurrentStreamState(conflict.expected), conflict.actual);
}

/**
 * Everything the client throws that is not a conflict: the server is unreachable, not the leader
 * any more, refused the size, timed out... The client converts most gRPC failures to its own
 * errors, but an append on a channel that never connected rejects with the bare gRPC error
 * (`code: 14`, UNAVAILABLE): both kinds are the store's. Other errors are programming errors and
 * pass unchanged.
 */
export function toStoreError(error: unknown, operation: string): unknown {
  if (error instanceof EventStoreUnavailableError || error instanceof ConcurrencyError || error instanceof IdempotencyKeyTakenError) {
    return error;
  }
  const kind = kurrentErrorType(error) ?? grpcStatusName(error);
  if (kind === null) return error;
  const message = error instanceof Error && error.message ? error.message : kind;
  return new EventStoreUnavailableError(`kurrentdb ${operation}: ${kind}: ${message}`, error);
}

function grpcStatusName(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' && 'details' in error ? `grpc-status-${code}` : null;
}

// ---------------------------------------------------------------------------------------------
// Stream names

export const idempotencyStreamCategory = 'idempotency';
const reservedPrefixes = [`${idempotencyStreamCategory}-`, '$'];

/**
 * `idempotency-<scope>-<key>`, with both parts percent-encoded and '-' encoded too, so that
 * ('a-b', 'c') and ('a', 'b-c') cannot name the same stream.
 */
export function idempotencyStreamName(scope: string, key: string): string {
  return `${idempotencyStreamCategory}-${encodeNamePart(scope)}-${encodeNamePart(key)}`;
}

const encodeNamePart = (part: string): string => encodeURIComponent(part).replace(/-/g, '%2D');

/** Names the adapter keeps for itself, or that KurrentDB keeps for system streams. */
export function isReservedStreamName(streamName: string): boolean {
  return reservedPrefixes.some((prefix) => streamName.startsWith(prefix));
}

export const eventKey = (streamName: string, eventId: string): string => JSON.stringify([streamName, eventId]);

// ---------------------------------------------------------------------------------------------
// Event ids

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * KurrentDB keeps event ids as UUIDs and hands them back lowercase: an id in any other spelling
 * would not be recognised when it comes back, so it is normalised here, once.
 */
export function normalizeEventId(id: string): string {
  if (typeof id !== 'string' || !uuidPattern.test(id)) throw new TypeError(`event id must be a UUID for kurrentdb, got ${JSON.stringify(id)}`);
  return id.toLowerCase();
}

/** A version 8 (custom, RFC 9562) UUID from SHA-256 of the parts: the same parts give the same id. */
export function deterministicUuid(...parts: readonly string[]): string {
  const hex = sha256Hex(JSON.stringify(parts));
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

// ---------------------------------------------------------------------------------------------
// Event bodies

/*
 * KurrentDB metadata of every event this adapter writes. Flat and string-valued because a
 * multi-stream append (KurrentDB 25.1+) accepts nothing else; the port's metadata object travels
 * as JSON text inside it. recordedAt travels with the event because the hash covers it, and every
 * indexer, now or in a rebuild, must hash the same value.
 */
export const recordedAtKey = 'earmarkRecordedAt';
export const metadataKey = 'earmarkMetadata';

export type KurrentMetadata = Record<string, string>;

export function toKurrentMetadata(metadata: JsonObject, recordedAt: string): KurrentMetadata {
  return { [recordedAtKey]: recordedAt, [metadataKey]: JSON.stringify(metadata) };
}

export interface Envelope {
  readonly metadata: JsonObject;
  readonly recordedAt: string;
}

/**
 * Reads the envelope back. KurrentDB may add keys of its own (a multi-stream append stores
 * `$schema.name` and `$schema.format` beside ours): they are ignored.
 */
export function fromKurrentMetadata(raw: unknown): Envelope | null {
  const object = toJsonObject(raw);
  if (object === null) return null;
  const recordedAt = object[recordedAtKey];
  const text = object[metadataKey];
  if (typeof recordedAt !== 'string' || typeof text !== 'string') return null;
  const metadata = toJsonObject(text);
  return metadata === null ? null : { metadata, recordedAt };
}

/** An event's data or metadata as the client hands it over: parsed, raw bytes, or unparsable text. */
export function toJsonObject(raw: unknown): JsonObject | null {
  let value: unknown = raw;
  if (raw instanceof Uint8Array) value = Buffer.from(raw).toString('utf8');
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return null;
    }
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : null;
}

/**
 * The event as it will read back: ids lowercase, data and metadata through JSON (which drops
 * `undefined` and turns -0 into 0), so that what an append returns equals what a read returns.
 */
export function normalizeNewEvent(event: NewEvent): NewEvent {
  if (typeof event.type !== 'string' || event.type.length === 0) throw new TypeError('event type must be a non-empty string');
  if (event.type.startsWith('$')) throw new TypeError(`event types starting with '$' are KurrentDB's own: ${event.type}`);
  return {
    id: normalizeEventId(event.id),
    type: event.type,
    data: JSON.parse(JSON.stringify(event.data)) as JsonObject,
    metadata: JSON.parse(JSON.stringify(event.metadata)) as JsonObject,
  };
}

// ---------------------------------------------------------------------------------------------
// Records read from KurrentDB

/** The part of the client's RecordedEvent this adapter reads. */
export interface KurrentRecord {
  readonly streamId: string;
  readonly id: string;
  readonly type: string;
  readonly revision: bigint;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly position?: Position;
}

/** An event of this ledger, decoded, before the position map gives it a place and a hash. */
export interface LedgerRecord {
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
  readonly streamName: string;
  readonly streamVersion: bigint;
  readonly recordedAt: string;
  readonly allPosition: Position | null;
}

/**
 * Whether a KurrentDB record is an event of this ledger, and the event if so. It must be in a
 * stream under the ledger's prefix that is not one the adapter keeps for itself, have a non-system
 * type, and carry the envelope: anything else another program wrote (or KurrentDB itself) is no
 * part of the ledger. Every indexer applies the same test, so they agree on the positions.
 */
export function toLedgerRecord(record: KurrentRecord, streamNamePrefix: string): LedgerRecord | null {
  if (!record.streamId.startsWith(streamNamePrefix)) return null;
  const streamName = record.streamId.slice(streamNamePrefix.length);
  if (streamName.length === 0 || isReservedStreamName(streamName) || record.type.startsWith('$')) return null;
  const envelope = fromKurrentMetadata(record.metadata);
  const data = toJsonObject(record.data);
  if (envelope === null || data === null) return null;
  return {
    id: record.id.toLowerCase(),
    type: record.type,
    data,
    metadata: envelope.metadata,
    streamName,
    streamVersion: record.revision,
    recordedAt: envelope.recordedAt,
    allPosition: record.position ?? null,
  };
}

/** Order of two $all positions: commit position first, then prepare position. */
export function compareAllPositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Idempotency records

export const idempotencyRecordedType = 'IdempotencyRecorded';

/** What the idempotency stream's one event holds. */
export interface IdempotencyEventData {
  readonly record: IdempotencyRecord;
  /** (stream, event id) of the events appended with the record: their last position is its position. */
  readonly appended: readonly (readonly [string, string])[];
  /** The head when nothing was appended with the record. */
  readonly headPosition: bigint;
}

export function toIdempotencyEventData(data: IdempotencyEventData): JsonObject {
  const { scope, key, requestHash, status, body } = data.record;
  return {
    scope,
    key,
    requestHash,
    status,
    body,
    appended: data.appended.map(([streamName, id]) => [streamName, id]),
    headPosition: data.headPosition.toString(),
  };
}

export function fromIdempotencyEventData(raw: unknown): IdempotencyEventData | null {
  const data = toJsonObject(raw);
  if (data === null) return null;
  const { scope, key, requestHash, status, body, appended, headPosition } = data;
  if (typeof scope !== 'string' || typeof key !== 'string' || typeof requestHash !== 'string') return null;
  if (typeof status !== 'number' || body === undefined || typeof headPosition !== 'string' || !/^\d+$/.test(headPosition)) return null;
  if (!Array.isArray(appended) || !appended.every(isNamePair)) return null;
  return {
    record: { scope, key, requestHash, status, body: body as JsonValue },
    appended: appended.map((pair) => [pair[0], pair[1]] as const),
    headPosition: BigInt(headPosition),
  };
}

function isNamePair(value: JsonValue): value is [string, string] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string';
}

/**
 * The record's own event id: the same request (same key, same body, same events) gives the same
 * id, so that its retry is recognised as the record it already wrote, while any other request
 * under the same key conflicts.
 */
export function idempotencyEventId(record: IdempotencyRecord, appended: readonly (readonly [string, string])[]): string {
  return deterministicUuid(idempotencyStreamCategory, record.scope, record.key, record.requestHash, ...appended.map((pair) => eventKey(pair[0], pair[1])));
}

// ---------------------------------------------------------------------------------------------
// Several streams without a multi-stream append

/**
 * The order in which the streams of one request are appended when the server has no multi-stream
 * append: reservations first (streams that claim a name, such as `document-<no>`, appended with
 * 'no-stream'), then the one stream that carries the money. If the second append fails, a name is
 * claimed that no movement of money uses, which loses no money and is visible; the reverse order
 * could record a movement under a name that then turns out to be taken. A request with two or more
 * streams that are not reservations cannot be made safe this way and is refused.
 */
export function sequentialAppendOrder(
  streams: readonly { readonly streamName: string; readonly expectedVersion: ExpectedVersion }[],
  isReservation: (streamName: string) => boolean,
): number[] {
  const reservations: number[] = [];
  const others: number[] = [];
  streams.forEach((stream, index) => {
    (stream.expectedVersion === 'no-stream' && isReservation(stream.streamName) ? reservations : others).push(index);
  });
  if (others.length > 1) {
    const names = others.map((index) => streams[index].streamName).join(', ');
    throw new EventStoreUnavailableError(
      `kurrentdb: this server has no multi-stream append (KurrentDB 25.1+), and ${names} cannot be appended atomically one after the other`,
    );
  }
  return [...reservations, ...others];
}

function assertNever(value: never): never {
  throw new Error(`unexpected value ${String(value)}`);
}
