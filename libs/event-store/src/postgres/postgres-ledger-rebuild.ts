import type { PoolClient } from 'pg';
import type { RecordedEvent } from '../event-store.port';
import type { LedgerAggregates, LedgerDelta, LedgerRebuildTarget } from '../ledger-tables.port';
import { writeLedgerDelta } from './postgres-ledger-tables';
import { eventColumns, toRecordedEvent, type EventRow } from './postgres-rows';
import { postgresLedgerTables } from './postgres-schema';

/** The fresh tables' names: the live name and this. */
const rebuildSuffix = '__rebuild';

const onlyAppended = (delta: LedgerDelta): LedgerDelta => ({ ...delta, programYears: [], regionBalances: [], performanceTargets: [], performanceActuals: [] });

/** maintenance_work_mem of the transaction that builds the fresh tables' indexes (server memory, not this process's). */
const indexBuildMemoryMiB = 256;

type InTransaction = <T>(work: (client: PoolClient) => Promise<T>) => Promise<T>;

/** Disbursements reversed while the log streams, marked once the fresh locator has its id index. */
const stagedReversals = `rm_disbursement${rebuildSuffix}_reversed`;

/**
 * A rebuild of the ledger tables on PostgreSQL: fresh tables made LIKE the live ones, each page's
 * rows committed on their own, and the swap done under the head lock every append takes first, so
 * that no append lands in the old tables after the last look at the log.
 *
 * The fresh tables take the live ones' columns and checks but no index while the log streams in:
 * the locator's id index has random keys, and kept up row by row it would dirty a page of itself
 * per row (and write each page whole to the WAL after every checkpoint). The keys and indexes are
 * built afterwards, each by one sort, before the swap; the reversals are marked then.
 */
export class PostgresLedgerRebuild implements LedgerRebuildTarget {
  private constructor(private readonly inTransaction: InTransaction) {}

  static async begin(inTransaction: InTransaction): Promise<PostgresLedgerRebuild> {
    await inTransaction(async (client) => {
      // Left over by a rebuild that was interrupted.
      await client.query(`DROP TABLE IF EXISTS ${stagedReversals}`);
      for (const table of postgresLedgerTables) {
        await client.query(`DROP TABLE IF EXISTS ${table}${rebuildSuffix}`);
        await client.query(`CREATE TABLE ${table}${rebuildSuffix} (LIKE ${table} INCLUDING ALL EXCLUDING INDEXES)`);
      }
      // Unlogged: it matters only to this rebuild, which starts again from zero after a crash.
      await client.query(`CREATE UNLOGGED TABLE ${stagedReversals} (disbursement_id TEXT COLLATE "C" NOT NULL)`);
    });
    return new PostgresLedgerRebuild(inTransaction);
  }

  async appendRows(delta: LedgerDelta): Promise<void> {
    await this.inTransaction((client) => writeLedgerDelta(client, onlyAppended(delta), rebuildSuffix, stagedReversals));
  }

  /**
   * The live tables' keys and indexes built on the fresh ones, then the staged reversals marked.
   * Outside the head lock: appends go on meanwhile, and the swap's catch-up writes through them.
   */
  private async indexFreshTables(): Promise<void> {
    await this.inTransaction(async (client) => {
      // Per index build: a sort of a few million rows in memory rather than in temporary files.
      await client.query(`SET LOCAL maintenance_work_mem = '${indexBuildMemoryMiB}MB'`);
      const { rows } = await client.query<{ table_name: string; constraint_def: string | null; index_def: string }>(
        `SELECT t.relname AS table_name, pg_get_constraintdef(c.oid) AS constraint_def, pg_get_indexdef(i.indexrelid) AS index_def
         FROM pg_index i
         JOIN pg_class t ON t.oid = i.indrelid
         LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
         WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY($1::text[])
         ORDER BY t.relname, i.indexrelid`,
        [postgresLedgerTables],
      );
      for (const row of rows) {
        const fresh = `${row.table_name}${rebuildSuffix}`;
        if (row.constraint_def !== null) {
          await client.query(`ALTER TABLE ${fresh} ADD ${row.constraint_def}`);
        } else {
          // `CREATE [UNIQUE] INDEX name ON [ONLY] schema.table USING ...`, unnamed here as LIKE names them.
          const using = /^CREATE (UNIQUE )?INDEX \S+ ON (?:ONLY )?\S+ (USING .*)$/.exec(row.index_def);
          if (using === null) throw new Error(`cannot read the index ${row.index_def}`);
          await client.query(`CREATE ${using[1] ?? ''}INDEX ON ${fresh} ${using[2]}`);
        }
      }
      await client.query(
        `UPDATE rm_disbursement${rebuildSuffix} SET reversed = TRUE
         WHERE disbursement_id IN (SELECT disbursement_id FROM ${stagedReversals})`,
      );
      await client.query(`DROP TABLE ${stagedReversals}`);
    });
  }

  async swapIn(
    projectionName: string,
    position: bigint,
    catchUp: (events: readonly RecordedEvent[]) => { readonly delta: LedgerDelta; readonly aggregates: LedgerAggregates },
  ): Promise<bigint> {
    await this.indexFreshTables();
    const reached = await this.inTransaction(async (client) => {
      // The lock every append takes first, then the checkpoint's, in the appends' order.
      await client.query('SELECT position FROM event_log_head FOR UPDATE');
      await client.query('SELECT position FROM rm_checkpoints WHERE projection = $1 FOR UPDATE', [projectionName]);
      const { rows } = await client.query<EventRow>(`SELECT ${eventColumns} FROM events WHERE position > $1 ORDER BY position`, [
        position.toString(),
      ]);
      const late = rows.map(toRecordedEvent);
      const { delta, aggregates } = catchUp(late);
      await writeLedgerDelta(client, { ...onlyAppended(delta), ...aggregates }, rebuildSuffix);
      for (const table of postgresLedgerTables) {
        await client.query(`DROP TABLE ${table}`);
        await client.query(`ALTER TABLE ${table}${rebuildSuffix} RENAME TO ${table}`);
      }
      const last = late.length > 0 ? late[late.length - 1].position : position;
      await client.query(
        `INSERT INTO rm_checkpoints (projection, position) VALUES ($1, $2)
         ON CONFLICT (projection) DO UPDATE SET position = EXCLUDED.position`,
        [projectionName, last.toString()],
      );
      return last;
    });
    await this.analyzeSwappedTables();
    return reached;
  }

  /**
   * Tables made by a rebuild have no statistics until autovacuum gets to them, which a server may
   * not run: the planner then guesses their sizes. PostgreSQL's advice after a bulk load is to
   * ANALYZE (a sample of some 30,000 rows a table, whatever its size). The swap has committed: a
   * failure here leaves the tables as sound as autovacuum would find them, and is not the rebuild's.
   */
  private async analyzeSwappedTables(): Promise<void> {
    try {
      await this.inTransaction((client) => client.query(`ANALYZE ${postgresLedgerTables.join(', ')}`));
    } catch {
      return;
    }
  }

  async abandon(): Promise<void> {
    await this.inTransaction(async (client) => {
      await client.query(`DROP TABLE IF EXISTS ${stagedReversals}`);
      for (const table of postgresLedgerTables) await client.query(`DROP TABLE IF EXISTS ${table}${rebuildSuffix}`);
    });
  }
}
