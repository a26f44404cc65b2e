import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresEventStore } from '@earmark/event-store/postgres';
import { SqliteEventStore } from '@earmark/event-store/sqlite';
import { createTestDatabase } from '../../../event-store/test/support/postgres-test-db';
import { InMemoryLedgerTables } from '../../src';
import { describeLedgerReadModels } from './ledger-read-models.contract';

describeLedgerReadModels('SQLite file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'earmark-ledger-tables-'));
  const store = new SqliteEventStore({ file: join(dir, 'ledger.sqlite') });
  await store.init();
  return {
    readModels: store,
    applyProjectionBatch: (projection, events) => store.applyProjectionBatch(projection, events),
    resetProjections: (projections) => store.resetProjections(projections),
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describeLedgerReadModels('PostgreSQL', async () => {
  const database = await createTestDatabase();
  const store = new PostgresEventStore({ connectionString: database.url });
  await store.init();
  return {
    readModels: store,
    applyProjectionBatch: (projection, events) => store.applyProjectionBatch(projection, events),
    resetProjections: (projections) => store.resetProjections(projections),
    close: async () => {
      await store.close();
      await database.drop();
    },
  };
});

describeLedgerReadModels('memory', async () => {
  const tables = new InMemoryLedgerTables();
  return {
    readModels: tables,
    applyProjectionBatch: (projection, events) => tables.applyProjectionBatch(projection, events),
    resetProjections: (projections) => tables.resetProjections(projections),
    close: async () => undefined,
  };
});
