/**
 * The one EventStore port. Every adapter (SQLite, PostgreSQL, KurrentDB) implements it and runs the
 * same contract suite (`libs/event-store/test/event-store.contract.ts`).
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** What the expected version of a stream may be: an exact revision (0-based), or a condition. */
export type ExpectedVersion = bigint | 'no-stream' | 'stream-exists' | 'any';

export interface NewEvent {
  /** A UUID. Appending an event whose id is already in the stream is a no-op (idempotent append). */
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
}

export interface RecordedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
  readonly streamName: string;
  /** 0-based revision within the stream. */
  readonly streamVersion: bigint;
  /** 1-based place in the global log: gapless, in commit order. */
  readonly position: bigint;
  /** RFC 3339 UTC time the store recorded the event. */
  readonly recordedAt: string;
  /** SHA-256 (hex) of the event's canonical encoding chained to the previous event's hash. */
  readonly hash: string;
  readonly previousHash: string;
}

/** An event's place in the global log and its chain hash, as in its RecordedEvent, without the event. */
export interface EventHash {
  readonly position: bigint;
  readonly hash: string;
}

export interface StreamAppend {
  readonly streamName: string;
  readonly expectedVersion: ExpectedVersion;
  readonly events: readonly NewEvent[];
}

/** The answer to an idempotent command, kept with its key in the same transaction as its events. */
export interface IdempotencyRecord {
  /** The key's scope (the API key's name) and the key itself. */
  readonly scope: string;
  readonly key: string;
  /** SHA-256 (hex) of the request, so that a reused key with another body is told apart. */
  readonly requestHash: string;
  readonly status: number;
  readonly body: JsonValue;
}

/**
 * The record as stored: `position` is the global position of the last event appended with it
 * (known only inside the append's transaction), so that a replayed answer can carry it.
 */
export interface StoredIdempotencyRecord extends IdempotencyRecord {
  readonly position: bigint;
}

export interface AppendRequest {
  /** Appended atomically: all streams or none. */
  readonly streams: readonly StreamAppend[];
  readonly idempotency?: IdempotencyRecord;
}

export interface AppendResult {
  /** Per stream, in request order: the stream's version after the append. */
  readonly nextExpectedVersions: readonly bigint[];
  /** The global position of the last event appended (or of the head, when nothing was new). */
  readonly lastPosition: bigint;
  readonly events: readonly RecordedEvent[];
}

export interface ReadStreamOptions {
  /** First revision to read (inclusive); for backwards reads, the revision to start from. */
  readonly fromVersion?: bigint;
  readonly direction?: 'forwards' | 'backwards';
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Read events with position > afterPosition. */
  readonly afterPosition: bigint;
  readonly maxCount: number;
}

export interface Subscription {
  stop(): Promise<void>;
}

export interface SubscribeOptions {
  /** Deliver events with position > afterPosition, in order, each exactly once. */
  readonly afterPosition: bigint;
  readonly onEvents: (events: readonly RecordedEvent[]) => Promise<void>;
  readonly onError?: (error: unknown) => void;
  readonly batchSize?: number;
}

export type StoreKind = 'sqlite' | 'postgres' | 'kurrentdb';

/**
 * Who copies a SQLite WAL's pages back into the database file, as GET /v1/health shows it. Inline,
 * the commit that fills the WAL does. In the background a thread does: `thread` is 'not-started'
 * before the first commit that appended, 'stopped' when it could not start or has ended (commits
 * then checkpoint on their own until a commit some time later starts another); `restarts`, the
 * threads started after the first; its passes so far (over every thread), those that copied every
 * frame and those that failed, and the WAL's frames and those left uncopied at the last pass (a
 * reader still using them). Frames left pass after pass mean a reader holds an old snapshot and
 * the WAL grows.
 */
export type WalCheckpointHealth =
  | { readonly mode: 'inline' }
  | {
      readonly mode: 'background';
      readonly thread: 'not-started' | 'running' | 'stopped';
      readonly restarts: number;
      readonly passes: number;
      readonly completePasses: number;
      readonly failedPasses: number;
      readonly walFrames: number;
      readonly framesLeft: number;
    };

/** What a store shows operators beside the log's position. */
export interface StoreHealth {
  readonly checkpoints?: WalCheckpointHealth;
}

export interface EventStore {
  readonly kind: StoreKind;
  /** Creates tables or checks the connection. Idempotent. */
  init(): Promise<void>;
  append(request: AppendRequest): Promise<AppendResult>;
  /** A stream that was never written reads as []. */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** The global log: events with position > afterPosition, at most maxCount of them, in position order. */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
  /**
   * The same range of the global log as readAll, each event as its position and hash alone, so
   * that a reader of the hash chain (the Merkle tree) neither reads nor parses the events.
   */
  readHashes(options: ReadAllOptions): Promise<EventHash[]>;
  /** Catch-up subscription to the global log from a checkpoint. */
  subscribe(options: SubscribeOptions): Subscription;
  /** The position of the newest event, 0n when the log is empty. */
  headPosition(): Promise<bigint>;
  /** The stored answer for an idempotency key, if any. */
  findIdempotency(scope: string, key: string): Promise<StoredIdempotencyRecord | null>;
  /** What the store shows operators beside the log's position (GET /v1/health), where it has anything. */
  health?(): StoreHealth;
  close(): Promise<void>;
}

// ----------------------------------------------------------------------------------------------
// Errors: each store's own conflict becomes one ConcurrencyError.

export class ConcurrencyError extends Error {
  constructor(
    readonly streamName: string,
    readonly expected: ExpectedVersion,
    readonly actual: bigint | null,
  ) {
    super(`stream ${streamName}: expected version ${String(expected)}, actual ${actual === null ? 'no stream' : actual}`);
    this.name = 'ConcurrencyError';
  }
}

/** The same idempotency key was stored meanwhile by another request. */
export class IdempotencyKeyTakenError extends Error {
  constructor(readonly scope: string, readonly key: string) {
    super(`idempotency key already used`);
    this.name = 'IdempotencyKeyTakenError';
  }
}

/** The store cannot be reached or refused the operation for a reason other than a conflict. */
export class EventStoreUnavailableError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'EventStoreUnavailableError';
  }
}

// ----------------------------------------------------------------------------------------------
// Read models kept beside the SQL stores: documents keyed by (collection, id), listed by
// (collection, partition), and projected in the same transaction as the append.

export interface DocRef {
  readonly collection: string;
  readonly id: string;
}

export interface StoredDoc {
  readonly collection: string;
  readonly id: string;
  readonly partition: string;
  readonly doc: JsonObject;
}

export const docKey = (ref: DocRef): string => `${ref.collection}\u0000${ref.id}`;

/**
 * A projection written as pure functions, so that the same code runs inline in a SQL transaction,
 * behind a subscription, and in a rebuild:
 * 1. `refs(events)` names the documents the events read;
 * 2. the runner loads them (absent ones as null);
 * 3. `apply(events, docs)` returns the documents to write (a null `doc` deletes).
 */
export interface DocumentProjection {
  readonly name: string;
  readonly origin?: ProjectionOrigin;
  refs(events: readonly RecordedEvent[]): DocRef[];
  apply(events: readonly RecordedEvent[], docs: ReadonlyMap<string, StoredDoc | null>): DocWrite[];
}

/**
 * Where a projection can be made again: a module file and the exported factory that returned it,
 * called with `args`. A thread of its own (the SQLite writer thread) cannot be handed functions,
 * so it loads the module and calls the factory to run the same projection.
 */
export interface ProjectionOrigin {
  /** An absolute file name, as `__filename` gives it in the module that exports the factory. */
  readonly module: string;
  readonly exportName: string;
  readonly args?: readonly JsonValue[];
}

export interface DocWrite {
  readonly collection: string;
  readonly id: string;
  readonly partition: string;
  readonly doc: JsonObject | null;
}

export interface DocPage {
  readonly afterId: string;
  readonly limit: number;
}

/** The read side of the document tables, for query handlers. */
export interface ReadModelStore {
  getDoc(collection: string, id: string): Promise<StoredDoc | null>;
  listDocs(collection: string, partition: string): Promise<StoredDoc[]>;
  /**
   * One page of a partition in id order: the documents whose id sorts after `afterId` ('' for the
   * first page), at most `limit` of them. Ids that grow with the log position (a trail) page by it.
   */
  pageDocs(collection: string, partition: string, page: DocPage): Promise<StoredDoc[]>;
  listCollection(collection: string): Promise<StoredDoc[]>;
  /** The position the projections have reached. */
  checkpoint(projection: string): Promise<bigint>;
}
