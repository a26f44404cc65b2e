import Database from 'better-sqlite3';
import { Client } from 'pg';
import { EventStoreUnavailableError, type EventStore, type LedgerReadModels, type RecordedEvent } from '@earmark/event-store';
import { PostgresEventStore } from '@earmark/event-store/postgres';
import { SqliteEventStore } from '@earmark/event-store/sqlite';
import { createTestDatabase } from '../../../event-store/test/support/postgres-test-db';
import { makeTempDir } from '../../../event-store/test/support/temp-dir';
import { createLedgerProjection, InMemoryLedgerTables, rebuildProjections, type ProjectionSink } from '../../src';
import { ledgerScenario } from './ledger-scenario';

const programCode = 'sc-pension-contribution-subsidy';
const fiscalYear = 2024;

type Store = EventStore & LedgerReadModels & ProjectionSink;

async function appendInOrder(store: EventStore, events: readonly RecordedEvent[]): Promise<void> {
  for (const event of events) {
    await store.append({
      streams: [{ streamName: event.streamName, expectedVersion: 'any', events: [{ id: event.id, type: event.type, data: event.data, metadata: event.metadata }] }],
    });
  }
}

async function tables(readModels: LedgerReadModels) {
  return {
    programYears: await readModels.listProgramYears(),
    documents: await readModels.programDocuments(programCode, fiscalYear),
    regions: await readModels.regionBalances(programCode, fiscalYear),
    trail: await readModels.trailPage(programCode, fiscalYear, '510100', { after: 0n, limit: 100 }),
  };
}

/**
 * A rebuild of the ledger tables streams into fresh tables while the live ones keep answering,
 * picks up what was appended meanwhile, and swaps the fresh ones in: the result equals the fold of
 * the whole log.
 */
function describeRebuild(name: string, duplicateIdRefused: RegExp, open: () => Promise<{ store: Store; close(): Promise<void> }>): void {
  describe(`rebuilding the ledger tables: ${name}`, () => {
    it('keeps answering from the live tables until the swap, and the swapped tables hold the events appended meanwhile', async () => {
      const { store, close } = await open();
      try {
        const history = ledgerScenario((log) => {
          log.payment('510100', '10.00', 1, '2024-07-01');
          log.payment('510100', '20.00', 2, '2024-07-02');
        }).events;
        const [before, late, after] = [history.slice(0, 9), history[9]!, history[10]!];
        await appendInOrder(store, before);
        const live = await tables(store);
        expect(live.regions).toHaveLength(4);

        let duringRebuild: Awaited<ReturnType<typeof tables>> | null = null;
        let finishedReading = false;
        // The log as the rebuild reads it: when it has read to the end, a command lands and a reader asks.
        const reading: EventStore = Object.create(store, {
          readAll: {
            value: async (options: Parameters<EventStore['readAll']>[0]) => {
              const page = await store.readAll(options);
              if (page.length === 0 && !finishedReading) {
                finishedReading = true;
                duringRebuild = await tables(store);
                await appendInOrder(store, [late]);
              }
              return page;
            },
          },
        });
        const projection = createLedgerProjection();
        const report = await rebuildProjections(reading, store, [projection]);

        expect(duringRebuild).toEqual(live);
        expect(report.lastPosition).toBe(10n);
        expect(report.events).toBe(10);
        expect(await store.checkpoint(projection.name)).toBe(10n);
        // The store stamps its own time and hashes: the expectation is the fold of the log it holds.
        const stored = () => store.readAll({ afterPosition: 0n, maxCount: 100 });
        const expected = new InMemoryLedgerTables();
        expected.apply(await stored());
        expect(expected.regionBalanceNow(programCode, fiscalYear, '510100')?.paidFen).toBe(1_000n);
        expect(await tables(store)).toEqual(await tables(expected));
        expect((await store.regionBalance(programCode, fiscalYear, '510100'))?.paidFen).toBe(1_000n);

        // The next append projects inline into the swapped-in tables.
        await appendInOrder(store, [after]);
        expect(await store.checkpoint(projection.name)).toBe(11n);
        expected.apply((await stored()).slice(10));
        expect(await tables(store)).toEqual(await tables(expected));
        expect((await store.regionBalance(programCode, fiscalYear, '510100'))?.paidFen).toBe(3_000n);
      } finally {
        await close();
      }
    });

    it('rebuilds again over tables a rebuild swapped in, and the indexes come back each time', async () => {
      const { store, close } = await open();
      try {
        const history = ledgerScenario((log) => log.payment('510100', '10.00', 1, '2024-07-01')).events;
        await appendInOrder(store, history);
        const projection = createLedgerProjection();
        const first = await tables(store);
        for (let round = 1; round <= 3; round += 1) {
          const report = await rebuildProjections(store, store, [projection]);
          expect(report.lastPosition).toBe(BigInt(history.length));
          expect(await tables(store)).toEqual(first);
        }
        expect((await store.regionBalance(programCode, fiscalYear, '510100'))?.paidFen).toBe(1_000n);
      } finally {
        await close();
      }
    });

    it('rebuilds a log of many pages, a payment reversed pages after it was made, row for row as the live tables hold it, twice over', async () => {
      const { store, close } = await open();
      try {
        let first: { id: string } | null = null;
        const history = ledgerScenario((log) => {
          for (let n = 1; n <= 45; n += 1) {
            const paid = log.payment('510100', '1.00', 1, `2024-07-${String(10 + (n % 20)).padStart(2, '0')}`);
            first ??= paid;
          }
          log.reversal(first!, '2024-08-01');
          log.payment('510300', '2.00', 1, '2024-08-02');
        });
        await appendInOrder(store, history.events);
        const disbursementIds = history.events.filter((event) => event.type === 'DisbursementRecorded').map((event) => String(event.data['disbursementId']));
        const everything = async () => ({
          ...(await tables(store)),
          trail510300: await store.trailPage(programCode, fiscalYear, '510300', { after: 0n, limit: 100 }),
          disbursements: await Promise.all(disbursementIds.map((id) => store.disbursement(id))),
          refusals: await store.refusals(programCode, fiscalYear),
        });
        const live = await everything();
        expect(live.trail).toHaveLength(48);
        expect(live.disbursements.filter((row) => row?.reversed)).toHaveLength(2);

        // Pages of 20 events: each page writes more rows than one multi-row insert takes.
        const inPagesOf20 = Object.create(store, { rebuildPageSize: { value: 20 } }) as Store;
        const report = await rebuildProjections(store, inPagesOf20, [createLedgerProjection()]);

        expect(report.events).toBe(history.events.length);
        expect(await everything()).toEqual(live);
        // Again, over the tables the first rebuild swapped in (their keys and indexes named by it).
        await rebuildProjections(store, inPagesOf20, [createLedgerProjection()]);
        expect(await everything()).toEqual(live);
      } finally {
        await close();
      }
    });

    it('refuses a log whose disbursement id is recorded twice, and the live tables stay as they were', async () => {
      const { store, close } = await open();
      try {
        const history = ledgerScenario((log) => log.payment('510100', '10.00', 1, '2024-07-01')).events;
        await appendInOrder(store, history);
        // No command writes this (the id's locator stream refuses a second payment under it): the
        // same payment appended again, straight into the store. The live locator keeps the first.
        const paid = history[history.length - 1]!;
        expect(paid.type).toBe('DisbursementRecorded');
        await appendInOrder(store, [{ ...paid, id: '00000000-0000-4000-8000-00000000d0b1' }]);
        const disbursementId = String(paid.data['disbursementId']);
        const live = { ...(await tables(store)), disbursement: await store.disbursement(disbursementId) };
        expect(live.disbursement).toMatchObject({ position: paid.position, amountFen: 1_000n });
        expect(live.trail.map((entry) => entry.amountFen)).toEqual([100_000n, 10_000n, -1_000n, -1_000n]);
        const projection = createLedgerProjection();
        const checkpoint = await store.checkpoint(projection.name);

        await expect(rebuildProjections(store, store, [projection])).rejects.toThrow(duplicateIdRefused);

        expect({ ...(await tables(store)), disbursement: await store.disbursement(disbursementId) }).toEqual(live);
        expect(await store.checkpoint(projection.name)).toBe(checkpoint);
        // The tables the rebuild left are gone: the next one starts afresh and fails the same way.
        const again: unknown = await rebuildProjections(store, store, [projection]).catch((error: unknown) => error);
        expect(again).toBeInstanceOf(EventStoreUnavailableError);
        expect((again as Error).message).toMatch(duplicateIdRefused);
        const { disbursement: _kept, ...liveTables } = live;
        expect(await tables(store)).toEqual(liveTables);
      } finally {
        await close();
      }
    });
  });
}

describeRebuild('SQLite file', /^SQLite: UNIQUE constraint failed: rm_disbursement__rebuild\.disbursement_id$/, async () => {
  const dir = makeTempDir();
  const store = new SqliteEventStore({ file: `${dir.dir}/ledger.sqlite`, projections: [createLedgerProjection()] });
  await store.init();
  return {
    store,
    close: async () => {
      await store.close();
      dir.remove();
    },
  };
});

describeRebuild('PostgreSQL', /: could not create unique index "rm_disbursement__rebuild_disbursement_id_key"$/, async () => {
  const database = await createTestDatabase();
  const store = new PostgresEventStore({ connectionString: database.url, projections: [createLedgerProjection()] });
  await store.init();
  return {
    store,
    close: async () => {
      await store.close();
      await database.drop();
    },
  };
});

describe('rebuilding the ledger tables on PostgreSQL', () => {
  it('leaves the swapped-in tables with statistics, as a bulk load needs: every column of each table with rows, and its exact row count', async () => {
    const database = await createTestDatabase();
    const store = new PostgresEventStore({ connectionString: database.url, projections: [createLedgerProjection()] });
    const client = new Client({ connectionString: database.url });
    try {
      await store.init();
      await client.connect();
      await appendInOrder(store, ledgerScenario((log) => log.payment('510100', '10.00', 1, '2024-07-01')).events);
      await rebuildProjections(store, store, [createLedgerProjection()]);

      // Every table a rebuild swaps in, as the store names them (rm_checkpoints and the log are not).
      const { rows: ledgerTables } = await client.query<{ name: string }>(
        `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'rm\\_%' AND tablename <> 'rm_checkpoints' ORDER BY 1`,
      );
      expect(ledgerTables.length).toBeGreaterThanOrEqual(8);
      let checked = 0;
      for (const { name: table } of ledgerTables) {
        const rows = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
        if (rows === 0) continue;
        checked += 1;
        const { rows: stats } = await client.query<{ reltuples: number; columns: string[]; analyzed: string[] }>(
          `SELECT c.reltuples,
                  ARRAY(SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY 1) AS columns,
                  ARRAY(SELECT attname::text FROM pg_stats WHERE schemaname = current_schema() AND tablename = $1 ORDER BY 1) AS analyzed
           FROM pg_class c WHERE c.oid = $1::regclass`,
          [table],
        );
        expect({ table, reltuples: stats[0]!.reltuples, analyzed: stats[0]!.analyzed }).toEqual({ table, reltuples: rows, analyzed: stats[0]!.columns });
      }
      // The program-year, its documents, the region balances, the trail and the locator at least.
      expect(checked).toBeGreaterThanOrEqual(5);
    } finally {
      await client.end();
      await store.close();
      await database.drop();
    }
  });
});

describe('rebuilding the ledger tables of a SQLite file, in steps', () => {
  /** The ledger tables' indexes and any table a rebuild left beside them, as the file's schema lists them. */
  function schemaOf(file: string): { indexes: string[]; leftovers: string[] } {
    const raw = new Database(file, { readonly: true });
    try {
      return {
        indexes: raw
          .prepare<[], string>(`SELECT name || ' ON ' || tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('rm_trail', 'rm_disbursement') ORDER BY name`)
          .pluck()
          .all(),
        leftovers: raw.prepare<[], string>(`SELECT name FROM sqlite_master WHERE name LIKE '%__rebuild%' OR name LIKE '%__retired%' ORDER BY name`).pluck().all(),
      };
    } finally {
      raw.close();
    }
  }

  it('builds the fresh indexes under the name the live ones do not have, and leaves no table behind', async () => {
    const dir = makeTempDir();
    const file = `${dir.dir}/ledger.sqlite`;
    const store = new SqliteEventStore({ file, projections: [createLedgerProjection()] });
    await store.init();
    try {
      let paidId = '';
      const history = ledgerScenario((log) => {
        const paid = log.payment('510100', '10.00', 1, '2024-07-01');
        paidId = paid.id;
        log.reversal(paid, '2024-07-02');
      }).events;
      await appendInOrder(store, history);
      const live = await tables(store);
      const reversedBefore = await store.disbursement(paidId);
      expect(reversedBefore?.reversed).toBe(true);
      expect(schemaOf(file)).toEqual({ indexes: ['rm_disbursement_by_id ON rm_disbursement', 'rm_trail_by_region ON rm_trail'], leftovers: [] });

      await rebuildProjections(store, store, [createLedgerProjection()]);
      expect(schemaOf(file)).toEqual({ indexes: ['rm_disbursement_by_id__b ON rm_disbursement', 'rm_trail_by_region__b ON rm_trail'], leftovers: [] });
      await rebuildProjections(store, store, [createLedgerProjection()]);
      expect(schemaOf(file)).toEqual({ indexes: ['rm_disbursement_by_id ON rm_disbursement', 'rm_trail_by_region ON rm_trail'], leftovers: [] });

      expect(await tables(store)).toEqual(live);
      expect(await store.disbursement(reversedBefore!.disbursementId)).toEqual(reversedBefore);
      // The reads find their rows through the rebuilt indexes.
      const raw = new Database(file, { readonly: true });
      try {
        const plan = raw
          .prepare(`EXPLAIN QUERY PLAN SELECT * FROM rm_trail WHERE program_code = ? AND fiscal_year = ? AND region_code = ? AND position > ? ORDER BY position LIMIT 10`)
          .all(programCode, fiscalYear, '510100', 0) as { detail: string }[];
        expect(plan.map((row) => row.detail)).toEqual(['SEARCH rm_trail USING INDEX rm_trail_by_region (program_code=? AND fiscal_year=? AND region_code=? AND position>?)']);
      } finally {
        raw.close();
      }
    } finally {
      await store.close();
      dir.remove();
    }
  });
});
