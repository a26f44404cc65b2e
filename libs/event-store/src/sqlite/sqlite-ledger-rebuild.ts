import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../event-store.port';
import type { LedgerAggregates, LedgerDelta, LedgerRebuildTarget } from '../ledger-tables.port';
import { SqliteLedgerTables } from './sqlite-ledger-tables';
import { sqliteLedgerTables } from './sqlite-schema';

/** The fresh tables' names: the live name and this. */
const rebuildSuffix = '__rebuild';

const onlyAppended = (delta: LedgerDelta): LedgerDelta => ({ ...delta, programYears: [], regionBalances: [], performanceTargets: [], performanceActuals: [] });

/**
 * A rebuild of the ledger tables in one SQLite file. The fresh tables are created from the live
 * ones' own definitions (sqlite_master), so that they cannot drift from the migrations; each page's
 * rows commit in a short transaction of their own, so that appends and reads go on meanwhile.
 */
export class SqliteLedgerRebuild implements LedgerRebuildTarget {
  private readonly fresh: SqliteLedgerTables;

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
        // SQLite writes a renamed table's name quoted: after a swap the definition reads `CREATE TABLE "rm_trail"`.
        const renamed = definition.replace(new RegExp(`^CREATE TABLE "?${table}"?(?=[\\s(])`), `CREATE TABLE ${table}${rebuildSuffix}`);
        if (renamed === definition) throw new Error(`unexpected definition of ${table}: ${definition.slice(0, 60)}`);
        db.exec(renamed);
      }
    }).immediate();
    this.fresh = new SqliteLedgerTables(db, rebuildSuffix);
  }

  async appendRows(delta: LedgerDelta): Promise<void> {
    this.db.transaction(() => this.fresh.write(onlyAppended(delta))).immediate();
  }

  async swapIn(
    projectionName: string,
    position: bigint,
    catchUp: (events: readonly RecordedEvent[]) => { readonly delta: LedgerDelta; readonly aggregates: LedgerAggregates },
  ): Promise<bigint> {
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
    this.db.transaction(() => {
      for (const table of sqliteLedgerTables) this.db.exec(`DROP TABLE IF EXISTS ${table}${rebuildSuffix}`);
    }).immediate();
  }
}
