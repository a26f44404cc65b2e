import { ledgerTableNames } from '../ledger-rows';

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
  `
  -- The ledger's read models as typed tables (money in 分 as INTEGER). A file written by an earlier
  -- release kept them as JSON documents under the projection 'ledger': those are dropped with their
  -- checkpoint, and opening the store folds the log into the new tables from position 1.
  DELETE FROM rm_docs WHERE projection = 'ledger';
  DELETE FROM rm_checkpoints WHERE name = 'ledger';

  CREATE TABLE rm_program_year (
    program_code        TEXT    NOT NULL,
    fiscal_year         INTEGER NOT NULL,
    program_name        TEXT    NOT NULL,
    issuer_region_code  TEXT    NOT NULL,
    income_subject      TEXT    NOT NULL,
    expenditure_subject TEXT    NOT NULL,
    allocated_fen       INTEGER NOT NULL,
    passed_down_fen     INTEGER NOT NULL,
    paid_fen            INTEGER NOT NULL,
    beneficiaries       INTEGER NOT NULL,
    returned_fen        INTEGER NOT NULL,
    available_fen       INTEGER NOT NULL,
    regions             INTEGER NOT NULL,
    settled_regions     INTEGER NOT NULL,
    last_position       INTEGER NOT NULL,
    PRIMARY KEY (program_code, fiscal_year)
  ) STRICT, WITHOUT ROWID;

  -- Stored once, at the position that recorded the document.
  CREATE TABLE rm_program_document (
    program_code       TEXT    NOT NULL,
    fiscal_year        INTEGER NOT NULL,
    position           INTEGER NOT NULL,
    document_no        TEXT    NOT NULL,
    kind               TEXT    NOT NULL,
    title              TEXT    NOT NULL,
    issued_on          TEXT    NOT NULL,
    issuer_region_code TEXT    NOT NULL,
    total_fen          INTEGER NOT NULL,
    lines              INTEGER NOT NULL,
    PRIMARY KEY (program_code, fiscal_year, position)
  ) STRICT, WITHOUT ROWID;

  -- One row per program-year-region, updated in place. The settlement columns are NULL while open.
  CREATE TABLE rm_region_balance (
    program_code                  TEXT    NOT NULL,
    fiscal_year                   INTEGER NOT NULL,
    region_code                   TEXT    NOT NULL,
    pre_allocated_fen             INTEGER NOT NULL,
    top_up_received_fen           INTEGER NOT NULL,
    received_fen                  INTEGER NOT NULL,
    returned_in_fen               INTEGER NOT NULL,
    passed_down_fen               INTEGER NOT NULL,
    paid_fen                      INTEGER NOT NULL,
    beneficiaries                 INTEGER NOT NULL,
    returned_fen                  INTEGER NOT NULL,
    spent_after_settlement_fen    INTEGER NOT NULL,
    returned_after_settlement_fen INTEGER NOT NULL,
    received_after_settlement_fen INTEGER NOT NULL,
    first_received_on             TEXT    NOT NULL,
    first_top_up_on               TEXT    NOT NULL,
    last_effective_on             TEXT    NOT NULL,
    allocated_fen                 INTEGER NOT NULL,
    available_fen                 INTEGER NOT NULL,
    settlement_document_no        TEXT,
    settled_on                    TEXT,
    entitled_fen                  INTEGER,
    settled_pre_allocated_fen     INTEGER,
    returned_before_fen           INTEGER,
    settled_allocated_fen         INTEGER,
    adjustment_fen                INTEGER,
    outstanding_fen               INTEGER,
    last_position                 INTEGER NOT NULL,
    PRIMARY KEY (program_code, fiscal_year, region_code)
  ) STRICT, WITHOUT ROWID;

  -- Append-only; a region's trail pages by position.
  CREATE TABLE rm_trail (
    program_code        TEXT    NOT NULL,
    fiscal_year         INTEGER NOT NULL,
    region_code         TEXT    NOT NULL,
    position            INTEGER NOT NULL,
    recorded_at         TEXT    NOT NULL,
    effective_on        TEXT    NOT NULL,
    type                TEXT    NOT NULL,
    amount_fen          INTEGER NOT NULL,
    available_after_fen INTEGER NOT NULL,
    reference           TEXT    NOT NULL,
    actor               TEXT    NOT NULL,
    hash                TEXT    NOT NULL,
    PRIMARY KEY (program_code, fiscal_year, region_code, position)
  ) STRICT, WITHOUT ROWID;

  -- Append-only by position (the rowid); a reversal sets reversed. Found by id through the index.
  CREATE TABLE rm_disbursement (
    position             INTEGER PRIMARY KEY,
    disbursement_id      TEXT    NOT NULL UNIQUE,
    program_code         TEXT    NOT NULL,
    fiscal_year          INTEGER NOT NULL,
    region_code          TEXT    NOT NULL,
    kind                 TEXT    NOT NULL,
    amount_fen           INTEGER NOT NULL,
    voucher_no           TEXT    NOT NULL,
    paid_on              TEXT    NOT NULL,
    to_region_code       TEXT,
    to_parent_region_code TEXT,
    beneficiaries        INTEGER,
    after_settlement     INTEGER NOT NULL CHECK (after_settlement IN (0, 1)),
    reversed             INTEGER NOT NULL CHECK (reversed IN (0, 1))
  ) STRICT;

  CREATE TABLE rm_refusal (
    position     INTEGER PRIMARY KEY,
    program_code TEXT    NOT NULL,
    fiscal_year  INTEGER NOT NULL,
    region_code  TEXT,
    code         TEXT    NOT NULL,
    recorded_at  TEXT    NOT NULL,
    data         TEXT    NOT NULL
  ) STRICT;
  CREATE INDEX rm_refusal_by_fund ON rm_refusal (program_code, fiscal_year, position);

  CREATE TABLE rm_performance_target (
    program_code TEXT    NOT NULL,
    fiscal_year  INTEGER NOT NULL,
    region_code  TEXT    NOT NULL,
    position     INTEGER NOT NULL,
    data         TEXT    NOT NULL,
    PRIMARY KEY (program_code, fiscal_year, region_code)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE rm_performance_actual (
    program_code TEXT    NOT NULL,
    fiscal_year  INTEGER NOT NULL,
    region_code  TEXT    NOT NULL,
    indicator    TEXT    NOT NULL,
    position     INTEGER NOT NULL,
    actor        TEXT    NOT NULL,
    data         TEXT    NOT NULL,
    PRIMARY KEY (program_code, fiscal_year, region_code, indicator)
  ) STRICT, WITHOUT ROWID;
  `,
  `
  -- The trail clustered by region (a WITHOUT ROWID table) made every payment write into the middle
  -- of its region's range: a batch over many regions dirtied and split a page of full rows each.
  -- Now the rows append in log order (the rowid) and a region's trail is found through a unique
  -- index of short entries, so a commit writes the rows' last pages and one index leaf per region.
  CREATE TABLE rm_trail_by_position (
    program_code        TEXT    NOT NULL,
    fiscal_year         INTEGER NOT NULL,
    region_code         TEXT    NOT NULL,
    position            INTEGER NOT NULL,
    recorded_at         TEXT    NOT NULL,
    effective_on        TEXT    NOT NULL,
    type                TEXT    NOT NULL,
    amount_fen          INTEGER NOT NULL,
    available_after_fen INTEGER NOT NULL,
    reference           TEXT    NOT NULL,
    actor               TEXT    NOT NULL,
    hash                TEXT    NOT NULL
  ) STRICT;
  INSERT INTO rm_trail_by_position
    SELECT program_code, fiscal_year, region_code, position, recorded_at, effective_on, type, amount_fen,
           available_after_fen, reference, actor, hash
    FROM rm_trail ORDER BY position, program_code, fiscal_year, region_code;
  DROP TABLE rm_trail;
  ALTER TABLE rm_trail_by_position RENAME TO rm_trail;
  CREATE UNIQUE INDEX rm_trail_by_region ON rm_trail (program_code, fiscal_year, region_code, position);
  `,
  `
  -- The locator's id was a UNIQUE constraint of the table, which a rebuild cannot leave out: it
  -- inserted a million random keys into that index one by one. As a separate index, a rebuild
  -- appends the rows in log order to a table without it and builds it once, by sorting, at the swap.
  CREATE TABLE rm_disbursement_by_position (
    position             INTEGER PRIMARY KEY,
    disbursement_id      TEXT    NOT NULL,
    program_code         TEXT    NOT NULL,
    fiscal_year          INTEGER NOT NULL,
    region_code          TEXT    NOT NULL,
    kind                 TEXT    NOT NULL,
    amount_fen           INTEGER NOT NULL,
    voucher_no           TEXT    NOT NULL,
    paid_on              TEXT    NOT NULL,
    to_region_code       TEXT,
    to_parent_region_code TEXT,
    beneficiaries        INTEGER,
    after_settlement     INTEGER NOT NULL CHECK (after_settlement IN (0, 1)),
    reversed             INTEGER NOT NULL CHECK (reversed IN (0, 1))
  ) STRICT;
  INSERT INTO rm_disbursement_by_position
    SELECT position, disbursement_id, program_code, fiscal_year, region_code, kind, amount_fen, voucher_no, paid_on,
         to_region_code, to_parent_region_code, beneficiaries, after_settlement, reversed
    FROM rm_disbursement ORDER BY position;
  DROP TABLE rm_disbursement;
  ALTER TABLE rm_disbursement_by_position RENAME TO rm_disbursement;
  CREATE UNIQUE INDEX rm_disbursement_by_id ON rm_disbursement (disbursement_id);
  `,
];

/** The ledger tables, in the order a reset empties them. */
export const sqliteLedgerTables = ledgerTableNames;

export const sqliteSchemaVersion = sqliteMigrations.length;
