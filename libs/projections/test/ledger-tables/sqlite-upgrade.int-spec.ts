import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore, sqliteMigrations } from '@earmark/event-store/sqlite';
import { createLedgerProjection } from '../../src';
import { expectUpgradedFrom, ledgerScenario } from './ledger-scenario';

/**
 * A file written by the release that kept the ledger as JSON documents (schema version 1) opens:
 * the old documents and their checkpoint go, and init folds the log into the typed tables.
 */
describe('a SQLite file of schema version 1', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'earmark-upgrade-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function writeVersion1File(file: string): void {
    const db = new Database(file);
    db.exec(sqliteMigrations[0]!);
    db.pragma('user_version = 1');
    const insert = db.prepare(
      `INSERT INTO events (position, id, stream_name, stream_version, type, data, metadata, recorded_at, hash, previous_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const e of ledgerScenario().events) {
      insert.run(e.position, e.id, e.streamName, e.streamVersion, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), e.recordedAt, e.hash, e.previousHash);
    }
    db.prepare(`INSERT INTO rm_docs (collection, id, partition, projection, doc) VALUES ('program-year', 'x/2024', 'program-years', 'ledger', '{}')`).run();
    db.prepare(`INSERT INTO rm_docs (collection, id, partition, projection, doc) VALUES ('other', 'kept', 'p', 'other', '{}')`).run();
    db.prepare(`INSERT INTO rm_checkpoints (name, position) VALUES ('ledger', 9), ('other', 9)`).run();
    db.close();
  }

  it('opens with the ledger tables folded from the log and the old ledger documents gone', async () => {
    const file = join(dir, 'earmark.sqlite');
    writeVersion1File(file);
    const store = new SqliteEventStore({ file, projections: [createLedgerProjection()] });
    await store.init();
    try {
      expect(store.durabilitySettings().schemaVersion).toBe(sqliteMigrations.length);
      expect(await store.checkpoint('ledger')).toBe(9n);
      await expectUpgradedFrom(ledgerScenario().events, store);
    } finally {
      await store.close();
    }
  });
});
