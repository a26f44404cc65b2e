import { Client } from 'pg';
import { PostgresEventStore, postgresMigrations } from '@earmark/event-store/postgres';
import { createTestDatabase } from '../../../event-store/test/support/postgres-test-db';
import { createLedgerProjection } from '../../src';
import { expectUpgradedFrom, ledgerScenario } from './ledger-scenario';

/**
 * A database migrated by the release that kept the ledger as JSON documents (migration 1 only)
 * opens: the old documents and their checkpoint go, and init folds the log into the typed tables.
 */
describe('a PostgreSQL database of schema version 1', () => {
  it('opens with the ledger tables folded from the log and the old ledger documents gone', async () => {
    const database = await createTestDatabase();
    const raw = new Client({ connectionString: database.url });
    await raw.connect();
    let store: PostgresEventStore | null = null;
    try {
      await raw.query(postgresMigrations[0]!.sql);
      await raw.query('CREATE TABLE earmark_schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
      await raw.query('INSERT INTO earmark_schema_migrations (version, name) VALUES (1, $1)', [postgresMigrations[0]!.name]);
      const events = ledgerScenario().events;
      for (const e of events) {
        await raw.query(
          `INSERT INTO events (position, id, stream_name, stream_version, type, data, metadata, recorded_at, hash, previous_hash)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [e.position.toString(), e.id, e.streamName, e.streamVersion.toString(), e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), e.recordedAt, e.hash, e.previousHash],
        );
      }
      await raw.query('UPDATE event_log_head SET position = $1, hash = $2', ['9', events[8]!.hash]);
      await raw.query(`INSERT INTO rm_docs (collection, id, partition, doc, projection) VALUES ('program-year', 'x/2024', 'program-years', '{}', 'ledger'), ('other', 'kept', 'p', '{}', 'other')`);
      await raw.query(`INSERT INTO rm_checkpoints (projection, position) VALUES ('ledger', 9), ('other', 9)`);

      store = new PostgresEventStore({ connectionString: database.url, projections: [createLedgerProjection()] });
      await store.init();

      const versions = await raw.query<{ version: number }>('SELECT version FROM earmark_schema_migrations ORDER BY version');
      expect(versions.rows.map((row) => row.version)).toEqual([1, 2]);
      expect(await store.checkpoint('ledger')).toBe(9n);
      await expectUpgradedFrom(events, store);
    } finally {
      await store?.close();
      await raw.end();
      await database.drop();
    }
  });
});
