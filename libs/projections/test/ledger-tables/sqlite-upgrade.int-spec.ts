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
      expect(store.durabilitySettings().schemaVersion).toBe(sqliteMigrations.length);
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

/**
 * A file of schema version 3 kept the disbursement locator's id as a UNIQUE constraint of its table;
 * version 4 makes it an index of its own (which a rebuild builds once, by sorting). The rows move as
 * they are, the checkpoint is kept, and the id still finds one row and refuses a second.
 */
describe('a SQLite file of schema version 3', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'earmark-upgrade-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every locator row, finds each by its id, and takes new rows after them', async () => {
    const file = join(dir, 'earmark.sqlite');
    const scenario = ledgerScenario((log) => log.payment('510100', '10.00', 1, '2024-07-01'));
    const history = scenario.events;
    const [before, after] = [history.slice(0, -1), history.slice(-1)];
    const folded = new InMemoryLedgerTables();
    folded.apply(before);
    const ids = before.filter((e) => e.type === 'DisbursementRecorded').map((e) => String(e.data['disbursementId']));
    // The pass-down first, then the two payments.
    expect(ids).toEqual(['d-1', scenario.keptId, scenario.reversedId]);

    const db = new Database(file);
    for (const migration of sqliteMigrations.slice(0, 3)) db.exec(migration);
    db.pragma('user_version = 3');
    expect(db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'rm_disbursement'`).pluck().get()).toMatch(/disbursement_id\s+TEXT\s+NOT NULL UNIQUE/);
    const insertEvent = db.prepare(
      `INSERT INTO events (position, id, stream_name, stream_version, type, data, metadata, recorded_at, hash, previous_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const e of before) {
      insertEvent.run(e.position, e.id, e.streamName, e.streamVersion, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), e.recordedAt, e.hash, e.previousHash);
    }
    const insertDisbursement = db.prepare(
      `INSERT INTO rm_disbursement (position, disbursement_id, program_code, fiscal_year, region_code, kind, amount_fen, voucher_no, paid_on,
         to_region_code, to_parent_region_code, beneficiaries, after_settlement, reversed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const expected = [];
    for (const id of ids) {
      const row = (await folded.disbursement(id))!;
      // A sentinel the fold would not write: the migration moves rows, it does not fold them again.
      const kept = id === scenario.keptId ? { ...row, voucherNo: 'kept as written' } : row;
      expected.push(kept);
      insertDisbursement.run(kept.position, kept.disbursementId, kept.programCode, kept.fiscalYear, kept.regionCode, kept.kind, kept.amountFen,
        kept.voucherNo, kept.paidOn, kept.toRegionCode, kept.toParentRegionCode, kept.beneficiaries, kept.afterSettlement ? 1 : 0, kept.reversed ? 1 : 0);
    }
    expect(expected.map((row) => row.reversed)).toEqual([false, false, true]);
    db.prepare(`INSERT INTO rm_checkpoints (name, position) VALUES ('ledger', ?)`).run(before[before.length - 1]!.position);
    db.close();

    const store = new SqliteEventStore({ file, projections: [createLedgerProjection()] });
    await store.init();
    try {
      expect(store.durabilitySettings().schemaVersion).toBe(4);
      expect(await store.checkpoint('ledger')).toBe(before[before.length - 1]!.position);
      for (const row of expected) expect(await store.disbursement(row.disbursementId)).toEqual(row);

      await store.append({
        streams: after.map((e) => ({ streamName: e.streamName, expectedVersion: e.streamVersion - 1n, events: [{ id: e.id, type: e.type, data: e.data, metadata: e.metadata }] })),
      });
      const paidId = String(after[0]!.data['disbursementId']);
      expect(await store.disbursement(paidId)).toMatchObject({ position: after[0]!.position, regionCode: '510100', amountFen: 1_000n, reversed: false });

      const raw = new Database(file);
      try {
        expect(raw.prepare(`SELECT sql FROM sqlite_master WHERE name = 'rm_disbursement_by_id'`).pluck().get()).toBe(
          'CREATE UNIQUE INDEX rm_disbursement_by_id ON rm_disbursement (disbursement_id)',
        );
        expect(raw.prepare(`SELECT count(*) FROM rm_disbursement`).pluck().get()).toBe(4);
        expect(() =>
          raw.prepare(`INSERT INTO rm_disbursement SELECT position + 100, disbursement_id, program_code, fiscal_year, region_code, kind, amount_fen,
            voucher_no, paid_on, to_region_code, to_parent_region_code, beneficiaries, after_settlement, reversed FROM rm_disbursement LIMIT 1`).run(),
        ).toThrow('UNIQUE constraint failed: rm_disbursement.disbursement_id');
      } finally {
        raw.close();
      }
    } finally {
      await store.close();
    }
  });
});
