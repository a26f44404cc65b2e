import type { PoolClient } from 'pg';
import { genesisHash } from '../event-hash';
import { EventStoreUnavailableError } from '../event-store.port';

export interface PostgresMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** LISTEN/NOTIFY channel raised by every commit that moves the log head. */
export const eventsChannel = 'earmark_events';

/**
 * Key of the transaction-scoped advisory lock taken while migrating, so that two processes starting
 * together do not both try to create the tables. Any fixed number works; this one spells "EARMARK".
 */
export const migrationLockKey = 0x4541524d41524bn;

/*
 * Every text column that identifies something is COLLATE "C": ids are compared and listed by their
 * bytes, as the SQLite adapter and the in-memory projection do, whatever the database's locale.
 *
 * Event ids, data, metadata and recorded_at are TEXT, not UUID / JSONB / TIMESTAMPTZ: the hash chain
 * is recomputed by the verifier from what is stored, so each must come back exactly as it was hashed
 * (UUID lowercases and reformats, JSONB rejects \u0000, TIMESTAMPTZ drops the 'Z' spelling).
 */
export const postgresMigrations: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'event log, idempotency, read models',
    sql: `
      CREATE TABLE events (
        position        BIGINT PRIMARY KEY CHECK (position > 0),
        id              TEXT COLLATE "C" NOT NULL,
        stream_name     TEXT COLLATE "C" NOT NULL,
        stream_version  BIGINT NOT NULL CHECK (stream_version >= 0),
        type            TEXT NOT NULL,
        data            TEXT NOT NULL,
        metadata        TEXT NOT NULL,
        recorded_at     TEXT NOT NULL,
        hash            TEXT NOT NULL,
        previous_hash   TEXT NOT NULL,
        CONSTRAINT events_stream_version_key UNIQUE (stream_name, stream_version),
        CONSTRAINT events_stream_id_key UNIQUE (stream_name, id)
      );

      -- Events are facts: corrections are new events, so the table refuses edits outright.
      CREATE FUNCTION earmark_events_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'events are immutable: % refused', TG_OP USING ERRCODE = 'restrict_violation';
      END $$;
      CREATE TRIGGER events_immutable BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION earmark_events_immutable();
      CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION earmark_events_immutable();

      -- One row: the last position handed out and its hash. Its row lock, held to commit, is what
      -- makes positions gapless and in commit order.
      CREATE TABLE event_log_head (
        singleton  BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
        position   BIGINT NOT NULL,
        hash       TEXT NOT NULL
      );
      INSERT INTO event_log_head (singleton, position, hash) VALUES (TRUE, 0, '${genesisHash}');

      CREATE FUNCTION earmark_notify_head() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('${eventsChannel}', NEW.position::text);
        RETURN NULL;
      END $$;
      CREATE TRIGGER event_log_head_notify AFTER UPDATE ON event_log_head
        FOR EACH ROW WHEN (NEW.position <> OLD.position) EXECUTE FUNCTION earmark_notify_head();

      CREATE TABLE idempotency (
        scope         TEXT COLLATE "C" NOT NULL,
        key           TEXT COLLATE "C" NOT NULL,
        request_hash  TEXT NOT NULL,
        status        INTEGER NOT NULL,
        body          JSONB NOT NULL,
        position      BIGINT NOT NULL,
        CONSTRAINT idempotency_pkey PRIMARY KEY (scope, key)
      );

      -- projection: which projection wrote the document, so that a rebuild can clear its own.
      CREATE TABLE rm_docs (
        collection  TEXT COLLATE "C" NOT NULL,
        id          TEXT COLLATE "C" NOT NULL,
        partition   TEXT COLLATE "C" NOT NULL,
        doc         JSONB NOT NULL,
        projection  TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (collection, id)
      );
      CREATE INDEX rm_docs_partition_idx ON rm_docs (collection, partition, id);
      CREATE INDEX rm_docs_projection_idx ON rm_docs (projection);

      CREATE TABLE rm_checkpoints (
        projection  TEXT COLLATE "C" PRIMARY KEY,
        position    BIGINT NOT NULL
      );
    `,
  },
];

export const postgresSchemaVersion = Math.max(...postgresMigrations.map((migration) => migration.version));

/**
 * Brings the schema up to date. Runs in one transaction under an advisory lock: a second process
 * waits, then finds the migrations applied and does nothing.
 */
export async function migrate(client: PoolClient): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLockKey.toString()]);
    await client.query(`
      CREATE TABLE IF NOT EXISTS earmark_schema_migrations (
        version     INTEGER PRIMARY KEY,
        name        TEXT NOT NULL,
        applied_at  TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    const applied = await client.query<{ version: number }>('SELECT version FROM earmark_schema_migrations');
    const appliedVersions = new Set(applied.rows.map((row) => row.version));
    const newest = Math.max(0, ...appliedVersions);
    if (newest > postgresSchemaVersion) {
      // A newer release migrated this database; writing with older code could break its invariants.
      throw new EventStoreUnavailableError(
        `the database has schema version ${newest}, this release knows up to ${postgresSchemaVersion}`,
      );
    }
    for (const migration of postgresMigrations) {
      if (appliedVersions.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO earmark_schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
