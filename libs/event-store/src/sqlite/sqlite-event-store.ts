import type Database from 'better-sqlite3';
import {
  EventStoreUnavailableError,
  type AppendRequest,
  type AppendResult,
  type DocPage,
  type EventHash,
  type EventStore,
  type StoredIdempotencyRecord,
  type JsonValue,
  type ReadAllOptions,
  type ReadModelStore,
  type ReadStreamOptions,
  type RecordedEvent,
  type StoredDoc,
  type SubscribeOptions,
  type StoreHealth,
  type WalCheckpointHealth,
  type Subscription,
} from '../event-store.port';
import {
  eventsPastCheckpoint,
  isLedgerTablesProjection,
  type DisbursementRow,
  type LedgerRebuildSink,
  type LedgerRebuildTarget,
  type LedgerReadModels,
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
import {
  asStoreError,
  defaultBusyTimeoutMs,
  eventColumns,
  openSqliteConnection,
  toRecordedEvent,
  toStoredDoc,
  type DocRow,
  type EventRow,
} from './sqlite-rows';
import { SqliteCheckpointer, type CheckpointerState } from './sqlite-checkpointer';
import { sqliteMigrations, sqliteSchemaVersion } from './sqlite-schema';
import { closedStoreError, SqliteWriter, type BatchEntry, type Outcome } from './sqlite-writer';
import { projectionOrigins, SqliteWriterThread } from './sqlite-writer-thread';

export interface SqliteEventStoreOptions {
  readonly file: string;
  /** Run inside each append's transaction; see SqliteWriter.projectBatch for when one is skipped. */
  readonly projections?: StoreProjection[];
  readonly clock?: () => Date;
  readonly groupCommit?: { readonly maxBatch: number };
  /** How long to wait for another connection's write lock before failing the batch. */
  readonly busyTimeoutMs?: number;
  /**
   * Where the group commits run: on this connection ('inline', the default), or on a connection of
   * their own in a worker thread ('thread'), so that the transaction and its fsync leave the event
   * loop. With 'thread' every projection must name its origin (StoreProjection.origin).
   */
  readonly writer?: SqliteWriterMode;
  /**
   * Who copies the WAL's pages back into the database file: the commit that takes the WAL past
   * SQLite's threshold, on the writer's connection ('inline', the default), or a thread of its own
   * after commits ('background', see SqliteCheckpointer; started by the first commit that appends,
   * so that a process that only reads starts none), with the commit's own as the backstop.
   */
  readonly checkpoints?: SqliteCheckpointMode;
  /**
   * With 'background': once the thread has ended on its own or failed to start, the first commit at
   * least this long after that starts another (default 30 s). Meanwhile commits checkpoint on their own.
   */
  readonly checkpointerRestartMs?: number;
}

export type SqliteWriterMode = 'inline' | 'thread';
export type SqliteCheckpointMode = 'inline' | 'background';

/** What the connection actually runs with, for operators and tests. */
export interface SqliteDurabilitySettings {
  readonly journalMode: string;
  /** 2 is FULL: the WAL is fsynced at every commit, so a resolved append survives a power cut. */
  readonly synchronous: number;
  readonly busyTimeoutMs: number;
  readonly foreignKeys: boolean;
  readonly schemaVersion: number;
}

/**
 * Events per page when projections are rebuilt into this file. Every commit writes each b-tree page
 * the page touched, and documents keyed by random ids touch a page each: larger pages share them.
 * A 100,000-event rebuild ran about 40% faster with 10,000 than with 2,000.
 */
const rebuildPageSizeEvents = 10_000;
const maxBusyTimeoutMs = 60_000;
/** After the checkpointer thread ended or could not start, how long commits checkpoint on their own before a try at another. */
const defaultCheckpointerRestartMs = 30_000;
const maxCheckpointerRestartMs = 24 * 60 * 60 * 1_000;
const defaultMaxBatch = 256;
const maxGroupCommitBatch = 10_000;
/** The writer thread, idle, takes half the queue from this many queued appends up (see batchSize). */
const splitFromIdleAtAppends = 16;
// Catch-up for appends from other processes, which do not trigger the in-process notification.
const subscriptionPollMs = 200;
const defaultSubscriptionBatchSize = 500;
const maxSubscriptionBatchSize = 10_000;
const catchUpPageSize = 1_000;
const maxInt64 = 9_223_372_036_854_775_807n;

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

type Statements = ReturnType<typeof prepareStatements>;

function prepareStatements(db: Database.Database) {
  return {
    head: db.prepare<[], { position: bigint; hash: string }>('SELECT position, hash FROM events ORDER BY position DESC LIMIT 1'),
    readStreamForwards: db.prepare<[string, bigint, number], EventRow>(
      `SELECT ${eventColumns} FROM events WHERE stream_name = ? AND stream_version >= ? ORDER BY stream_version ASC LIMIT ?`,
    ),
    readStreamBackwards: db.prepare<[string, bigint, number], EventRow>(
      `SELECT ${eventColumns} FROM events WHERE stream_name = ? AND stream_version <= ? ORDER BY stream_version DESC LIMIT ?`,
    ),
    readAll: db.prepare<[bigint, number], EventRow>(`SELECT ${eventColumns} FROM events WHERE position > ? ORDER BY position ASC LIMIT ?`),
    readHashes: db.prepare<[bigint, number], EventHash>('SELECT position, hash FROM events WHERE position > ? ORDER BY position ASC LIMIT ?'),
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
    deleteDocsOfProjection: db.prepare<[string]>('DELETE FROM rm_docs WHERE projection = ?'),
    checkpoint: db.prepare<[string], bigint>('SELECT position FROM rm_checkpoints WHERE name = ?').pluck(),
    setCheckpoint: db.prepare<[string, bigint]>(
      'INSERT INTO rm_checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
    ),
    deleteCheckpoint: db.prepare<[string]>('DELETE FROM rm_checkpoints WHERE name = ?'),
  };
}
function assertCount(name: string, value: number | undefined, limit: number): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 1 || value > limit)) {
    throw new RangeError(`${name} must be an integer in 1..${limit}, got ${value}`);
  }
}

/**
 * The EventStore port on one SQLite file, with the read models in the same file so that inline
 * projections commit with the events they project.
 *
 * Appends queued while a batch commits share the next transaction (one fsync); each runs in its own
 * savepoint so that its failure is its own (SqliteWriter). The batch runs on this connection, or on
 * the writer thread's connection, one batch in flight at a time. better-sqlite3 is synchronous:
 * reads on this connection never see a half-written batch, and an append resolves only after its
 * COMMIT returned, so a read that follows it sees it.
 */
export class SqliteEventStore implements EventStore, ReadModelStore, LedgerReadModels, LedgerRebuildSink {
  readonly kind = 'sqlite' as const;
  readonly rebuildPageSize = rebuildPageSizeEvents;

  private readonly file: string;
  private readonly projections: readonly StoreProjection[];
  private readonly clock: () => Date;
  private readonly maxBatch: number;
  private readonly busyTimeoutMs: number;
  private readonly writerMode: SqliteWriterMode;
  private readonly checkpointMode: SqliteCheckpointMode;

  private db: Database.Database | null = null;
  private statements: Statements | null = null;
  private ledgerTables: SqliteLedgerTables | null = null;
  /** The write side on this connection: the appends in 'inline' mode, and maintenance in both. */
  private writer: SqliteWriter | null = null;
  private writerThread: SqliteWriterThread | null = null;
  private readonly checkpointerRestartMs: number;
  private checkpointer: SqliteCheckpointer | null = null;
  /** The checkpointer thread on its way, started by a commit that appended; null when none is. */
  private checkpointerStarting: Promise<void> | null = null;
  /**
   * When (performance.now()) the thread was last found ended or could not start, null while one
   * runs or before the first: commits checkpoint on their own until a later one starts another.
   */
  private checkpointerDownSince: number | null = null;
  /** The passes of the threads that ended, carried on by the next. */
  private checkpointerCounts: CheckpointerState | undefined = undefined;
  /** Threads started after the first. */
  private checkpointerRestarts = 0;
  private closed = false;

  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private batchInFlight = false;
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
    this.writerMode = options.writer ?? 'inline';
    this.checkpointMode = options.checkpoints ?? 'inline';
    this.checkpointerRestartMs = options.checkpointerRestartMs ?? defaultCheckpointerRestartMs;
    assertCount('busyTimeoutMs', this.busyTimeoutMs, maxBusyTimeoutMs);
    assertCount('checkpointerRestartMs', this.checkpointerRestartMs, maxCheckpointerRestartMs);
    assertCount('groupCommit.maxBatch', this.maxBatch, maxGroupCommitBatch);
    const names = new Set(this.projections.map((projection) => projection.name));
    if (names.size !== this.projections.length) throw new Error('projection names must be unique');
    if (this.writerMode === 'thread') projectionOrigins(this.projections);
  }

  async init(): Promise<void> {
    if (this.closed) throw closedStoreError();
    if (this.statements === null) {
      try {
        const db = this.db ?? openSqliteConnection(this.file, this.busyTimeoutMs);
        this.db = db;
        this.migrate(db);
        this.statements = prepareStatements(db);
        this.ledgerTables = new SqliteLedgerTables(db);
        this.writer = new SqliteWriter(db, this.projections);
      } catch (error: unknown) {
        throw asStoreError(error);
      }
    }
    await this.catchUpProjections();
    if (this.writerMode === 'thread' && this.writerThread === null) {
      this.writerThread = await SqliteWriterThread.start(this.file, this.busyTimeoutMs, this.projections);
      if (this.closed) await this.writerThread.close();
    }
  }

  health(): StoreHealth {
    return { checkpoints: this.checkpointHealth() };
  }

  private checkpointHealth(): WalCheckpointHealth {
    if (this.checkpointMode === 'inline') return { mode: 'inline' };
    const restarts = this.checkpointerRestarts;
    if (this.checkpointer === null) {
      const thread = this.checkpointerDownSince === null ? 'not-started' : 'stopped';
      const counts = this.checkpointerCounts ?? { passes: 0, completePasses: 0, failedPasses: 0, walFrames: 0, framesLeft: 0 };
      const { passes, completePasses, failedPasses, walFrames, framesLeft } = counts;
      return { mode: 'background', thread, restarts, passes, completePasses, failedPasses, walFrames, framesLeft };
    }
    const { running, ...state } = this.checkpointer.state();
    return { mode: 'background', thread: running ? 'running' : 'stopped', restarts, ...state };
  }

  /**
   * Tells the checkpointer thread a commit appended. The first such commit starts the thread; after
   * it has ended on its own or could not start, the first commit checkpointerRestartMs later starts
   * another, which carries the counts on.
   */
  private checkpointAfterCommit(): void {
    if (this.checkpointMode !== 'background') return;
    const current = this.checkpointer;
    if (current !== null) {
      const state = current.state();
      if (state.running) {
        current.committed();
        return;
      }
      // Ended on its own (its exit has been seen): commits checkpoint on their own for a while.
      this.checkpointer = null;
      this.checkpointerCounts = state;
      this.checkpointerDownSince = current.endedAt ?? performance.now();
    }
    if (this.checkpointerStarting !== null || this.closed) return;
    const downSince = this.checkpointerDownSince;
    if (downSince !== null && performance.now() - downSince < this.checkpointerRestartMs) return;
    this.checkpointerStarting = SqliteCheckpointer.start(this.file, this.busyTimeoutMs, undefined, this.checkpointerCounts).then(
      (checkpointer) => {
        this.checkpointerStarting = null;
        this.checkpointer = checkpointer;
        if (downSince !== null) this.checkpointerRestarts += 1;
        this.checkpointerDownSince = null;
        // The commits made while it started are copied by its first pass.
        checkpointer.committed();
      },
      () => {
        // A second connection the file refuses: the commits go on checkpointing on their own.
        this.checkpointerStarting = null;
        this.checkpointerDownSince = performance.now();
      },
    );
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
      const refusal = this.appendRefusal();
      if (refusal !== null) {
        reject(refusal);
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

  async readHashes(options: ReadAllOptions): Promise<EventHash[]> {
    assertCount('maxCount', options.maxCount, Number.MAX_SAFE_INTEGER);
    // The rows are the port's shape already: position arrives as a bigint (safe integers are on).
    return this.run((s) => s.readHashes.all(options.afterPosition, options.maxCount));
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
      this.writer!.project(projection, fresh);
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
    await this.writerThread?.close();
    this.writerThread = null;
    // Before the store's own connection closes: the last connection to close checkpoints the WAL and removes it.
    await this.checkpointerStarting;
    await this.checkpointer?.close();
    this.checkpointer = null;
    this.statements = null;
    this.ledgerTables = null;
    this.writer = null;
    this.db?.close();
    this.db = null;
  }

  // --------------------------------------------------------------------------------------------
  // Group commit: one batch in flight; what arrives meanwhile waits and goes as the next batch.

  private appendRefusal(): EventStoreUnavailableError | null {
    if (this.closed) return closedStoreError();
    if (this.statements === null || (this.writerMode === 'thread' && this.writerThread === null)) {
      return new EventStoreUnavailableError('init() has not run');
    }
    return this.writerThread?.stopped() ?? null;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.batchInFlight) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(fromIdle = true): void {
    this.flushScheduled = false;
    const batch = this.queue.splice(0, this.batchSize(fromIdle));
    if (batch.length === 0) {
      this.notifyDrained();
      return;
    }
    const entries: BatchEntry[] = batch.map((pending) => ({ request: pending.request, recordedAt: this.clock().toISOString() }));
    if (this.writerThread !== null) {
      this.batchInFlight = true;
      void this.writerThread.commit(entries).then((outcomes) => {
        this.batchInFlight = false;
        // What queued while this batch committed goes at once, before this batch's callers run on
        // and queue more: the thread commits the next batch while they decide their next commands.
        if (this.queue.length > 0) this.flush(false);
        this.settle(batch, outcomes);
      });
      return;
    }
    const outcomes = this.writer === null ? batch.map(() => ({ ok: false, error: closedStoreError() }) as const) : this.writer.commitBatch(entries);
    this.settle(batch, outcomes);
  }

  /**
   * How many queued appends the next batch takes. Inline, all (up to maxBatch). To the writer
   * thread from idle, half of a large queue: callers that arrived together (a burst, or every
   * client of a busy fund answered by one commit) then split into two groups, one deciding its
   * next commands while the other's batch commits, and keep alternating, since each answer sends
   * what queued meanwhile. A small queue goes whole: there the commit's fsync costs more than the
   * deciding it would overlap.
   */
  private batchSize(fromIdle: boolean): number {
    if (this.writerThread === null || !fromIdle || this.queue.length < splitFromIdleAtAppends) return this.maxBatch;
    return Math.min(this.maxBatch, Math.ceil(this.queue.length / 2));
  }

  /** Answers a committed batch, wakes the subscriptions, and sends the appends that queued meanwhile. */
  private settle(batch: readonly PendingAppend[], outcomes: readonly Outcome[]): void {
    batch.forEach((pending, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) pending.resolve(outcome.result);
      else pending.reject(outcome.error);
    });
    if (outcomes.some((outcome) => outcome.ok && outcome.result.events.length > 0)) {
      this.commitCount += 1;
      this.checkpointAfterCommit();
      for (const listener of [...this.commitListeners]) listener();
    }
    if (this.queue.length > 0) this.scheduleFlush();
    else this.notifyDrained();
  }

  private notifyDrained(): void {
    if (this.flushScheduled || this.batchInFlight || this.queue.length > 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const waiter of waiters) waiter();
  }

  private drained(): Promise<void> {
    if (!this.flushScheduled && !this.batchInFlight && this.queue.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.drainWaiters.push(resolve));
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
      throw this.closed ? closedStoreError() : new EventStoreUnavailableError('init() has not run');
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
