import { assertAppendRequest } from '../append-request';
import Database from 'better-sqlite3';
import { chainEvent, genesisHash } from '../event-hash';
import {
  ConcurrencyError,
  EventStoreUnavailableError,
  IdempotencyKeyTakenError,
  docKey,
  type AppendRequest,
  type AppendResult,
  type DocPage,
  type DocumentProjection,
  type EventStore,
  type ExpectedVersion,
  type IdempotencyRecord,
  type StoredIdempotencyRecord,
  type JsonObject,
  type JsonValue,
  type ReadAllOptions,
  type ReadModelStore,
  type ReadStreamOptions,
  type RecordedEvent,
  type StoredDoc,
  type StreamAppend,
  type SubscribeOptions,
  type Subscription,
} from '../event-store.port';
import {
  eventsPastCheckpoint,
  isLedgerTablesProjection,
  type DisbursementRow,
  type LedgerRebuildSink,
  type LedgerRebuildTarget,
  type LedgerReadModels,
  type LedgerTablesProjection,
  type PerformanceActualRow,
  type PerformanceTargetsRow,
  type ProgramDocumentRow,
  type ProgramYearRow,
  type RefusalRow,
  type RegionBalanceRow,
  type StoreProjection,
  type TrailPageRequest,
  type TrailRow,
} from '../ledger-tables.port';
import { SqliteLedgerRebuild } from './sqlite-ledger-rebuild';
import { SqliteLedgerTables } from './sqlite-ledger-tables';
import { sqliteMigrations, sqliteSchemaVersion } from './sqlite-schema';

export interface SqliteEventStoreOptions {
  readonly file: string;
  /** Run inside each append's transaction; see `appendOne` for when one is skipped. */
  readonly projections?: StoreProjection[];
  readonly clock?: () => Date;
  readonly groupCommit?: { readonly maxBatch: number };
  /** How long to wait for another connection's write lock before failing the batch. */
  readonly busyTimeoutMs?: number;
}

/** What the connection actually runs with, for operators and tests. */
export interface SqliteDurabilitySettings {
  readonly journalMode: string;
  /** 2 is FULL: the WAL is fsynced at every commit, so a resolved append survives a power cut. */
  readonly synchronous: number;
  readonly busyTimeoutMs: number;
  readonly foreignKeys: boolean;
  readonly schemaVersion: number;
}

// Another process (the CLI) may hold the write lock for one of its transactions; wait that long.
const defaultBusyTimeoutMs = 5_000;
/**
 * SQLite's page cache for this connection (its default is 2 MiB). Read-model documents keyed by
 * random ids (disbursements) are written all over their indexes; pages found in the cache are not
 * read again from the file.
 */
const pageCacheKiB = 64 * 1024;
/**
 * Pages the WAL may hold before a commit copies them back into the database file (SQLite's default
 * is 1,000, about 4 MiB). A busy group commit writes a few hundred pages, so the default made every
 * second or third commit a checkpoint, with its own fsync of the database file, and copied the same
 * hot pages (balances, index leaves) back again and again. Every commit still fsyncs the WAL.
 */
const walAutocheckpointPages = 8_192;
/**
 * Events per page when projections are rebuilt into this file. Every commit writes each b-tree page
 * the page touched, and documents keyed by random ids touch a page each: larger pages share them.
 * A 100,000-event rebuild ran about 40% faster with 10,000 than with 2,000.
 */
const rebuildPageSizeEvents = 10_000;
const maxBusyTimeoutMs = 60_000;
const defaultMaxBatch = 256;
const maxGroupCommitBatch = 10_000;
// Catch-up for appends from other processes, which do not trigger the in-process notification.
const subscriptionPollMs = 200;
const defaultSubscriptionBatchSize = 500;
const maxSubscriptionBatchSize = 10_000;
const catchUpPageSize = 1_000;
const maxInt64 = 9_223_372_036_854_775_807n;

interface EventRow {
  position: bigint;
  id: string;
  stream_name: string;
  stream_version: bigint;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
  hash: string;
  previous_hash: string;
}

interface DocRow {
  collection: string;
  id: string;
  partition: string;
  doc: string;
}

interface IdempotencyRow {
  scope: string;
  key: string;
  request_hash: string;
  status: bigint;
  body: string;
  position: bigint;
}

interface PendingAppend {
  readonly request: AppendRequest;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { readonly ok: true; readonly result: AppendResult } | { readonly ok: false; readonly error: unknown };

type Statements = ReturnType<typeof prepareStatements>;

const eventColumns = 'position, id, stream_name, stream_version, type, data, metadata, recorded_at, hash, previous_hash';

function prepareStatements(db: Database.Database) {
  return {
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    savepoint: db.prepare('SAVEPOINT append_one'),
    release: db.prepare('RELEASE append_one'),
    rollbackToSavepoint: db.prepare('ROLLBACK TO append_one'),
    head: db.prepare<[], { position: bigint; hash: string }>('SELECT position, hash FROM events ORDER BY position DESC LIMIT 1'),
    streamVersion: db
      .prepare<[string], bigint>('SELECT stream_version FROM events WHERE stream_name = ? ORDER BY stream_version DESC LIMIT 1')
      .pluck(),
    eventInStream: db.prepare<[string, string], EventRow>(`SELECT ${eventColumns} FROM events WHERE stream_name = ? AND id = ?`),
    insertEvent: db.prepare<[bigint, string, string, bigint, string, string, string, string, string, string]>(
      `INSERT INTO events (${eventColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    readStreamForwards: db.prepare<[string, bigint, number], EventRow>(
      `SELECT ${eventColumns} FROM events WHERE stream_name = ? AND stream_version >= ? ORDER BY stream_version ASC LIMIT ?`,
    ),
    readStreamBackwards: db.prepare<[string, bigint, number], EventRow>(
      `SELECT ${eventColumns} FROM events WHERE stream_name = ? AND stream_version <= ? ORDER BY stream_version DESC LIMIT ?`,
    ),
    readAll: db.prepare<[bigint, number], EventRow>(`SELECT ${eventColumns} FROM events WHERE position > ? ORDER BY position ASC LIMIT ?`),
    insertIdempotency: db.prepare<[string, string, string, number, string, bigint]>(
      'INSERT INTO idempotency (scope, key, request_hash, status, body, position) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    findIdempotency: db.prepare<[string, string], IdempotencyRow>(
      'SELECT scope, key, request_hash, status, body, position FROM idempotency WHERE scope = ? AND key = ?',
    ),
    getDoc: db.prepare<[string, string], DocRow>('SELECT collection, id, partition, doc FROM rm_docs WHERE collection = ? AND id = ?'),
    listDocs: db.prepare<[string, string], DocRow>(
      'SELECT collection, id, partition, doc FROM rm_docs WHERE collection = ? AND partition = ? ORDER BY id',
    ),
    pageDocs: db.prepare<[string, string, string, number], DocRow>(
      'SELECT collection, id, partition, doc FROM rm_docs WHERE collection = ? AND partition = ? AND id > ? ORDER BY id LIMIT ?',
    ),
    listCollection: db.prepare<[string], DocRow>('SELECT collection, id, partition, doc FROM rm_docs WHERE collection = ? ORDER BY id'),
    upsertDoc: db.prepare<[string, string, string, string, string]>(
      `INSERT INTO rm_docs (collection, id, partition, projection, doc) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (collection, id) DO UPDATE SET partition = excluded.partition, projection = excluded.projection, doc = excluded.doc`,
    ),
    deleteDoc: db.prepare<[string, string]>('DELETE FROM rm_docs WHERE collection = ? AND id = ?'),
    deleteDocsOfProjection: db.prepare<[string]>('DELETE FROM rm_docs WHERE projection = ?'),
    checkpoint: db.prepare<[string], bigint>('SELECT position FROM rm_checkpoints WHERE name = ?').pluck(),
    setCheckpoint: db.prepare<[string, bigint]>(
      'INSERT INTO rm_checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
    ),
    deleteCheckpoint: db.prepare<[string]>('DELETE FROM rm_checkpoints WHERE name = ?'),
  };
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.id,
    type: row.type,
    data: JSON.parse(row.data) as JsonObject,
    metadata: JSON.parse(row.metadata) as JsonObject,
    streamName: row.stream_name,
    streamVersion: row.stream_version,
    position: row.position,
    recordedAt: row.recorded_at,
    hash: row.hash,
    previousHash: row.previous_hash,
  };
}

function toStoredDoc(row: DocRow): StoredDoc {
  return { collection: row.collection, id: row.id, partition: row.partition, doc: JSON.parse(row.doc) as JsonObject };
}

function meetsExpectedVersion(expected: ExpectedVersion, actual: bigint | null): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no-stream':
      return actual === null;
    case 'stream-exists':
      return actual !== null;
    default:
      return actual === expected;
  }
}

/**
 * Recognised by name and code, not `instanceof` (not even of Error): the native addon keeps the
 * error class of the first copy of better-sqlite3 loaded in the process, which may belong to
 * another module copy or another realm (test runners load modules afresh per file).
 */
const isSqliteError = (error: unknown): error is InstanceType<typeof Database.SqliteError> =>
  typeof error === 'object' &&
  error !== null &&
  (error as { name?: unknown }).name === 'SqliteError' &&
  typeof (error as { code?: unknown }).code === 'string';

const isUniqueViolationOn = (error: unknown, columns: string): boolean =>
  isSqliteError(error) &&
  (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') &&
  error.message.includes(columns);

/** SQLite failures that are not conflicts mean the file cannot be used: disk full, I/O, lock timeout. */
function asStoreError(error: unknown): unknown {
  return isSqliteError(error) ? new EventStoreUnavailableError(`SQLite: ${error.message}`, error) : error;
}


function assertCount(name: string, value: number | undefined, limit: number): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 1 || value > limit)) {
    throw new RangeError(`${name} must be an integer in 1..${limit}, got ${value}`);
  }
}

/**
 * The EventStore port on one SQLite file, with the document read models in the same file so that
 * inline projections commit with the events they project.
 *
 * better-sqlite3 is synchronous: every transaction below runs start to finish without yielding to
 * the event loop, so in-process readers never see a half-written append and need no locking.
 * Appends queued in the same tick share one transaction (one fsync); each runs in its own
 * savepoint so that its failure is its own.
 */
export class SqliteEventStore implements EventStore, ReadModelStore, LedgerReadModels, LedgerRebuildSink {
  readonly kind = 'sqlite' as const;
  readonly rebuildPageSize = rebuildPageSizeEvents;

  private readonly file: string;
  private readonly projections: readonly StoreProjection[];
  private readonly clock: () => Date;
  private readonly maxBatch: number;
  private readonly busyTimeoutMs: number;

  private db: Database.Database | null = null;
  private statements: Statements | null = null;
  private ledgerTables: SqliteLedgerTables | null = null;
  private closed = false;

  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private drainWaiters: (() => void)[] = [];

  /** Bumped after every commit that appended, so that a subscription never sleeps through one. */
  private commitCount = 0;
  private readonly commitListeners = new Set<() => void>();
  private readonly subscriptions = new Set<Subscription>();

  constructor(options: SqliteEventStoreOptions) {
    this.file = options.file;
    this.projections = [...(options.projections ?? [])];
    this.clock = options.clock ?? (() => new Date());
    this.maxBatch = options.groupCommit?.maxBatch ?? defaultMaxBatch;
    this.busyTimeoutMs = options.busyTimeoutMs ?? defaultBusyTimeoutMs;
    assertCount('busyTimeoutMs', this.busyTimeoutMs, maxBusyTimeoutMs);
    assertCount('groupCommit.maxBatch', this.maxBatch, maxGroupCommitBatch);
    const names = new Set(this.projections.map((projection) => projection.name));
    if (names.size !== this.projections.length) throw new Error('projection names must be unique');
  }

  async init(): Promise<void> {
    if (this.closed) throw new EventStoreUnavailableError('the SQLite event store is closed');
    if (this.statements === null) {
      try {
        const db = this.db ?? new Database(this.file);
        this.db = db;
        db.defaultSafeIntegers(true);
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = FULL');
        db.pragma(`cache_size = -${pageCacheKiB}`);
        db.pragma(`wal_autocheckpoint = ${walAutocheckpointPages}`);
        db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
        db.pragma('foreign_keys = ON');
        this.migrate(db);
        this.statements = prepareStatements(db);
        this.ledgerTables = new SqliteLedgerTables(db);
      } catch (error: unknown) {
        throw asStoreError(error);
      }
    }
    await this.catchUpProjections();
  }

  durabilitySettings(): SqliteDurabilitySettings {
    const db = this.database();
    return {
      journalMode: String(db.pragma('journal_mode', { simple: true })),
      synchronous: Number(db.pragma('synchronous', { simple: true })),
      busyTimeoutMs: Number(db.pragma('busy_timeout', { simple: true })),
      foreignKeys: Number(db.pragma('foreign_keys', { simple: true })) === 1,
      schemaVersion: Number(db.pragma('user_version', { simple: true })),
    };
  }

  append(request: AppendRequest): Promise<AppendResult> {
    return new Promise<AppendResult>((resolve, reject) => {
      if (this.closed || this.statements === null) {
        reject(new EventStoreUnavailableError(this.closed ? 'the SQLite event store is closed' : 'init() has not run'));
        return;
      }
      this.queue.push({ request, resolve, reject });
      this.scheduleFlush();
    });
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    assertCount('maxCount', options.maxCount, Number.MAX_SAFE_INTEGER);
    if (options.fromVersion !== undefined && options.fromVersion < 0n) throw new RangeError('fromVersion is >= 0');
    // No default page: a decider needs the whole stream, and a silently cut stream is a wrong state.
    const limit = options.maxCount ?? -1;
    const rows = this.run((s) =>
      options.direction === 'backwards'
        ? s.readStreamBackwards.all(streamName, options.fromVersion ?? maxInt64, limit)
        : s.readStreamForwards.all(streamName, options.fromVersion ?? 0n, limit),
    );
    return rows.map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.readAllNow(options.afterPosition, options.maxCount);
  }

  subscribe(options: SubscribeOptions): Subscription {
    const batchSize = options.batchSize ?? defaultSubscriptionBatchSize;
    assertCount('batchSize', batchSize, maxSubscriptionBatchSize);
    let stopped = false;
    let wake: (() => void) | null = null;

    const waitForCommit = (seenCommits: number): Promise<void> =>
      new Promise<void>((resolve) => {
        if (stopped || this.commitCount !== seenCommits) {
          resolve();
          return;
        }
        const done = (): void => {
          clearTimeout(timer);
          this.commitListeners.delete(done);
          wake = null;
          resolve();
        };
        const timer = setTimeout(done, subscriptionPollMs);
        this.commitListeners.add(done);
        wake = done;
      });

    const loop = async (): Promise<void> => {
      let position = options.afterPosition;
      while (!stopped) {
        const seenCommits = this.commitCount;
        const events = this.readAllNow(position, batchSize);
        if (events.length === 0) {
          await waitForCommit(seenCommits);
          continue;
        }
        await options.onEvents(events);
        position = events[events.length - 1]!.position;
      }
    };

    // A failing handler ends the subscription: retrying would deliver a batch twice. The caller
    // resumes from its own checkpoint.
    const finished = loop().catch((error: unknown) => {
      stopped = true;
      options.onError?.(error);
    });

    const subscription: Subscription = {
      stop: async () => {
        stopped = true;
        wake?.();
        await finished;
        this.subscriptions.delete(subscription);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<bigint> {
    return this.run((s) => s.head.get()?.position ?? 0n);
  }

  async findIdempotency(scope: string, key: string): Promise<StoredIdempotencyRecord | null> {
    const row = this.run((s) => s.findIdempotency.get(scope, key));
    if (row === undefined) return null;
    return {
      scope: row.scope,
      key: row.key,
      requestHash: row.request_hash,
      status: Number(row.status),
      body: JSON.parse(row.body) as JsonValue,
      position: row.position,
    };
  }

  async getDoc(collection: string, id: string): Promise<StoredDoc | null> {
    const row = this.run((s) => s.getDoc.get(collection, id));
    return row === undefined ? null : toStoredDoc(row);
  }

  async listDocs(collection: string, partition: string): Promise<StoredDoc[]> {
    return this.run((s) => s.listDocs.all(collection, partition)).map(toStoredDoc);
  }

  async pageDocs(collection: string, partition: string, page: DocPage): Promise<StoredDoc[]> {
    return this.run((s) => s.pageDocs.all(collection, partition, page.afterId, page.limit)).map(toStoredDoc);
  }

  async listCollection(collection: string): Promise<StoredDoc[]> {
    return this.run((s) => s.listCollection.all(collection)).map(toStoredDoc);
  }

  async checkpoint(projection: string): Promise<bigint> {
    return this.run((s) => s.checkpoint.get(projection) ?? 0n);
  }

  /** Fresh ledger tables beside the live ones, for a streamed rebuild; see SqliteLedgerRebuild. */
  async beginLedgerRebuild(): Promise<LedgerRebuildTarget> {
    const db = this.database();
    try {
      return new SqliteLedgerRebuild(
        db,
        (position) => this.statements!.readAll.all(position, -1).map(toRecordedEvent),
        (name, position) => this.statements!.setCheckpoint.run(name, position),
      );
    } catch (error: unknown) {
      throw asStoreError(error);
    }
  }

  // --------------------------------------------------------------------------------------------
  // The ledger tables' read side

  async listProgramYears(): Promise<ProgramYearRow[]> {
    return this.run(() => this.ledger().listProgramYears());
  }

  async programYear(programCode: string, fiscalYear: number): Promise<ProgramYearRow | null> {
    return this.run(() => this.ledger().programYear(programCode, fiscalYear));
  }

  async programDocuments(programCode: string, fiscalYear: number): Promise<ProgramDocumentRow[]> {
    return this.run(() => this.ledger().programDocuments(programCode, fiscalYear));
  }

  async regionBalance(programCode: string, fiscalYear: number, regionCode: string): Promise<RegionBalanceRow | null> {
    return this.run(() => this.ledger().regionBalance(programCode, fiscalYear, regionCode));
  }

  async regionBalances(programCode: string, fiscalYear: number, regionCodes?: readonly string[]): Promise<RegionBalanceRow[]> {
    return this.run(() => this.ledger().regionBalances(programCode, fiscalYear, regionCodes));
  }

  async trailPage(programCode: string, fiscalYear: number, regionCode: string, page: TrailPageRequest): Promise<TrailRow[]> {
    assertCount('limit', page.limit, Number.MAX_SAFE_INTEGER);
    return this.run(() => this.ledger().trailPage(programCode, fiscalYear, regionCode, page));
  }

  async disbursement(disbursementId: string): Promise<DisbursementRow | null> {
    return this.run(() => this.ledger().disbursement(disbursementId));
  }

  async refusals(programCode: string, fiscalYear: number): Promise<RefusalRow[]> {
    return this.run(() => this.ledger().refusals(programCode, fiscalYear));
  }

  async performanceTargets(programCode: string, fiscalYear: number): Promise<PerformanceTargetsRow[]> {
    return this.run(() => this.ledger().performanceTargets(programCode, fiscalYear));
  }

  async performanceActuals(programCode: string, fiscalYear: number): Promise<PerformanceActualRow[]> {
    return this.run(() => this.ledger().performanceActuals(programCode, fiscalYear));
  }

  /**
   * Deletes the projections' documents (or the ledger tables) and checkpoints in one transaction,
   * before a rebuild. A document projection may be named by its name alone.
   */
  async resetProjections(projections: readonly (string | StoreProjection)[]): Promise<void> {
    this.inTransaction((s) => {
      for (const projection of projections) {
        if (typeof projection !== 'string' && isLedgerTablesProjection(projection)) this.ledger().clear();
        const name = typeof projection === 'string' ? projection : projection.name;
        s.deleteDocsOfProjection.run(name);
        s.deleteCheckpoint.run(name);
      }
    });
  }

  /**
   * Runs one projection over already-stored events in one transaction and returns its new
   * checkpoint. Events at or before the checkpoint are skipped, so that a page applied twice (a
   * rebuild overlapping a catch-up) changes nothing; the rest must continue the checkpoint without
   * a gap, or the read model would silently miss events.
   */
  async applyProjectionBatch(projection: StoreProjection, events: readonly RecordedEvent[]): Promise<bigint> {
    return this.inTransaction((s) => {
      const checkpoint = s.checkpoint.get(projection.name) ?? 0n;
      const fresh = eventsPastCheckpoint(projection.name, checkpoint, events);
      if (fresh.length === 0) return checkpoint;
      this.project(s, projection, fresh);
      return fresh[fresh.length - 1]!.position;
    });
  }

  /**
   * Brings every registered projection up to the head, a page per transaction. Needed when the
   * file was written without them (a projection added later, the CLI appending with none), since
   * appends only project inline for projections that are caught up.
   */
  async catchUpProjections(): Promise<void> {
    for (const projection of this.projections) {
      for (;;) {
        const checkpoint = this.run((s) => s.checkpoint.get(projection.name) ?? 0n);
        const page = this.readAllNow(checkpoint, catchUpPageSize);
        if (page.length === 0) break;
        await this.applyProjectionBatch(projection, page);
        // Let queued appends and reads through between pages.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.drained();
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    this.statements = null;
    this.ledgerTables = null;
    this.db?.close();
    this.db = null;
  }

  // --------------------------------------------------------------------------------------------
  // Group commit

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue.splice(0, this.maxBatch);
    if (this.queue.length > 0) this.scheduleFlush();
    const outcomes = this.commitBatch(batch);
    batch.forEach((pending, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) pending.resolve(outcome.result);
      else pending.reject(outcome.error);
    });
    if (outcomes.some((outcome) => outcome.ok && outcome.result.events.length > 0)) {
      this.commitCount += 1;
      for (const listener of [...this.commitListeners]) listener();
    }
    if (!this.flushScheduled) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const waiter of waiters) waiter();
    }
  }

  /**
   * Nothing resolves before COMMIT returned: a resolved append is on disk. The inline projections
   * run once over the whole batch's new events, so that a document many appends touch (a fund's
   * totals, a busy region) is read and written once per commit, not once per append.
   */
  private commitBatch(batch: readonly PendingAppend[]): Outcome[] {
    const s = this.statements;
    if (s === null) return batch.map(() => ({ ok: false, error: new EventStoreUnavailableError('the SQLite event store is closed') }));
    try {
      s.begin.run();
    } catch (error: unknown) {
      return batch.map(() => ({ ok: false, error: asStoreError(error) }));
    }
    try {
      const headBefore = s.head.get()?.position ?? 0n;
      const appended: RecordedEvent[] = [];
      const outcomes = batch.map((pending) => this.appendInSavepoint(s, pending.request, appended));
      if (appended.length > 0) {
        try {
          this.projectBatch(s, headBefore, appended);
        } catch (projectionError: unknown) {
          if (batch.length === 1) throw projectionError;
          // A projection that throws fails only the append that fed it: the batch is undone and
          // each append committed on its own, so that the others still go through.
          this.rollbackQuietly(s);
          return batch.flatMap((pending) => this.commitBatch([pending]));
        }
      }
      s.commit.run();
      return outcomes;
    } catch (error: unknown) {
      this.rollbackQuietly(s);
      const failure = asStoreError(error);
      return batch.map(() => ({ ok: false, error: failure }));
    }
  }

  /** Adds the events the append newly stored to `appended`, once it has succeeded. */
  private appendInSavepoint(s: Statements, request: AppendRequest, appended: RecordedEvent[]): Outcome {
    s.savepoint.run();
    let outcome: Outcome;
    try {
      const { result, stored } = this.appendOne(s, request);
      outcome = { ok: true, result };
      appended.push(...stored);
    } catch (error: unknown) {
      // A failure to roll back the savepoint escapes and aborts the whole batch.
      s.rollbackToSavepoint.run();
      outcome = { ok: false, error: asStoreError(error) };
    }
    s.release.run();
    return outcome;
  }

  private rollbackQuietly(s: Statements): void {
    try {
      if (this.db?.inTransaction === true) s.rollback.run();
    } catch {
      // SQLite already rolled back (it does on some I/O errors); the batch is reported failed anyway.
    }
  }

  private drained(): Promise<void> {
    if (!this.flushScheduled && this.queue.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  // --------------------------------------------------------------------------------------------
  // One append, inside the batch's transaction

  private appendOne(s: Statements, request: AppendRequest): { result: AppendResult; stored: RecordedEvent[] } {
    assertAppendRequest(request);
    const retried = this.retriedAppend(s, request);
    if (retried !== null) return { result: retried, stored: [] };

    const headRow = s.head.get();
    const positionBefore = headRow?.position ?? 0n;
    let position = positionBefore;
    let previousHash = headRow?.hash ?? genesisHash;
    const recordedAt = this.clock().toISOString();
    const returned: RecordedEvent[] = [];
    const appended: RecordedEvent[] = [];
    const nextExpectedVersions: bigint[] = [];

    for (const stream of request.streams) {
      const actual = s.streamVersion.get(stream.streamName) ?? null;
      if (!meetsExpectedVersion(stream.expectedVersion, actual)) throw new ConcurrencyError(stream.streamName, stream.expectedVersion, actual);
      // A stream named with no events only guards its version; if it does not exist it reports -1.
      let version = actual ?? -1n;
      for (const event of stream.events) {
        const existing = s.eventInStream.get(stream.streamName, event.id);
        if (existing !== undefined) {
          returned.push(toRecordedEvent(existing));
          continue;
        }
        version += 1n;
        position += 1n;
        // Hash what will be read back: JSON text, not the caller's objects (a Date would differ).
        const dataText = JSON.stringify(event.data);
        const metadataText = JSON.stringify(event.metadata);
        const recorded = chainEvent(
          {
            id: event.id,
            type: event.type,
            data: JSON.parse(dataText) as JsonObject,
            metadata: JSON.parse(metadataText) as JsonObject,
            streamName: stream.streamName,
            streamVersion: version,
            position,
            recordedAt,
          },
          previousHash,
        );
        this.insertEvent(s, stream, recorded, dataText, metadataText);
        previousHash = recorded.hash;
        returned.push(recorded);
        appended.push(recorded);
      }
      nextExpectedVersions.push(version);
    }

    if (request.idempotency !== undefined) this.insertIdempotency(s, request.idempotency, position);
    return { result: { nextExpectedVersions, lastPosition: position, events: returned }, stored: appended };
  }

  /** Runs the inline projections over a batch's new events, in position order. */
  private projectBatch(s: Statements, headBefore: bigint, appended: readonly RecordedEvent[]): void {
    for (const projection of this.projections) {
      // A projection behind the log (the file was appended to without it) would skip events if
      // applied here; it stays behind, visibly, until catchUpProjections() or a rebuild.
      if ((s.checkpoint.get(projection.name) ?? 0n) === headBefore) this.project(s, projection, appended);
    }
  }

  /** A request whose every event is already stored was committed before: answer as it was. */
  private retriedAppend(s: Statements, request: AppendRequest): AppendResult | null {
    const all = request.streams.flatMap((stream) => stream.events.map((event) => ({ stream, event })));
    if (all.length === 0) return null;
    const rows: EventRow[] = [];
    for (const { stream, event } of all) {
      const row = s.eventInStream.get(stream.streamName, event.id);
      if (row === undefined) return null;
      rows.push(row);
    }
    return {
      nextExpectedVersions: request.streams.map((stream) => s.streamVersion.get(stream.streamName) ?? -1n),
      lastPosition: s.head.get()?.position ?? 0n,
      events: rows.map(toRecordedEvent),
    };
  }

  private insertEvent(s: Statements, stream: StreamAppend, event: RecordedEvent, dataText: string, metadataText: string): void {
    try {
      s.insertEvent.run(
        event.position,
        event.id,
        event.streamName,
        event.streamVersion,
        event.type,
        dataText,
        metadataText,
        event.recordedAt,
        event.hash,
        event.previousHash,
      );
    } catch (error: unknown) {
      // Only reachable if a writer bypassed the write lock; the stream moved under us all the same.
      if (isUniqueViolationOn(error, 'events.stream_name, events.stream_version') || isUniqueViolationOn(error, 'events.position')) {
        throw new ConcurrencyError(stream.streamName, stream.expectedVersion, s.streamVersion.get(stream.streamName) ?? null);
      }
      throw error;
    }
  }

  private insertIdempotency(s: Statements, record: IdempotencyRecord, position: bigint): void {
    try {
      s.insertIdempotency.run(record.scope, record.key, record.requestHash, record.status, JSON.stringify(record.body), position);
    } catch (error: unknown) {
      if (isUniqueViolationOn(error, 'idempotency.scope, idempotency.key')) throw new IdempotencyKeyTakenError(record.scope, record.key);
      throw error;
    }
  }

  private project(s: Statements, projection: StoreProjection, events: readonly RecordedEvent[]): void {
    if (isLedgerTablesProjection(projection)) this.projectLedger(projection, events);
    else this.projectDocuments(s, projection, events);
    s.setCheckpoint.run(projection.name, events[events.length - 1]!.position);
  }

  /** The ledger tables: the rows the batch touches read once, its delta written once. */
  private projectLedger(projection: LedgerTablesProjection, events: readonly RecordedEvent[]): void {
    const tables = this.ledger();
    tables.write(projection.fold(events, tables.load(projection.stateKeys(events))));
  }

  private projectDocuments(s: Statements, projection: DocumentProjection, events: readonly RecordedEvent[]): void {
    const docs = new Map<string, StoredDoc | null>();
    for (const ref of projection.refs(events)) {
      const key = docKey(ref);
      if (docs.has(key)) continue;
      const row = s.getDoc.get(ref.collection, ref.id);
      docs.set(key, row === undefined ? null : toStoredDoc(row));
    }
    for (const write of projection.apply(events, docs)) {
      if (write.doc === null) s.deleteDoc.run(write.collection, write.id);
      else s.upsertDoc.run(write.collection, write.id, write.partition, projection.name, JSON.stringify(write.doc));
    }
  }

  // --------------------------------------------------------------------------------------------

  private migrate(db: Database.Database): void {
    db.transaction(() => {
      const current = Number(db.pragma('user_version', { simple: true }));
      if (current > sqliteSchemaVersion) {
        throw new EventStoreUnavailableError(`the file has schema version ${current}, this release knows up to ${sqliteSchemaVersion}`);
      }
      for (let version = current; version < sqliteSchemaVersion; version += 1) db.exec(sqliteMigrations[version]!);
      db.pragma(`user_version = ${sqliteSchemaVersion}`);
    }).immediate();
  }

  private readAllNow(afterPosition: bigint, maxCount: number): RecordedEvent[] {
    assertCount('maxCount', maxCount, Number.MAX_SAFE_INTEGER);
    return this.run((s) => s.readAll.all(afterPosition, maxCount)).map(toRecordedEvent);
  }

  private ledger(): SqliteLedgerTables {
    this.database();
    return this.ledgerTables!;
  }

  private database(): Database.Database {
    if (this.db === null || this.statements === null) {
      throw new EventStoreUnavailableError(this.closed ? 'the SQLite event store is closed' : 'init() has not run');
    }
    return this.db;
  }

  private run<T>(query: (s: Statements) => T): T {
    this.database();
    try {
      return query(this.statements!);
    } catch (error: unknown) {
      throw asStoreError(error);
    }
  }

  private inTransaction<T>(work: (s: Statements) => T): T {
    const db = this.database();
    try {
      return db.transaction(() => work(this.statements!)).immediate();
    } catch (error: unknown) {
      throw asStoreError(error);
    }
  }
}
