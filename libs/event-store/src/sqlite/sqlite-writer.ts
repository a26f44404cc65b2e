import type Database from 'better-sqlite3';
import { assertAppendRequest } from '../append-request';
import { chainEvent, genesisHash } from '../event-hash';
import {
  ConcurrencyError,
  EventStoreUnavailableError,
  IdempotencyKeyTakenError,
  docKey,
  type AppendRequest,
  type AppendResult,
  type DocumentProjection,
  type ExpectedVersion,
  type IdempotencyRecord,
  type JsonObject,
  type RecordedEvent,
  type StoredDoc,
  type StreamAppend,
} from '../event-store.port';
import { isLedgerTablesProjection, type LedgerTablesProjection, type StoreProjection } from '../ledger-tables.port';
import { SqliteLedgerTables } from './sqlite-ledger-tables';
import { asStoreError, eventColumns, isUniqueViolationOn, toRecordedEvent, toStoredDoc, type DocRow, type EventRow } from './sqlite-rows';

/** One append of a batch, with the time it is recorded at (taken when the batch is handed over). */
export interface BatchEntry {
  readonly request: AppendRequest;
  readonly recordedAt: string;
}

export type Outcome = { readonly ok: true; readonly result: AppendResult } | { readonly ok: false; readonly error: unknown };

type WriteStatements = ReturnType<typeof prepareWriteStatements>;

function prepareWriteStatements(db: Database.Database) {
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
    insertIdempotency: db.prepare<[string, string, string, number, string, bigint]>(
      'INSERT INTO idempotency (scope, key, request_hash, status, body, position) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    getDoc: db.prepare<[string, string], DocRow>('SELECT collection, id, partition, doc FROM rm_docs WHERE collection = ? AND id = ?'),
    upsertDoc: db.prepare<[string, string, string, string, string]>(
      `INSERT INTO rm_docs (collection, id, partition, projection, doc) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (collection, id) DO UPDATE SET partition = excluded.partition, projection = excluded.projection, doc = excluded.doc`,
    ),
    deleteDoc: db.prepare<[string, string]>('DELETE FROM rm_docs WHERE collection = ? AND id = ?'),
    checkpoint: db.prepare<[string], bigint>('SELECT position FROM rm_checkpoints WHERE name = ?').pluck(),
    setCheckpoint: db.prepare<[string, bigint]>(
      'INSERT INTO rm_checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
    ),
  };
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
 * The write side of the SQLite store on one connection: a group commit of appends with their
 * inline projections, and a projection applied to stored events. The store runs it on its own
 * connection, or a writer thread runs it on the thread's (see SqliteWriterThread): one rule, in
 * both places.
 */
export class SqliteWriter {
  private readonly s: WriteStatements;
  private readonly ledgerTables: SqliteLedgerTables;

  constructor(
    private readonly db: Database.Database,
    private readonly projections: readonly StoreProjection[],
  ) {
    this.s = prepareWriteStatements(db);
    this.ledgerTables = new SqliteLedgerTables(db);
  }

  /**
   * One transaction for the batch; nothing is answered before COMMIT returned, so a successful
   * outcome is on disk. The inline projections run once over the whole batch's new events, so that
   * a row many appends touch (a fund's totals, a busy region) is read and written once per commit,
   * not once per append.
   */
  commitBatch(batch: readonly BatchEntry[]): Outcome[] {
    const s = this.s;
    try {
      s.begin.run();
    } catch (error: unknown) {
      const failure = asStoreError(error);
      return batch.map(() => ({ ok: false, error: failure }));
    }
    try {
      const headBefore = s.head.get()?.position ?? 0n;
      const appended: RecordedEvent[] = [];
      const outcomes = batch.map((entry) => this.appendInSavepoint(entry, appended));
      if (appended.length > 0) {
        try {
          this.projectBatch(headBefore, appended);
        } catch (projectionError: unknown) {
          if (batch.length === 1) throw projectionError;
          // A projection that throws fails only the append that fed it: the batch is undone and
          // each append committed on its own, so that the others still go through.
          this.rollbackQuietly();
          return batch.flatMap((entry) => this.commitBatch([entry]));
        }
      }
      s.commit.run();
      return outcomes;
    } catch (error: unknown) {
      this.rollbackQuietly();
      const failure = asStoreError(error);
      return batch.map(() => ({ ok: false, error: failure }));
    }
  }

  /** Runs one projection over events already stored, inside the caller's transaction, and moves its checkpoint. */
  project(projection: StoreProjection, events: readonly RecordedEvent[]): void {
    if (isLedgerTablesProjection(projection)) this.projectLedger(projection, events);
    else this.projectDocuments(projection, events);
    this.s.setCheckpoint.run(projection.name, events[events.length - 1]!.position);
  }

  /** Adds the events the append newly stored to `appended`, once it has succeeded. */
  private appendInSavepoint(entry: BatchEntry, appended: RecordedEvent[]): Outcome {
    const s = this.s;
    s.savepoint.run();
    let outcome: Outcome;
    try {
      const { result, stored } = this.appendOne(entry);
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

  private rollbackQuietly(): void {
    try {
      if (this.db.inTransaction) this.s.rollback.run();
    } catch {
      // SQLite already rolled back (it does on some I/O errors); the batch is reported failed anyway.
    }
  }

  private appendOne({ request, recordedAt }: BatchEntry): { result: AppendResult; stored: RecordedEvent[] } {
    const s = this.s;
    assertAppendRequest(request);
    const retried = this.retriedAppend(request);
    if (retried !== null) return { result: retried, stored: [] };

    const headRow = s.head.get();
    const positionBefore = headRow?.position ?? 0n;
    let position = positionBefore;
    let previousHash = headRow?.hash ?? genesisHash;
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
        this.insertEvent(stream, recorded, dataText, metadataText);
        previousHash = recorded.hash;
        returned.push(recorded);
        appended.push(recorded);
      }
      nextExpectedVersions.push(version);
    }

    if (request.idempotency !== undefined) this.insertIdempotency(request.idempotency, position);
    return { result: { nextExpectedVersions, lastPosition: position, events: returned }, stored: appended };
  }

  /** Runs the inline projections over a batch's new events, in position order. */
  private projectBatch(headBefore: bigint, appended: readonly RecordedEvent[]): void {
    for (const projection of this.projections) {
      // A projection behind the log (the file was appended to without it) would skip events if
      // applied here; it stays behind, visibly, until catchUpProjections() or a rebuild.
      if ((this.s.checkpoint.get(projection.name) ?? 0n) === headBefore) this.project(projection, appended);
    }
  }

  /** A request whose every event is already stored was committed before: answer as it was. */
  private retriedAppend(request: AppendRequest): AppendResult | null {
    const s = this.s;
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

  private insertEvent(stream: StreamAppend, event: RecordedEvent, dataText: string, metadataText: string): void {
    const s = this.s;
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

  private insertIdempotency(record: IdempotencyRecord, position: bigint): void {
    try {
      this.s.insertIdempotency.run(record.scope, record.key, record.requestHash, record.status, JSON.stringify(record.body), position);
    } catch (error: unknown) {
      if (isUniqueViolationOn(error, 'idempotency.scope, idempotency.key')) throw new IdempotencyKeyTakenError(record.scope, record.key);
      throw error;
    }
  }

  /** The ledger tables: the rows the batch touches read once, its delta written once. */
  private projectLedger(projection: LedgerTablesProjection, events: readonly RecordedEvent[]): void {
    this.ledgerTables.write(projection.fold(events, this.ledgerTables.load(projection.stateKeys(events))));
  }

  private projectDocuments(projection: DocumentProjection, events: readonly RecordedEvent[]): void {
    const s = this.s;
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
}

/** What a closed store answers every append with. */
export const closedStoreError = (): EventStoreUnavailableError => new EventStoreUnavailableError('the SQLite event store is closed');
