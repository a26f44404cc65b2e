/**
 * The SQLite schema as an append-only list of migrations: migration i brings `PRAGMA user_version`
 * from i to i + 1. Never edit a shipped migration; add the next one, so that a file written by an
 * older release (or by the CLI on another machine) upgrades in place.
 */
export const sqliteMigrations: readonly string[] = [
  `
  -- position is the rowid alias and is assigned as head + 1 under the write lock, so the log stays
  -- gapless even when a transaction rolls back (an AUTOINCREMENT sequence would leave holes).
  CREATE TABLE events (
    position       INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL,
    stream_name    TEXT    NOT NULL,
    stream_version INTEGER NOT NULL CHECK (stream_version >= 0),
    type           TEXT    NOT NULL,
    data           TEXT    NOT NULL,
    metadata       TEXT    NOT NULL,
    recorded_at    TEXT    NOT NULL,
    hash           TEXT    NOT NULL,
    previous_hash  TEXT    NOT NULL,
    UNIQUE (stream_name, stream_version),
    UNIQUE (stream_name, id)
  ) STRICT;

  -- Corrections are new events (DOMAIN invariant 6); the audit chain depends on rows never changing.
  CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;
  CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;

  CREATE TABLE idempotency (
    scope        TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT    NOT NULL,
    position     INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
  ) STRICT, WITHOUT ROWID;

  -- projection names the writer, so that one projection's documents can be reset for a rebuild.
  CREATE TABLE rm_docs (
    collection TEXT NOT NULL,
    id         TEXT NOT NULL,
    partition  TEXT NOT NULL,
    projection TEXT NOT NULL,
    doc        TEXT NOT NULL,
    PRIMARY KEY (collection, id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX rm_docs_by_partition ON rm_docs (collection, partition, id);
  CREATE INDEX rm_docs_by_projection ON rm_docs (projection);

  CREATE TABLE rm_checkpoints (
    name     TEXT    PRIMARY KEY,
    position INTEGER NOT NULL CHECK (position >= 0)
  ) STRICT, WITHOUT ROWID;
  `,
];

export const sqliteSchemaVersion = sqliteMigrations.length;
