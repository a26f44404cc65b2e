import Database from 'better-sqlite3';
import { EventStoreUnavailableError, type JsonObject, type RecordedEvent, type StoredDoc } from '../event-store.port';

/** The connection's settings, the same on the main connection and the writer thread's. */
// Another process (the CLI) may hold the write lock for one of its transactions; wait that long.
export const defaultBusyTimeoutMs = 5_000;
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

/** Opens a connection to the file with the store's durability: WAL, fsync at every commit. */
export function openSqliteConnection(file: string, busyTimeoutMs: number): Database.Database {
  const db = new Database(file);
  try {
    db.defaultSafeIntegers(true);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma(`cache_size = -${pageCacheKiB}`);
    db.pragma(`wal_autocheckpoint = ${walAutocheckpointPages}`);
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma('foreign_keys = ON');
    return db;
  } catch (error: unknown) {
    db.close();
    throw error;
  }
}

export interface EventRow {
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

export interface DocRow {
  collection: string;
  id: string;
  partition: string;
  doc: string;
}

export const eventColumns = 'position, id, stream_name, stream_version, type, data, metadata, recorded_at, hash, previous_hash';

export function toRecordedEvent(row: EventRow): RecordedEvent {
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

export function toStoredDoc(row: DocRow): StoredDoc {
  return { collection: row.collection, id: row.id, partition: row.partition, doc: JSON.parse(row.doc) as JsonObject };
}

/**
 * Recognised by name and code, not `instanceof` (not even of Error): the native addon keeps the
 * error class of the first copy of better-sqlite3 loaded in the process, which may belong to
 * another module copy or another realm (test runners load modules afresh per file), and an error
 * from the writer thread arrives as a copy.
 */
export const isSqliteError = (error: unknown): error is InstanceType<typeof Database.SqliteError> =>
  typeof error === 'object' &&
  error !== null &&
  (error as { name?: unknown }).name === 'SqliteError' &&
  typeof (error as { code?: unknown }).code === 'string';

export const isUniqueViolationOn = (error: unknown, columns: string): boolean =>
  isSqliteError(error) &&
  (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') &&
  error.message.includes(columns);

/** SQLite failures that are not conflicts mean the file cannot be used: disk full, I/O, lock timeout. */
export function asStoreError(error: unknown): unknown {
  return isSqliteError(error) ? new EventStoreUnavailableError(`SQLite: ${error.message}`, error) : error;
}
