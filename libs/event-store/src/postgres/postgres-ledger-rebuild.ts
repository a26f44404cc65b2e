import type { PoolClient } from 'pg';
import type { RecordedEvent } from '../event-store.port';
import type { LedgerAggregates, LedgerDelta, LedgerRebuildTarget } from '../ledger-tables.port';
import { writeLedgerDelta } from './postgres-ledger-tables';
import { eventColumns, toRecordedEvent, type EventRow } from './postgres-rows';
import { postgresLedgerTables } from './postgres-schema';

/** The fresh tables' names: the live name and this. */
const rebuildSuffix = '__rebuild';

const onlyAppended = (delta: LedgerDelta): LedgerDelta => ({ ...delta, programYears: [], regionBalances: [], performanceTargets: [], performanceActuals: [] });

type InTransaction = <T>(work: (client: PoolClient) => Promise<T>) => Promise<T>;

/**
 * A rebuild of the ledger tables on PostgreSQL: fresh tables made LIKE the live ones (columns,
 * keys, indexes), each page's rows committed on their own, and the swap done under the head lock
 * every append takes first, so that no append lands in the old tables after the last look at the log.
 */
export class PostgresLedgerRebuild implements LedgerRebuildTarget {
  private constructor(private readonly inTransaction: InTransaction) {}

  static async begin(inTransaction: InTransaction): Promise<PostgresLedgerRebuild> {
    await inTransaction(async (client) => {
      for (const table of postgresLedgerTables) {
        // Left over by a rebuild that was interrupted.
        await client.query(`DROP TABLE IF EXISTS ${table}${rebuildSuffix}`);
        await client.query(`CREATE TABLE ${table}${rebuildSuffix} (LIKE ${table} INCLUDING ALL)`);
      }
    });
    return new PostgresLedgerRebuild(inTransaction);
  }

  async appendRows(delta: LedgerDelta): Promise<void> {
    await this.inTransaction((client) => writeLedgerDelta(client, onlyAppended(delta), rebuildSuffix));
  }

  async swapIn(
    projectionName: string,
    position: bigint,
    catchUp: (events: readonly RecordedEvent[]) => { readonly delta: LedgerDelta; readonly aggregates: LedgerAggregates },
  ): Promise<bigint> {
    return this.inTransaction(async (client) => {
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
      const reached = late.length > 0 ? late[late.length - 1].position : position;
      await client.query(
        `INSERT INTO rm_checkpoints (projection, position) VALUES ($1, $2)
         ON CONFLICT (projection) DO UPDATE SET position = EXCLUDED.position`,
        [projectionName, reached.toString()],
      );
      return reached;
    });
  }

  async abandon(): Promise<void> {
    await this.inTransaction(async (client) => {
      for (const table of postgresLedgerTables) await client.query(`DROP TABLE IF EXISTS ${table}${rebuildSuffix}`);
    });
  }
}
