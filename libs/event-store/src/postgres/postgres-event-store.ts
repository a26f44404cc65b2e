import { abortableSleep } from '../append-request';
import type { PoolClient, QueryResult } from 'pg';
import {
  EventStoreUnavailableError,
  type AppendRequest,
  type AppendResult,
  type DocPage,
  type EventHash,
  type EventStore,
  type ReadAllOptions,
  type ReadModelStore,
  type ReadStreamOptions,
  type RecordedEvent,
  type StoredDoc,
  type StoredIdempotencyRecord,
  type SubscribeOptions,
  type Subscription,
} from '../event-store.port';
import {
  BatchView,
  assertAppendRequest,
  encodeAppend,
  eventsIn,
  hasWrites,
  isDataRefusal,
  loadStoredState,
  planAppend,
  writeBatchAndCommit,
  writeFailureOf,
  type AppendInput,
  type BatchWrites,
  type LogHead,
  type PlanOutcome,
  type StoredState,
} from './postgres-append';
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
import { FailoverPool } from './postgres-connection';
import { describeConnection, isConnectionLoss, toStoreError } from './postgres-errors';
import { PostgresLedgerRebuild } from './postgres-ledger-rebuild';
import { clearLedgerTables, PostgresLedgerQueries } from './postgres-ledger-tables';
import { PostgresNotifier } from './postgres-notifier';
import { lockedReads } from './postgres-locked-reads';
import { LoadedLedger, ProjectionRefusal, projectAppends, projectInTransaction } from './postgres-projection-writer';
import {
  docColumns,
  eventColumns,
  eventHashColumns,
  toEventHash,
  toRecordedEvent,
  toStoredDoc,
  type DocRow,
  type EventHashRow,
  type EventRow,
  type IdempotencyRow,
} from './postgres-rows';
import { migrate } from './postgres-schema';

/** Appends that share one transaction and one commit, at most. */
const defaultGroupCommitMaxBatch = 256;
const maxGroupCommitBatch = 10_000;
/** Events written by one batch, at most, unless a single append holds more: bounds the write statement. */
const maxEventsPerBatch = 20_000;
const defaultPoolSize = 10;
/** How long a batch waits, at most, for the appends of commands whose idempotency lookup is under way. */
const maxGatherWaitMs = 10;
/** Idempotency keys looked up by one query, at most. */
const maxKeysPerLookup = 1_000;
const defaultSubscriptionBatchSize = 500;
const maxSubscriptionBatchSize = 10_000;
/** Events per transaction when bringing a projection up to the head. */
const catchUpPageSize = 1_000;
/** How often a subscription reads the log when no notification woke it. */
const subscriptionPollIntervalMs = 1_000;
/** How long a subscription waits before reading again after the store failed. */
const subscriptionRetryDelayMs = 1_000;
const connectTimeoutMs = 10_000;
const statementTimeoutMs = 30_000;
/**
 * How long an append waits for the head row lock. Another process's batch holds it for one
 * transaction (tens of ms); waiting longer means that process is stuck, and the caller should know.
 */
const lockTimeoutMs = 10_000;
/** A client stuck inside a transaction (its process frozen) loses its locks, the head lock first of all. */
const idleInTransactionTimeoutMs = 30_000;

export interface PostgresEventStoreOptions {
  readonly connectionString: string;
  /** Run inline, in the append's transaction. */
  readonly projections?: readonly StoreProjection[];
  readonly clock?: () => Date;
  readonly poolSize?: number;
  readonly groupCommit?: { readonly maxBatch: number };
}

interface PendingAppend {
  readonly request: AppendRequest;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

interface PendingLookup {
  readonly scope: string;
  readonly key: string;
  readonly resolve: (record: StoredIdempotencyRecord | null) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The EventStore port on PostgreSQL. Appends go through a group commit: those waiting while a
 * transaction commits share the next one, so one WAL flush serves many. The batch is checked and
 * placed in memory and written in a few statements whatever its size; a failing append is
 * rejected alone. Every append transaction holds the event_log_head row lock from its first
 * statement to its commit, which hands out positions gapless and in commit order.
 */
export class PostgresEventStore implements EventStore, ReadModelStore, LedgerReadModels, LedgerRebuildSink {
  readonly kind = 'postgres' as const;

  private readonly pool: FailoverPool;
  private readonly connectionString: string;
  private readonly projections: readonly StoreProjection[];
  private readonly clock: () => Date;
  private readonly maxBatch: number;
  /**
   * Appended to the head lock's query: the inline projections' checkpoints, locked so that a
   * rebuild batch moving one of them is waited for, not raced.
   */
  private readonly lockCheckpointsSql: string;
  private readonly notifier: PostgresNotifier;
  private readonly pending: PendingAppend[] = [];
  private flushing: Promise<void> | null = null;
  private readonly lookups: PendingLookup[] = [];
  private lookupsScheduled = false;
  private readonly lookupsUnderway = new Set<Promise<void>>();
  private readonly subscriptions = new Set<Subscription>();
  private initialised = false;
  private closed = false;

  constructor(options: PostgresEventStoreOptions) {
    const poolSize = options.poolSize ?? defaultPoolSize;
    const maxBatch = options.groupCommit?.maxBatch ?? defaultGroupCommitMaxBatch;
    assert(Number.isInteger(poolSize) && poolSize >= 1, `poolSize must be a positive integer, got ${poolSize}`);
    assert(
      Number.isInteger(maxBatch) && maxBatch >= 1 && maxBatch <= maxGroupCommitBatch,
      `groupCommit.maxBatch must be an integer in 1..${maxGroupCommitBatch}, got ${maxBatch}`,
    );
    const names = (options.projections ?? []).map((projection) => projection.name);
    assert(new Set(names).size === names.length, `projection names must be distinct: ${names.join(', ')}`);

    this.connectionString = options.connectionString;
    this.projections = [...(options.projections ?? [])];
    this.clock = options.clock ?? (() => new Date());
    this.maxBatch = maxBatch;
    this.lockCheckpointsSql =
      this.projections.length === 0
        ? ''
        : `; SELECT projection, position FROM rm_checkpoints WHERE projection IN (${this.projections.map((p) => sqlLiteral(p.name)).join(', ')}) FOR UPDATE`;
    // Several hosts with target_session_attrs=read-write follow a failover: see FailoverPool.
    this.pool = new FailoverPool({
      connectionString: options.connectionString,
      max: poolSize,
      connectionTimeoutMillis: connectTimeoutMs,
      statement_timeout: statementTimeoutMs,
      lock_timeout: lockTimeoutMs,
      idle_in_transaction_session_timeout: idleInTransactionTimeoutMs,
    });
    this.notifier = new PostgresNotifier(() => this.pool.writerConnectionString());
  }

  async init(): Promise<void> {
    this.assertOpen();
    await this.withClient(migrate);
    this.initialised = true;
    await this.catchUpProjections();
  }

  /**
   * Brings every registered projection up to the head, a page per transaction. Needed when the
   * database was appended to without them (a projection added later, a process running none),
   * since appends only project inline for projections that are caught up.
   */
  async catchUpProjections(): Promise<void> {
    for (const projection of this.projections) {
      for (;;) {
        const checkpoint = await this.checkpoint(projection.name);
        const page = await this.readAll({ afterPosition: checkpoint, maxCount: catchUpPageSize });
        if (page.length === 0) break;
        await this.applyProjectionBatch(projection, page);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Appends

  append(request: AppendRequest): Promise<AppendResult> {
    try {
      this.assertReady();
      assertAppendRequest(request);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.pending.push({ request, resolve, reject });
      if (!this.flushing) this.flushing = this.flush();
    });
  }

  private async flush(): Promise<void> {
    try {
      for (;;) {
        await this.gatherAppends();
        if (this.pending.length === 0) break;
        await this.commitBatch(this.takeBatch());
      }
    } finally {
      // Cleared in the same turn as the last emptiness check, so no append can be left waiting.
      this.flushing = null;
    }
  }

  /**
   * Lets the appends that are about to arrive join the next batch rather than the one after: those
   * made in this turn of the event loop, and those of commands whose idempotency lookup is under
   * way (a command looks its key up, then appends). Callers answered by the last commit usually
   * send their next command at once; without this the batches alternate in two half-full groups.
   */
  private async gatherAppends(): Promise<void> {
    await nextTurn();
    if (this.lookupsUnderway.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.lookupsUnderway]),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, maxGatherWaitMs))),
    ]);
    clearTimeout(timer);
    await nextTurn();
  }

  /** The next appends in arrival order, within both bounds (a lone large append always fits). */
  private takeBatch(): PendingAppend[] {
    let count = 0;
    let events = 0;
    while (count < this.pending.length && count < this.maxBatch) {
      events += eventsIn(this.pending[count].request);
      if (count > 0 && events > maxEventsPerBatch) break;
      count += 1;
    }
    return this.pending.splice(0, count);
  }

  /**
   * One transaction for the batch: under the head lock, read what the appends need in one query,
   * check and place each append in memory in arrival order (one that fails is rejected alone),
   * project them, write everything in one statement and commit in the same round trip. Should the
   * write be refused all the same (a row written meanwhile by a process that skipped the head
   * lock), each append is retried in a transaction of its own, so that each gets its own answer.
   */
  private async commitBatch(batch: readonly PendingAppend[]): Promise<void> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      for (const item of batch) item.reject(toStoreError(error, this.connectionString));
      return;
    }
    // Encoded before the head lock: of placing an event in the log, only its hash needs the lock.
    const inputs: AppendInput[] = batch.map((item) => ({
      request: item.request,
      recordedAt: this.clock().toISOString(),
      encoded: encodeAppend(item.request),
    }));
    let outcomes: PlanOutcome[] = [];
    let refusedWrite: { error: unknown; stored: StoredState } | null = null;
    let releaseError: Error | undefined;
    try {
      const requests = batch.map((item) => item.request);
      const loadedLedger = new LoadedLedger();
      const reads = lockedReads(requests, this.projections.find(isLedgerTablesProjection));
      // Several statements per simple query: one round trip, not five, while the head lock is held.
      // Each statement has a snapshot of its own, so that the reads after the lock see every commit
      // before it. Nothing user-supplied is spliced in but as escaped literals.
      const results = await multiQuery(
        client,
        `BEGIN; SELECT position, hash FROM event_log_head FOR UPDATE${this.lockCheckpointsSql}${reads.statements.map((sql) => `; ${sql}`).join('')}`,
      );
      const startHead: LogHead = { position: BigInt(results[1].rows[0].position as string), hash: results[1].rows[0].hash as string };
      const checkpoints = new Map(
        (this.lockCheckpointsSql === '' ? [] : results[2].rows).map((row) => [row.projection as string, BigInt(row.position as string)]),
      );
      // A projection behind the log (appended to by a process without it) would skip events if
      // applied here: it stays behind, visibly, until catchUpProjections() or a rebuild.
      const inline = this.projections.filter((projection) => (checkpoints.get(projection.name) ?? 0n) === startHead.position);
      const read = reads.take(results.slice(this.lockCheckpointsSql === '' ? 2 : 3), loadedLedger);
      const stored = read.stored ?? (await loadStoredState(client, requests));
      const plan = await this.planBatch(client, inputs, stored, startHead, inline, loadedLedger);
      outcomes = plan.outcomes;
      // What COMMIT was answered: with the write, in its round trip, or alone when nothing is written.
      let committed: string | null = null;
      if (hasWrites(plan.writes)) {
        try {
          committed = await writeBatchAndCommit(client, plan.writes);
          if (committed === null) throw this.unavailable('no COMMIT was sent after the write');
        } catch (error) {
          if (!isDataRefusal(error)) throw error;
          refusedWrite = { error, stored };
        }
      } else {
        committed = (await multiQuery(client, 'COMMIT'))[0].command;
      }
      if (refusedWrite) {
        await client.query('ROLLBACK');
      } else if (committed !== 'COMMIT') {
        // COMMIT of a transaction that failed without our noticing answers ROLLBACK, not an error.
        throw this.unavailable(`COMMIT was answered with ${committed}`);
      }
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        releaseError = rollbackError;
      });
      client.release(releaseError ?? (isConnectionLoss(error) ? (error as Error) : undefined));
      const failure = toStoreError(error, this.connectionString);
      batch.forEach((item, index) => {
        const outcome = outcomes[index];
        // Nothing of the batch committed: those that had failed on their own keep their own error.
        item.reject(outcome && !outcome.ok ? toStoreError(outcome.error, this.connectionString) : failure);
      });
      return;
    }
    client.release();
    if (refusedWrite && batch.length > 1) {
      for (const item of batch) await this.commitBatch([item]);
      return;
    }
    batch.forEach((item, index) => {
      const outcome = outcomes[index];
      if (refusedWrite && outcome.ok) {
        item.reject(toStoreError(writeFailureOf(refusedWrite.error, item.request, refusedWrite.stored), this.connectionString));
      } else if (outcome.ok) {
        item.resolve(outcome.planned.result);
      } else {
        item.reject(toStoreError(outcome.error, this.connectionString));
      }
    });
  }

  /**
   * Checks and places every append of the batch in memory, then runs the inline projections over
   * those kept. An append a projection refuses is rejected alone: the batch is planned again
   * without it, since the appends after it move down the log.
   */
  private async planBatch(
    client: PoolClient,
    inputs: readonly AppendInput[],
    stored: StoredState,
    startHead: LogHead,
    inline: readonly StoreProjection[],
    loadedLedger: LoadedLedger,
  ): Promise<{ outcomes: PlanOutcome[]; writes: BatchWrites }> {
    const refused = new Map<number, unknown>();
    const loadedDocs = new Map<string, StoredDoc | null>();
    for (;;) {
      const view = new BatchView(stored, startHead);
      const outcomes = inputs.map((input, index): PlanOutcome => {
        if (refused.has(index)) return { ok: false, error: refused.get(index) };
        try {
          const planned = planAppend(view, input);
          view.take(planned);
          return { ok: true, planned };
        } catch (error) {
          return { ok: false, error };
        }
      });
      const appends = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.planned] : []));
      const projected = outcomes.flatMap((outcome, index) =>
        outcome.ok && outcome.planned.fresh.length > 0 ? [{ index, events: outcome.planned.fresh }] : [],
      );
      if (inline.length === 0 || projected.length === 0) {
        return { outcomes, writes: { appends, docs: [], ledger: null, checkpoints: [], head: view.head } };
      }
      const written = await projectAppends(client, inline, projected, loadedDocs, loadedLedger);
      if (written instanceof ProjectionRefusal) {
        assert(!refused.has(written.index), `append ${written.index} was refused twice`);
        refused.set(written.index, written.error);
        continue;
      }
      const checkpoints = inline.map((projection) => ({ projection: projection.name, position: view.head.position }));
      return { outcomes, writes: { appends, docs: written.docs, ledger: written.ledger, checkpoints, head: view.head } };
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    if (options.fromVersion !== undefined && options.fromVersion < 0n) throw new RangeError('fromVersion is >= 0');
    const backwards = options.direction === 'backwards';
    const params: unknown[] = [streamName];
    let versionFilter = '';
    if (options.fromVersion !== undefined) {
      params.push(options.fromVersion.toString());
      versionFilter = `AND stream_version ${backwards ? '<=' : '>='} $${params.length}`;
    }
    let limit = '';
    // No default page: a decider needs the whole stream, and a silently cut stream is a wrong state.
    if (options.maxCount !== undefined) {
      assertCount('maxCount', options.maxCount, Number.MAX_SAFE_INTEGER);
      params.push(options.maxCount);
      limit = `LIMIT $${params.length}`;
    }
    const rows = await this.query<EventRow>(
      `SELECT ${eventColumns} FROM events WHERE stream_name = $1 ${versionFilter}
       ORDER BY stream_version ${backwards ? 'DESC' : 'ASC'} ${limit}`,
      params,
    );
    return rows.map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    return (await this.readLog<EventRow>(eventColumns, options)).map(toRecordedEvent);
  }

  async readHashes(options: ReadAllOptions): Promise<EventHash[]> {
    return (await this.readLog<EventHashRow>(eventHashColumns, options)).map(toEventHash);
  }

  /** The given columns of the events readAll answers. */
  private async readLog<Row extends object>(columns: string, options: ReadAllOptions): Promise<Row[]> {
    assertCount('maxCount', options.maxCount, Number.MAX_SAFE_INTEGER);
    return this.query<Row>(`SELECT ${columns} FROM events WHERE position > $1 ORDER BY position LIMIT $2`, [
      options.afterPosition.toString(),
      options.maxCount,
    ]);
  }

  async headPosition(): Promise<bigint> {
    const rows = await this.query<{ position: string }>('SELECT position FROM event_log_head');
    return BigInt(rows[0].position);
  }

  /**
   * Lookups made in the same turn of the event loop share one query: every command asks before it
   * is decided, and under load a round trip each would cost more than the commands themselves.
   */
  findIdempotency(scope: string, key: string): Promise<StoredIdempotencyRecord | null> {
    try {
      this.assertReady();
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<StoredIdempotencyRecord | null>((resolve, reject) => {
      this.lookups.push({ scope, key, resolve, reject });
      this.scheduleLookups();
    });
  }

  private scheduleLookups(): void {
    if (this.lookupsScheduled) return;
    this.lookupsScheduled = true;
    setImmediate(() => {
      const lookup = this.lookUpKeys();
      this.lookupsUnderway.add(lookup);
      void lookup.finally(() => this.lookupsUnderway.delete(lookup));
    });
  }

  private async lookUpKeys(): Promise<void> {
    this.lookupsScheduled = false;
    const batch = this.lookups.splice(0, maxKeysPerLookup);
    if (this.lookups.length > 0) this.scheduleLookups();
    let rows: IdempotencyRow[];
    try {
      rows = await this.query<IdempotencyRow>(
        `SELECT i.scope, i.key, i.request_hash, i.status, i.body, i.position
         FROM unnest($1::text[], $2::text[]) AS k(scope, key)
         CROSS JOIN LATERAL (SELECT * FROM idempotency WHERE idempotency.scope = k.scope AND idempotency.key = k.key LIMIT 1) AS i`,
        [batch.map((lookup) => lookup.scope), batch.map((lookup) => lookup.key)],
      );
    } catch (error) {
      for (const lookup of batch) lookup.reject(error);
      return;
    }
    const found = new Map(rows.map((row) => [`${row.scope}\u0000${row.key}`, row]));
    for (const lookup of batch) {
      const row = found.get(`${lookup.scope}\u0000${lookup.key}`);
      lookup.resolve(
        row === undefined
          ? null
          : {
              scope: row.scope,
              key: row.key,
              requestHash: row.request_hash,
              status: row.status,
              body: row.body,
              position: BigInt(row.position),
            },
      );
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Subscriptions

  subscribe(options: SubscribeOptions): Subscription {
    this.assertOpen();
    const batchSize = options.batchSize ?? defaultSubscriptionBatchSize;
    assertCount('batchSize', batchSize, maxSubscriptionBatchSize);
    const stopping = new AbortController();
    const loop = this.runSubscription(options, batchSize, stopping.signal);
    const subscription: Subscription = {
      stop: async () => {
        stopping.abort();
        await loop;
        this.subscriptions.delete(subscription);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  private async runSubscription(options: SubscribeOptions, batchSize: number, stopping: AbortSignal): Promise<void> {
    const reportError = options.onError ?? (() => undefined);
    await this.notifier.listen();
    let after = options.afterPosition;
    while (!stopping.aborted) {
      // Taken before reading, so a commit landing between the read and the wait still wakes us.
      const generation = this.notifier.generation;
      let events: RecordedEvent[];
      try {
        events = await this.readAll({ afterPosition: after, maxCount: batchSize });
      } catch (error) {
        // Unlike a failing handler, a failed read delivered nothing: reading again later is safe,
        // and a network blip must not end every subscription of the process.
        reportError(error);
        await abortableSleep(subscriptionRetryDelayMs, stopping);
        continue;
      }
      const deliverable = contiguousFrom(after, events);
      if (deliverable.length < events.length) {
        reportError(new Error(`event log gap after position ${after + BigInt(deliverable.length)}: holding back`));
      }
      if (deliverable.length === 0) {
        await this.notifier.waitForChange(generation, subscriptionPollIntervalMs, stopping);
        continue;
      }
      if (stopping.aborted) return;
      try {
        await options.onEvents(deliverable);
      } catch (error) {
        // The handler did not take these events: stop here rather than skip them or loop on them.
        reportError(error);
        return;
      }
      after = deliverable[deliverable.length - 1].position;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Read models

  async getDoc(collection: string, id: string): Promise<StoredDoc | null> {
    const rows = await this.query<DocRow>(`SELECT ${docColumns} FROM rm_docs WHERE collection = $1 AND id = $2`, [
      collection,
      id,
    ]);
    return rows.length === 0 ? null : toStoredDoc(rows[0]);
  }

  async listDocs(collection: string, partition: string): Promise<StoredDoc[]> {
    const rows = await this.query<DocRow>(
      `SELECT ${docColumns} FROM rm_docs WHERE collection = $1 AND partition = $2 ORDER BY id`,
      [collection, partition],
    );
    return rows.map(toStoredDoc);
  }

  async pageDocs(collection: string, partition: string, page: DocPage): Promise<StoredDoc[]> {
    const rows = await this.query<DocRow>(
      `SELECT ${docColumns} FROM rm_docs WHERE collection = $1 AND partition = $2 AND id > $3 ORDER BY id LIMIT $4`,
      [collection, partition, page.afterId, page.limit],
    );
    return rows.map(toStoredDoc);
  }

  async listCollection(collection: string): Promise<StoredDoc[]> {
    const rows = await this.query<DocRow>(`SELECT ${docColumns} FROM rm_docs WHERE collection = $1 ORDER BY id`, [
      collection,
    ]);
    return rows.map(toStoredDoc);
  }

  async checkpoint(projection: string): Promise<bigint> {
    const rows = await this.query<{ position: string }>('SELECT position FROM rm_checkpoints WHERE projection = $1', [
      projection,
    ]);
    return rows.length === 0 ? 0n : BigInt(rows[0].position);
  }

  /**
   * For a rebuild: forgets the projections' documents (or the ledger tables) and checkpoints, in one
   * transaction. A document projection may be named by its name alone.
   */
  async resetProjections(projections: readonly (string | StoreProjection)[]): Promise<void> {
    const names = projections.map((projection) => (typeof projection === 'string' ? projection : projection.name));
    await this.inTransaction(async (client) => {
      if (projections.some((projection) => typeof projection !== 'string' && isLedgerTablesProjection(projection))) {
        await clearLedgerTables(client);
      }
      await client.query('DELETE FROM rm_docs WHERE projection = ANY($1::text[])', [names]);
      await client.query('DELETE FROM rm_checkpoints WHERE projection = ANY($1::text[])', [names]);
    });
  }

  /**
   * For a rebuild: applies a projection to already-stored events and moves its checkpoint, in one
   * transaction; returns the new checkpoint. Events at or below the checkpoint are skipped, so that a
   * page applied twice changes nothing; the rest must continue the checkpoint without a gap, or the
   * read model would silently miss events.
   */
  async applyProjectionBatch(projection: StoreProjection, events: readonly RecordedEvent[]): Promise<bigint> {
    return this.inTransaction(async (client) => {
      await client.query(
        'INSERT INTO rm_checkpoints (projection, position) VALUES ($1, 0) ON CONFLICT (projection) DO NOTHING',
        [projection.name],
      );
      const locked = await client.query<{ position: string }>(
        'SELECT position FROM rm_checkpoints WHERE projection = $1 FOR UPDATE',
        [projection.name],
      );
      const checkpoint = BigInt(locked.rows[0].position);
      const fresh = eventsPastCheckpoint(projection.name, checkpoint, events);
      await projectInTransaction(client, projection, fresh);
      return fresh.length === 0 ? checkpoint : fresh[fresh.length - 1].position;
    });
  }

  /** Fresh ledger tables beside the live ones, for a streamed rebuild; see PostgresLedgerRebuild. */
  async beginLedgerRebuild(): Promise<LedgerRebuildTarget> {
    return PostgresLedgerRebuild.begin((work) => this.inTransaction(work));
  }

  // ---------------------------------------------------------------------------------------------
  // The ledger tables' read side

  async listProgramYears(): Promise<ProgramYearRow[]> {
    return this.ledgerRead((q) => q.listProgramYears());
  }

  async programYear(programCode: string, fiscalYear: number): Promise<ProgramYearRow | null> {
    return this.ledgerRead((q) => q.programYear(programCode, fiscalYear));
  }

  async programDocuments(programCode: string, fiscalYear: number): Promise<ProgramDocumentRow[]> {
    return this.ledgerRead((q) => q.programDocuments(programCode, fiscalYear));
  }

  async regionBalance(programCode: string, fiscalYear: number, regionCode: string): Promise<RegionBalanceRow | null> {
    return this.ledgerRead((q) => q.regionBalance(programCode, fiscalYear, regionCode));
  }

  async regionBalances(programCode: string, fiscalYear: number, regionCodes?: readonly string[]): Promise<RegionBalanceRow[]> {
    return this.ledgerRead((q) => q.regionBalances(programCode, fiscalYear, regionCodes));
  }

  async trailPage(programCode: string, fiscalYear: number, regionCode: string, page: TrailPageRequest): Promise<TrailRow[]> {
    assertCount('limit', page.limit, Number.MAX_SAFE_INTEGER);
    return this.ledgerRead((q) => q.trailPage(programCode, fiscalYear, regionCode, page));
  }

  async disbursement(disbursementId: string): Promise<DisbursementRow | null> {
    return this.ledgerRead((q) => q.disbursement(disbursementId));
  }

  async refusals(programCode: string, fiscalYear: number): Promise<RefusalRow[]> {
    return this.ledgerRead((q) => q.refusals(programCode, fiscalYear));
  }

  async performanceTargets(programCode: string, fiscalYear: number): Promise<PerformanceTargetsRow[]> {
    return this.ledgerRead((q) => q.performanceTargets(programCode, fiscalYear));
  }

  async performanceActuals(programCode: string, fiscalYear: number): Promise<PerformanceActualRow[]> {
    return this.ledgerRead((q) => q.performanceActuals(programCode, fiscalYear));
  }

  private async ledgerRead<T>(read: (queries: PostgresLedgerQueries) => Promise<T>): Promise<T> {
    this.assertReady();
    try {
      return await read(new PostgresLedgerQueries(this.pool));
    } catch (error) {
      throw toStoreError(error, this.connectionString);
    }
  }

  // ---------------------------------------------------------------------------------------------

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    if (this.flushing) await this.flushing;
    await this.notifier.close();
    await this.pool.end();
  }

  private async query<Row extends object>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    this.assertReady();
    try {
      const result = await this.pool.query<Row>(sql, params as unknown[]);
      return result.rows;
    } catch (error) {
      throw toStoreError(error, this.connectionString);
    }
  }

  private async withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    this.assertOpen();
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw toStoreError(error, this.connectionString);
    }
    let lost: Error | undefined;
    try {
      return await work(client);
    } catch (error) {
      // A connection that failed mid-work is destroyed, not handed to the next caller.
      if (isConnectionLoss(error)) lost = error as Error;
      throw toStoreError(error, this.connectionString);
    } finally {
      client.release(lost);
    }
  }

  private async inTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    this.assertReady();
    return this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    });
  }

  private assertOpen(): void {
    if (this.closed) throw this.unavailable('the store is closed');
  }

  /** Open and migrated: a store used before init() would fail on missing tables, less clearly. */
  private assertReady(): void {
    this.assertOpen();
    if (!this.initialised) throw this.unavailable('init() has not run');
  }

  private unavailable(reason: string): EventStoreUnavailableError {
    return new EventStoreUnavailableError(`postgres at ${describeConnection(this.connectionString)}: ${reason}`);
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs a simple-protocol query string of several statements and returns one result per statement. */
async function multiQuery(client: PoolClient, sql: string): Promise<QueryResult[]> {
  const result = (await client.query(sql)) as unknown as QueryResult | QueryResult[];
  return Array.isArray(result) ? result : [result];
}

/** A string literal for the simple protocol, which takes no parameters (standard_conforming_strings is on). */
function sqlLiteral(value: string): string {
  assert(!value.includes('\u0000'), 'a SQL literal cannot hold NUL');
  return `'${value.replace(/'/g, "''")}'`;
}

/** The events that continue the log right after `after`, up to the first gap. */
function contiguousFrom(after: bigint, events: readonly RecordedEvent[]): RecordedEvent[] {
  let expected = after + 1n;
  let count = 0;
  for (const event of events) {
    if (event.position !== expected) break;
    expected += 1n;
    count += 1;
  }
  return count === events.length ? [...events] : events.slice(0, count);
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
