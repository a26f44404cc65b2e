import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../event-store.port';
import { disbursementColumns, trailColumns } from '../ledger-rows';
import type { DisbursementRow, LedgerAggregates, LedgerDelta, LedgerRebuildTarget, TrailRow } from '../ledger-tables.port';
import { disbursementValues, SqliteLedgerTables, trailValues } from './sqlite-ledger-tables';
import { asStoreError } from './sqlite-rows';
import { sqliteLedgerTables } from './sqlite-schema';

/** The fresh tables' names: the live name and this. */
const rebuildSuffix = '__rebuild';
/** The replaced tables' names between the swap and their drop. */
const retiredSuffix = '__retired';
/**
 * An index cannot be renamed, and the fresh tables' indexes are built while the live ones still
 * hold theirs: each rebuild's indexes take the name the live index does not have, the schema's
 * name or the schema's name with this.
 */
const alternateIndexSuffix = '__b';
/**
 * Reversal marks wait here, in the connection's temporary database (no WAL, no fsync, gone with the
 * connection), until the locator's id index has been built at the swap.
 */
const stagedReversals = 'temp.rm_disbursement__reversed';

/**
 * Rows per INSERT statement of a streamed page: one statement binding sixteen rows costs less than
 * half of sixteen statements binding one (fewer calls into the driver, one parse of the plan).
 */
const rowsPerInsert = 16;

/** A page's rows into one table, `rowsPerInsert` rows per statement and the rest one by one. */
class BulkInsert<T> {
  private readonly many: Database.Statement;
  private readonly one: Database.Statement;
  private readonly values: unknown[];

  constructor(
    db: Database.Database,
    verb: string,
    table: string,
    columns: string,
    private readonly width: number,
    private readonly valuesOf: (row: T) => unknown[],
  ) {
    const tuple = `(${Array.from({ length: width }, () => '?').join(', ')})`;
    this.many = db.prepare(`${verb} INTO ${table} (${columns}) VALUES ${Array.from({ length: rowsPerInsert }, () => tuple).join(', ')}`);
    this.one = db.prepare(`${verb} INTO ${table} (${columns}) VALUES ${tuple}`);
    this.values = new Array<unknown>(width * rowsPerInsert);
  }

  run(rows: readonly T[]): void {
    let next = 0;
    for (; next + rowsPerInsert <= rows.length; next += rowsPerInsert) {
      for (let i = 0; i < rowsPerInsert; i += 1) {
        const row = this.valuesOf(rows[next + i]!);
        for (let column = 0; column < this.width; column += 1) this.values[i * this.width + column] = row[column];
      }
      this.many.run(this.values);
    }
    for (; next < rows.length; next += 1) this.one.run(this.valuesOf(rows[next]!));
  }
}

const columnCount = (columns: string): number => columns.split(',').length;

const onlyAppended = (delta: LedgerDelta): LedgerDelta => ({ ...delta, programYears: [], regionBalances: [], performanceTargets: [], performanceActuals: [] });

/**
 * A rebuild of the ledger tables in one SQLite file. The fresh tables are created from the live
 * ones' own definitions (sqlite_master), so that they cannot drift from the migrations, and without
 * their indexes: each page's rows append in log order, in a short transaction of its own so that
 * appends and reads go on meanwhile, and the indexes are built once, by sorting, at the end.
 * (Built row by row, the locator's index of random ids would touch nearly every one of its pages
 * with each page of the log.)
 *
 * The end holds the store's write lock in short steps, each its own transaction, so that appends
 * wait for one step at a time (within the busy timeout), never for the whole: each index of the
 * fresh tables, the reversals marked, then the swap itself (the events appended meanwhile, and two
 * renames per table), then each replaced table dropped.
 */
export class SqliteLedgerRebuild implements LedgerRebuildTarget {
  private readonly fresh: SqliteLedgerTables;
  private readonly insertTrail: BulkInsert<TrailRow>;
  private readonly insertDisbursements: BulkInsert<DisbursementRow>;
  private readonly stageReversal: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly eventsAfter: (position: bigint) => RecordedEvent[],
    private readonly setCheckpoint: (projectionName: string, position: bigint) => void,
  ) {
    const definitionOf = db.prepare<[string], string>(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`).pluck();
    db.transaction(() => {
      for (const table of sqliteLedgerTables) {
        // Left over by a rebuild that was interrupted.
        db.exec(`DROP TABLE IF EXISTS ${table}${rebuildSuffix}`);
        db.exec(`DROP TABLE IF EXISTS ${table}${retiredSuffix}`);
        const definition = definitionOf.get(table);
        if (definition === undefined) throw new Error(`no table ${table} to rebuild`);
        // A table renamed into place by an earlier rebuild or a migration is defined with its name quoted.
        const named = new RegExp(`^CREATE TABLE (?:"${table}"|${table}\\b)`);
        if (!named.test(definition)) throw new Error(`cannot read the definition of ${table}`);
        if (/\bUNIQUE\b/i.test(definition)) throw new Error(`${table} keeps a constraint a rebuild would check row by row: make it an index`);
        db.exec(definition.replace(named, `CREATE TABLE ${table}${rebuildSuffix}`));
      }
    }).immediate();
    db.exec(`DROP TABLE IF EXISTS ${stagedReversals}`);
    db.exec(`CREATE TABLE ${stagedReversals} (disbursement_id TEXT NOT NULL)`);
    // Without their indexes there is nothing for OR IGNORE to find: a key the live tables would have
    // met twice (a log no command wrote, a disbursement id in two funds) fails the unique index's
    // build at the swap, the rebuild is abandoned and the live tables stay, as on PostgreSQL.
    this.insertTrail = new BulkInsert(db, 'INSERT', `rm_trail${rebuildSuffix}`, trailColumns, columnCount(trailColumns), trailValues);
    this.insertDisbursements = new BulkInsert(
      db,
      'INSERT',
      `rm_disbursement${rebuildSuffix}`,
      disbursementColumns,
      columnCount(disbursementColumns),
      disbursementValues,
    );
    this.stageReversal = db.prepare(`INSERT INTO ${stagedReversals} (disbursement_id) VALUES (?)`);
    this.fresh = new SqliteLedgerTables(db, rebuildSuffix);
  }

  async appendRows(delta: LedgerDelta): Promise<void> {
    try {
      this.db
        .transaction(() => {
          // Documents and refusals, which are few, as the live tables are written.
          this.fresh.write({ ...onlyAppended(delta), trail: [], disbursements: [], reversedDisbursementIds: [] });
          this.insertTrail.run(delta.trail);
          this.insertDisbursements.run(delta.disbursements);
          for (const id of delta.reversedDisbursementIds) this.stageReversal.run(id);
        })
        .immediate();
    } catch (error: unknown) {
      throw asStoreError(error);
    }
  }

  /**
   * The fresh tables' indexes, each built under the write lock in a transaction of its own, and the
   * staged reversals marked; then, in one transaction, the events appended meanwhile folded, each
   * live table renamed aside and its fresh one into place, the late events' rows and the aggregates
   * written as the live tables are written, and the checkpoint set; then the replaced tables
   * dropped, one transaction each. Readers see the live tables until the swap commits, the fresh
   * ones from then on.
   */
  async swapIn(
    projectionName: string,
    position: bigint,
    catchUp: (events: readonly RecordedEvent[]) => { readonly delta: LedgerDelta; readonly aggregates: LedgerAggregates },
  ): Promise<bigint> {
    const db = this.db;
    try {
      for (const index of this.freshIndexes()) db.transaction(() => db.exec(index)).immediate();
      db.transaction(() =>
        db.exec(`UPDATE rm_disbursement${rebuildSuffix} SET reversed = 1 WHERE disbursement_id IN (SELECT disbursement_id FROM ${stagedReversals})`),
      ).immediate();
      const reached = db
        .transaction(() => {
          const late = this.eventsAfter(position);
          const { delta, aggregates } = catchUp(late);
          for (const table of sqliteLedgerTables) {
            db.exec(`ALTER TABLE ${table} RENAME TO ${table}${retiredSuffix}`);
            db.exec(`ALTER TABLE ${table}${rebuildSuffix} RENAME TO ${table}`);
          }
          new SqliteLedgerTables(db).write({ ...delta, ...aggregates });
          const last = late.length > 0 ? late[late.length - 1]!.position : position;
          this.setCheckpoint(projectionName, last);
          return last;
        })
        .immediate();
      // The swap has committed: a replaced table that cannot be dropped now (the lock not had within
      // the busy timeout) only takes room until the next rebuild, which drops it first.
      for (const table of sqliteLedgerTables) {
        try {
          db.transaction(() => db.exec(`DROP TABLE ${table}${retiredSuffix}`)).immediate();
        } catch {
          continue;
        }
      }
      return reached;
    } catch (error: unknown) {
      throw asStoreError(error);
    } finally {
      this.dropStaged();
    }
  }

  /**
   * The live tables' indexes as the fresh tables' (sqlite_master's text, the table and the name
   * changed), each under the name the live index does not have.
   */
  private freshIndexes(): string[] {
    const live = this.db
      .prepare<string[], { name: string; table: string; sql: string }>(
        `SELECT name, tbl_name AS "table", sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${sqliteLedgerTables.map(() => '?').join(', ')})`,
      )
      .all(...sqliteLedgerTables);
    return live.map(({ name, table, sql }) => {
      const created = new RegExp(`^CREATE (UNIQUE )?INDEX (?:"${name}"|${name}) ON (?:"${table}"|${table}) ?\\(`);
      if (!created.test(sql)) throw new Error(`cannot read the definition of index ${name}`);
      const freshName = name.endsWith(alternateIndexSuffix) ? name.slice(0, -alternateIndexSuffix.length) : `${name}${alternateIndexSuffix}`;
      return sql.replace(created, (_whole, unique: string | undefined) => `CREATE ${unique ?? ''}INDEX ${freshName} ON ${table}${rebuildSuffix} (`);
    });
  }

  async abandon(): Promise<void> {
    this.dropStaged();
    this.db.transaction(() => {
      for (const table of sqliteLedgerTables) this.db.exec(`DROP TABLE IF EXISTS ${table}${rebuildSuffix}`);
    }).immediate();
  }

  private dropStaged(): void {
    this.db.exec(`DROP TABLE IF EXISTS ${stagedReversals}`);
  }
}
