import type { PoolClient } from 'pg';
import { genesisHash } from '../event-hash';
import { EventStoreUnavailableError } from '../event-store.port';
import { ledgerTableNames } from '../ledger-rows';

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
  {
    version: 2,
    name: 'ledger read models as typed tables',
    sql: `
      -- Earlier releases kept the ledger's read models as JSON documents under the projection
      -- 'ledger': they are dropped with their checkpoint, and opening the store folds the log into
      -- these tables from position 1.
      DELETE FROM rm_docs WHERE projection = 'ledger';
      DELETE FROM rm_checkpoints WHERE projection = 'ledger';

      CREATE TABLE rm_program_year (
        program_code        TEXT COLLATE "C" NOT NULL,
        fiscal_year         INTEGER NOT NULL,
        program_name        TEXT NOT NULL,
        issuer_region_code  TEXT COLLATE "C" NOT NULL,
        income_subject      TEXT NOT NULL,
        expenditure_subject TEXT NOT NULL,
        allocated_fen       BIGINT NOT NULL,
        passed_down_fen     BIGINT NOT NULL,
        paid_fen            BIGINT NOT NULL,
        beneficiaries       INTEGER NOT NULL,
        returned_fen        BIGINT NOT NULL,
        available_fen       BIGINT NOT NULL,
        regions             INTEGER NOT NULL,
        settled_regions     INTEGER NOT NULL,
        last_position       BIGINT NOT NULL,
        PRIMARY KEY (program_code, fiscal_year)
      );

      CREATE TABLE rm_program_document (
        program_code       TEXT COLLATE "C" NOT NULL,
        fiscal_year        INTEGER NOT NULL,
        position           BIGINT NOT NULL,
        document_no        TEXT NOT NULL,
        kind               TEXT NOT NULL,
        title              TEXT NOT NULL,
        issued_on          TEXT NOT NULL,
        issuer_region_code TEXT COLLATE "C" NOT NULL,
        total_fen          BIGINT NOT NULL,
        lines              INTEGER NOT NULL,
        PRIMARY KEY (program_code, fiscal_year, position)
      );

      CREATE TABLE rm_region_balance (
        program_code                  TEXT COLLATE "C" NOT NULL,
        fiscal_year                   INTEGER NOT NULL,
        region_code                   TEXT COLLATE "C" NOT NULL,
        pre_allocated_fen             BIGINT NOT NULL,
        top_up_received_fen           BIGINT NOT NULL,
        received_fen                  BIGINT NOT NULL,
        returned_in_fen               BIGINT NOT NULL,
        passed_down_fen               BIGINT NOT NULL,
        paid_fen                      BIGINT NOT NULL,
        beneficiaries                 INTEGER NOT NULL,
        returned_fen                  BIGINT NOT NULL,
        spent_after_settlement_fen    BIGINT NOT NULL,
        returned_after_settlement_fen BIGINT NOT NULL,
        received_after_settlement_fen BIGINT NOT NULL,
        first_received_on             TEXT NOT NULL,
        first_top_up_on               TEXT NOT NULL,
        last_effective_on             TEXT NOT NULL,
        allocated_fen                 BIGINT NOT NULL,
        available_fen                 BIGINT NOT NULL,
        settlement_document_no        TEXT,
        settled_on                    TEXT,
        entitled_fen                  BIGINT,
        settled_pre_allocated_fen     BIGINT,
        returned_before_fen           BIGINT,
        settled_allocated_fen         BIGINT,
        adjustment_fen                BIGINT,
        outstanding_fen               BIGINT,
        last_position                 BIGINT NOT NULL,
        PRIMARY KEY (program_code, fiscal_year, region_code)
      );

      CREATE TABLE rm_trail (
        program_code        TEXT COLLATE "C" NOT NULL,
        fiscal_year         INTEGER NOT NULL,
        region_code         TEXT COLLATE "C" NOT NULL,
        position            BIGINT NOT NULL,
        recorded_at         TEXT NOT NULL,
        effective_on        TEXT NOT NULL,
        type                TEXT NOT NULL,
        amount_fen          BIGINT NOT NULL,
        available_after_fen BIGINT NOT NULL,
        reference           TEXT NOT NULL,
        actor               TEXT NOT NULL,
        hash                TEXT NOT NULL,
        PRIMARY KEY (program_code, fiscal_year, region_code, position)
      );

      CREATE TABLE rm_disbursement (
        position              BIGINT PRIMARY KEY,
        disbursement_id       TEXT COLLATE "C" NOT NULL UNIQUE,
        program_code          TEXT COLLATE "C" NOT NULL,
        fiscal_year           INTEGER NOT NULL,
        region_code           TEXT COLLATE "C" NOT NULL,
        kind                  TEXT NOT NULL,
        amount_fen            BIGINT NOT NULL,
        voucher_no            TEXT NOT NULL,
        paid_on               TEXT NOT NULL,
        to_region_code        TEXT COLLATE "C",
        to_parent_region_code TEXT COLLATE "C",
        beneficiaries         INTEGER,
        after_settlement      BOOLEAN NOT NULL,
        reversed              BOOLEAN NOT NULL
      );

      CREATE TABLE rm_refusal (
        position     BIGINT PRIMARY KEY,
        program_code TEXT COLLATE "C" NOT NULL,
        fiscal_year  INTEGER NOT NULL,
        region_code  TEXT COLLATE "C",
        code         TEXT NOT NULL,
        recorded_at  TEXT NOT NULL,
        data         TEXT NOT NULL
      );
      CREATE INDEX rm_refusal_by_fund ON rm_refusal (program_code, fiscal_year, position);

      CREATE TABLE rm_performance_target (
        program_code TEXT COLLATE "C" NOT NULL,
        fiscal_year  INTEGER NOT NULL,
        region_code  TEXT COLLATE "C" NOT NULL,
        position     BIGINT NOT NULL,
        data         TEXT NOT NULL,
        PRIMARY KEY (program_code, fiscal_year, region_code)
      );

      CREATE TABLE rm_performance_actual (
        program_code TEXT COLLATE "C" NOT NULL,
        fiscal_year  INTEGER NOT NULL,
        region_code  TEXT COLLATE "C" NOT NULL,
        indicator    TEXT COLLATE "C" NOT NULL,
        position     BIGINT NOT NULL,
        actor        TEXT NOT NULL,
        data         TEXT NOT NULL,
        PRIMARY KEY (program_code, fiscal_year, region_code, indicator)
      );
    `,
  },
];

/** The ledger tables, emptied together before a rebuild. */
export const postgresLedgerTables = ledgerTableNames;

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
