import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore, sqliteMigrations } from '@earmark/event-store/sqlite';
import { createLedgerProjection, InMemoryLedgerTables } from '../../src';
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

/**
 * A file of schema version 2 kept the trail clustered by region; version 3 appends it in log order
 * with an index by region. The rows move as they are: the checkpoint is kept and nothing is folded
 * again, so a trail row that differs from the log's fold (the sentinel below) stays as it was.
 */
describe('a SQLite file of schema version 2', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'earmark-upgrade-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const programCode = 'sc-pension-contribution-subsidy';
  const fiscalYear = 2024;

  it('keeps every trail row, pages it by region as before, and takes new rows after it', async () => {
    const file = join(dir, 'earmark.sqlite');
    const history = ledgerScenario((log) => {
      log.payment('510100', '10.00', 1, '2024-07-01');
      log.payment('510100', '20.00', 2, '2024-07-02');
    }).events;
    const [before, after] = [history.slice(0, -1), history.slice(-1)];
    const folded = new InMemoryLedgerTables();
    folded.apply(before);
    const regions = (await folded.regionBalances(programCode, fiscalYear)).map((row) => row.regionCode);
    expect(regions).toHaveLength(4);

    const db = new Database(file);
    db.exec(sqliteMigrations[0]!);
    db.exec(sqliteMigrations[1]!);
    db.pragma('user_version = 2');
    const insertEvent = db.prepare(
      `INSERT INTO events (position, id, stream_name, stream_version, type, data, metadata, recorded_at, hash, previous_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const e of before) {
      insertEvent.run(e.position, e.id, e.streamName, e.streamVersion, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), e.recordedAt, e.hash, e.previousHash);
    }
    const insertTrail = db.prepare(
      `INSERT INTO rm_trail (program_code, fiscal_year, region_code, position, recorded_at, effective_on, type, amount_fen,
         available_after_fen, reference, actor, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const trailOf = (store: { trailPage: InMemoryLedgerTables['trailPage'] }, region: string) =>
      store.trailPage(programCode, fiscalYear, region, { after: 0n, limit: 1_000 });
    const expected: Record<string, Awaited<ReturnType<typeof trailOf>>> = {};
    for (const region of regions) {
      expected[region] = (await trailOf(folded, region)).map((t) => (t.position === 1n ? { ...t, reference: 'kept as written' } : t));
      for (const t of expected[region]!) {
        insertTrail.run(t.programCode, t.fiscalYear, t.regionCode, t.position, t.recordedAt, t.effectiveOn, t.type, t.amountFen,
          t.availableAfterFen, t.reference, t.actor, t.hash);
      }
    }
    db.prepare(`INSERT INTO rm_checkpoints (name, position) VALUES ('ledger', ?)`).run(before[before.length - 1]!.position);
    db.close();

    const store = new SqliteEventStore({ file, projections: [createLedgerProjection()] });
    await store.init();
    try {
      expect(store.durabilitySettings().schemaVersion).toBe(3);
      for (const region of regions) expect(await trailOf(store, region)).toEqual(expected[region]);
      expect(Object.values(expected).flat().filter((t) => t.reference === 'kept as written').length).toBeGreaterThan(0);

      // The next append lands after the moved rows, and the unique index still refuses a repeat.
      await store.append({
        streams: after.map((e) => ({ streamName: e.streamName, expectedVersion: e.streamVersion - 1n, events: [{ id: e.id, type: e.type, data: e.data, metadata: e.metadata }] })),
      });
      const page = await trailOf(store, '510100');
      expect(page.slice(0, -1)).toEqual(expected['510100']);
      expect(page[page.length - 1]).toMatchObject({ position: after[0]!.position, type: 'beneficiary-payment', amountFen: -2_000n });
      const raw = new Database(file, { readonly: true });
      try {
        expect(raw.prepare(`SELECT sql FROM sqlite_master WHERE name = 'rm_trail_by_region'`).pluck().get()).toBe(
          'CREATE UNIQUE INDEX rm_trail_by_region ON rm_trail (program_code, fiscal_year, region_code, position)',
        );
      } finally {
        raw.close();
      }
    } finally {
      await store.close();
    }
  });
});
