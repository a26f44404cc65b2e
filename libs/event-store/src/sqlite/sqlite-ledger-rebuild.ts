import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../event-store.port';
import { disbursementColumns, trailColumns } from '../ledger-rows';
import type { DisbursementRow, LedgerAggregates, LedgerDelta, LedgerRebuildTarget, TrailRow } from '../ledger-tables.port';
import { disbursementValues, SqliteLedgerTables, trailValues } from './sqlite-ledger-tables';
import { sqliteLedgerTables } from './sqlite-schema';

/** The fresh tables' names: the live name and this. */
const rebuildSuffix = '__rebuild';
/**
 * Disbursements and reversal marks wait here, in the connection's temporary database (no WAL, no
 * fsync, gone with the connection), until the log has been read: see `moveStagedDisbursements`.
 */
const stagedDisbursements = 'temp.rm_disbursement__staged';
const stagedReversals = 'temp.rm_disbursement__reversed';
/**
 * The page cache while the staged disbursements move in: enough for the id index of about two
 * million disbursements (some 70 bytes each in its pages), so that its pages are written once
 * (the table's own pages, appended in order, spill as they fill). Back to the store's own size
 * afterwards; pages are only held as they are used.
 */
const moveCacheKiB = 128 * 1024;

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
 * ones' own definitions (sqlite_master), so that they cannot drift from the migrations; each page's
 * rows commit in a short transaction of their own, so that appends and reads go on meanwhile.
 *
 * The disbursement locator is the exception: its id index has random keys, so a page of them
 * touches nearly every page of the index, and each commit would write the whole index again
 * (a rebuild slowed with the square of the log). Its rows are staged instead and moved in once,
 * in log order, after the last page.
 */
export class SqliteLedgerRebuild implements LedgerRebuildTarget {
  private readonly fresh: SqliteLedgerTables;
  private readonly insertTrail: BulkInsert<TrailRow>;
  private readonly stageDisbursements: BulkInsert<DisbursementRow>;
  private readonly stageReversal: Database.Statement;
  private staged = true;

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
        const definition = definitionOf.get(table);
        if (definition === undefined) throw new Error(`no table ${table} to rebuild`);
        // A table renamed into place by an earlier rebuild is defined with its name quoted.
        const named = new RegExp(`^CREATE TABLE (?:"${table}"|${table}\\b)`);
        if (!named.test(definition)) throw new Error(`cannot read the definition of ${table}`);
        db.exec(definition.replace(named, `CREATE TABLE ${table}${rebuildSuffix}`));
      }
    }).immediate();
    db.exec(`DROP TABLE IF EXISTS ${stagedDisbursements}; DROP TABLE IF EXISTS ${stagedReversals};`);
    // Keyed by position alone (the rowid: read back in log order without a sort); the locator's
    // own constraints are checked once the rows move in.
    db.exec(`CREATE TABLE ${stagedDisbursements} (${disbursementColumns.replace(/^position\b/, 'position INTEGER PRIMARY KEY')})`);
    db.exec(`CREATE TABLE ${stagedReversals} (disbursement_id TEXT NOT NULL)`);
    // As the live tables are written: a row already there is kept as it was.
    this.insertTrail = new BulkInsert(db, 'INSERT OR IGNORE', `rm_trail${rebuildSuffix}`, trailColumns, columnCount(trailColumns), trailValues);
    this.stageDisbursements = new BulkInsert(db, 'INSERT', stagedDisbursements, disbursementColumns, columnCount(disbursementColumns), disbursementValues);
    this.stageReversal = db.prepare(`INSERT INTO ${stagedReversals} (disbursement_id) VALUES (?)`);
    this.fresh = new SqliteLedgerTables(db, rebuildSuffix);
  }

  async appendRows(delta: LedgerDelta): Promise<void> {
    if (!this.staged) throw new Error('the staged disbursements have moved in already');
    this.db
      .transaction(() => {
        // Documents and refusals, which are few, as the live tables are written.
        this.fresh.write({ ...onlyAppended(delta), trail: [], disbursements: [], reversedDisbursementIds: [] });
        this.insertTrail.run(delta.trail);
        this.stageDisbursements.run(delta.disbursements);
        for (const id of delta.reversedDisbursementIds) this.stageReversal.run(id);
      })
      .immediate();
  }

  async swapIn(
    projectionName: string,
    position: bigint,
    catchUp: (events: readonly RecordedEvent[]) => { readonly delta: LedgerDelta; readonly aggregates: LedgerAggregates },
  ): Promise<bigint> {
    this.moveStagedDisbursements();
    const db = this.db;
    return db
      .transaction(() => {
        const late = this.eventsAfter(position);
        const { delta, aggregates } = catchUp(late);
        this.fresh.write({ ...onlyAppended(delta), ...aggregates });
        const indexes = db
          .prepare<string[], string>(
            `SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${sqliteLedgerTables.map(() => '?').join(', ')})`,
          )
          .pluck()
          .all(...sqliteLedgerTables);
        for (const table of sqliteLedgerTables) {
          db.exec(`DROP TABLE ${table}`);
          db.exec(`ALTER TABLE ${table}${rebuildSuffix} RENAME TO ${table}`);
        }
        for (const index of indexes) db.exec(index);
        const reached = late.length > 0 ? late[late.length - 1]!.position : position;
        this.setCheckpoint(projectionName, reached);
        return reached;
      })
      .immediate();
  }

  async abandon(): Promise<void> {
    this.dropStaged();
    this.db.transaction(() => {
      for (const table of sqliteLedgerTables) this.db.exec(`DROP TABLE IF EXISTS ${table}${rebuildSuffix}`);
    }).immediate();
  }

  /**
   * The staged disbursements into the fresh locator in one transaction, in log order (the table's
   * own order, so that only the id index takes them out of order, in the page cache), then the
   * reversals marked. Replayed rows are ignored as the live writes ignore them. Later events
   * (the swap's catch-up) are written to the locator directly.
   */
  private moveStagedDisbursements(): void {
    if (!this.staged) return;
    const db = this.db;
    const cacheSize = db.pragma('cache_size', { simple: true }) as number | bigint;
    db.pragma(`cache_size = -${moveCacheKiB}`);
    try {
      db.transaction(() => {
        db.exec(
          `INSERT OR IGNORE INTO rm_disbursement${rebuildSuffix} (${disbursementColumns})
           SELECT ${disbursementColumns} FROM ${stagedDisbursements} ORDER BY position`,
        );
        db.exec(
          `UPDATE rm_disbursement${rebuildSuffix} SET reversed = 1
           WHERE disbursement_id IN (SELECT disbursement_id FROM ${stagedReversals})`,
        );
      }).immediate();
    } finally {
      db.pragma(`cache_size = ${cacheSize}`);
    }
    this.dropStaged();
  }

  private dropStaged(): void {
    this.staged = false;
    this.db.exec(`DROP TABLE IF EXISTS ${stagedDisbursements}; DROP TABLE IF EXISTS ${stagedReversals};`);
  }
}
