import type Database from 'better-sqlite3';
import type { JsonObject } from '../event-store.port';
import {
  ledgerFundKey,
  ledgerRegionKey,
  type DisbursementRow,
  type LedgerDelta,
  type LedgerState,
  type LedgerStateKeys,
  type PerformanceActualRow,
  type PerformanceTargetsRow,
  type ProgramDocumentRow,
  type ProgramYearRow,
  type RefusalRow,
  type RegionBalanceRow,
  type TrailPageRequest,
  type TrailRow,
} from '../ledger-tables.port';
import {
  disbursementColumns,
  documentColumns,
  ledgerRowCodec,
  programYearColumns,
  regionBalanceColumns,
  trailColumns,
  type Row,
} from '../ledger-rows';
import { sqliteLedgerTables } from './sqlite-schema';

/*
 * The ledger tables of one SQLite file: statements prepared once, rows converted at the edge.
 * The connection reads integers as bigint (defaultSafeIntegers), so counts and years are narrowed
 * to numbers here and money stays bigint.
 */


const int = (value: unknown): number => Number(value as bigint);
const big = (value: unknown): bigint => value as bigint;
const text = (value: unknown): string => value as string;
const textOrNull = (value: unknown): string | null => (value === null ? null : (value as string));

const placeholders = (columns: string): string => columns.split(',').map(() => '?').join(', ');

const { programYearOf, programYearValues, regionBalanceOf, regionBalanceValues, documentOf, trailOf, trailValues, disbursementOf, disbursementValues } =
  ledgerRowCodec({
  int,
  big,
  text,
  textOrNull,
  bool: (value) => int(value) === 1,
  int64: (value) => value,
  int64OrNull: (value) => value ?? null,
  flag: (value) => (value ? 1 : 0),
});

/** The appended rows' values in column order, for the rebuild's multi-row inserts. */
export { trailValues, disbursementValues };


function refusalOf(r: Row): RefusalRow {
  return {
    programCode: text(r['program_code']),
    fiscalYear: int(r['fiscal_year']),
    position: big(r['position']),
    recordedAt: text(r['recorded_at']),
    regionCode: textOrNull(r['region_code']),
    code: text(r['code']),
    data: JSON.parse(text(r['data'])) as JsonObject,
  };
}

function targetsOf(r: Row): PerformanceTargetsRow {
  return {
    programCode: text(r['program_code']),
    fiscalYear: int(r['fiscal_year']),
    regionCode: text(r['region_code']),
    position: big(r['position']),
    data: JSON.parse(text(r['data'])) as JsonObject,
  };
}

function actualOf(r: Row): PerformanceActualRow {
  return {
    programCode: text(r['program_code']),
    fiscalYear: int(r['fiscal_year']),
    regionCode: text(r['region_code']),
    indicator: text(r['indicator']),
    position: big(r['position']),
    actor: text(r['actor']),
    data: JSON.parse(text(r['data'])) as JsonObject,
  };
}

function prepare(db: Database.Database, suffix: string) {
  const t = (table: string): string => `${table}${suffix}`;
  return {
    programYear: db.prepare<unknown[], Row>(`SELECT ${programYearColumns} FROM ${t('rm_program_year')} WHERE program_code = ? AND fiscal_year = ?`),
    // Ordered as `code/year` text, the order the program-years have always been listed in.
    listProgramYears: db.prepare<unknown[], Row>(
      `SELECT ${programYearColumns} FROM ${t('rm_program_year')} ORDER BY program_code || '/' || fiscal_year`,
    ),
    upsertProgramYear: db.prepare(
      `INSERT OR REPLACE INTO ${t('rm_program_year')} (${programYearColumns}) VALUES (${placeholders(programYearColumns)})`,
    ),
    documents: db.prepare<unknown[], Row>(
      `SELECT ${documentColumns} FROM ${t('rm_program_document')} WHERE program_code = ? AND fiscal_year = ? ORDER BY position`,
    ),
    insertDocument: db.prepare(`INSERT OR IGNORE INTO ${t('rm_program_document')} (${documentColumns}) VALUES (${placeholders(documentColumns)})`),
    regionBalance: db.prepare<unknown[], Row>(
      `SELECT ${regionBalanceColumns} FROM ${t('rm_region_balance')} WHERE program_code = ? AND fiscal_year = ? AND region_code = ?`,
    ),
    regionBalances: db.prepare<unknown[], Row>(
      `SELECT ${regionBalanceColumns} FROM ${t('rm_region_balance')} WHERE program_code = ? AND fiscal_year = ? ORDER BY region_code`,
    ),
    regionBalancesIn: db.prepare<unknown[], Row>(
      `SELECT ${regionBalanceColumns} FROM ${t('rm_region_balance')}
       WHERE program_code = ? AND fiscal_year = ? AND region_code IN (SELECT value FROM json_each(?)) ORDER BY region_code`,
    ),
    upsertRegionBalance: db.prepare(
      `INSERT OR REPLACE INTO ${t('rm_region_balance')} (${regionBalanceColumns}) VALUES (${placeholders(regionBalanceColumns)})`,
    ),
    trailPage: db.prepare<unknown[], Row>(
      `SELECT ${trailColumns} FROM ${t('rm_trail')} WHERE program_code = ? AND fiscal_year = ? AND region_code = ? AND position > ?
       ORDER BY position LIMIT ?`,
    ),
    insertTrail: db.prepare(`INSERT OR IGNORE INTO ${t('rm_trail')} (${trailColumns}) VALUES (${placeholders(trailColumns)})`),
    disbursement: db.prepare<unknown[], Row>(`SELECT ${disbursementColumns} FROM ${t('rm_disbursement')} WHERE disbursement_id = ?`),
    insertDisbursement: db.prepare(
      `INSERT OR IGNORE INTO ${t('rm_disbursement')} (${disbursementColumns}) VALUES (${placeholders(disbursementColumns)})`,
    ),
    markReversed: db.prepare(`UPDATE ${t('rm_disbursement')} SET reversed = 1 WHERE disbursement_id = ?`),
    refusals: db.prepare<unknown[], Row>(
      `SELECT position, program_code, fiscal_year, region_code, code, recorded_at, data FROM ${t('rm_refusal')}
       WHERE program_code = ? AND fiscal_year = ? ORDER BY position`,
    ),
    insertRefusal: db.prepare(
      `INSERT OR IGNORE INTO ${t('rm_refusal')} (position, program_code, fiscal_year, region_code, code, recorded_at, data)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    targets: db.prepare<unknown[], Row>(
      `SELECT program_code, fiscal_year, region_code, position, data FROM ${t('rm_performance_target')}
       WHERE program_code = ? AND fiscal_year = ? ORDER BY region_code`,
    ),
    upsertTargets: db.prepare(
      `INSERT OR REPLACE INTO ${t('rm_performance_target')} (program_code, fiscal_year, region_code, position, data) VALUES (?, ?, ?, ?, ?)`,
    ),
    actuals: db.prepare<unknown[], Row>(
      `SELECT program_code, fiscal_year, region_code, indicator, position, actor, data FROM ${t('rm_performance_actual')}
       WHERE program_code = ? AND fiscal_year = ? ORDER BY region_code, indicator`,
    ),
    upsertActual: db.prepare(
      `INSERT OR REPLACE INTO ${t('rm_performance_actual')} (program_code, fiscal_year, region_code, indicator, position, actor, data)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    clear: sqliteLedgerTables.map((table) => db.prepare(`DELETE FROM ${t(table)}`)),
  };
}

/** Reads and writes the ledger tables; the caller owns the transaction. */
export class SqliteLedgerTables {
  private readonly s: ReturnType<typeof prepare>;

  /** `suffix` names a set of tables beside the live ones, which a rebuild fills before swapping them in. */
  constructor(db: Database.Database, suffix = '') {
    this.s = prepare(db, suffix);
  }

  /** The aggregate rows a batch reads. */
  load(keys: LedgerStateKeys): LedgerState {
    const programYears = new Map<string, ProgramYearRow>();
    for (const ref of keys.programYears) {
      const row = this.s.programYear.get(ref.programCode, ref.fiscalYear);
      if (row) programYears.set(ledgerFundKey(ref.programCode, ref.fiscalYear), programYearOf(row));
    }
    const regionBalances = new Map<string, RegionBalanceRow>();
    for (const ref of keys.regionBalances) {
      const row = this.s.regionBalance.get(ref.programCode, ref.fiscalYear, ref.regionCode);
      if (row) regionBalances.set(ledgerRegionKey(ref.programCode, ref.fiscalYear, ref.regionCode), regionBalanceOf(row));
    }
    return { programYears, regionBalances };
  }

  /** Writes a batch's delta: each aggregate row once, each appended row once (a replayed one is kept as it was). */
  write(delta: LedgerDelta): void {
    const s = this.s;
    for (const row of delta.programYears) s.upsertProgramYear.run(...programYearValues(row));
    for (const row of delta.regionBalances) s.upsertRegionBalance.run(...regionBalanceValues(row));
    for (const d of delta.documents) {
      s.insertDocument.run(d.programCode, d.fiscalYear, d.position, d.documentNo, d.kind, d.title, d.issuedOn, d.issuerRegionCode, d.totalFen, d.lines);
    }
    for (const t of delta.trail) s.insertTrail.run(...trailValues(t));
    for (const d of delta.disbursements) s.insertDisbursement.run(...disbursementValues(d));
    for (const id of delta.reversedDisbursementIds) s.markReversed.run(id);
    for (const r of delta.refusals) {
      s.insertRefusal.run(r.position, r.programCode, r.fiscalYear, r.regionCode, r.code, r.recordedAt, JSON.stringify(r.data));
    }
    for (const t of delta.performanceTargets) s.upsertTargets.run(t.programCode, t.fiscalYear, t.regionCode, t.position, JSON.stringify(t.data));
    for (const a of delta.performanceActuals) {
      s.upsertActual.run(a.programCode, a.fiscalYear, a.regionCode, a.indicator, a.position, a.actor, JSON.stringify(a.data));
    }
  }

  clear(): void {
    for (const statement of this.s.clear) statement.run();
  }

  listProgramYears(): ProgramYearRow[] {
    return this.s.listProgramYears.all().map(programYearOf);
  }

  programYear(programCode: string, fiscalYear: number): ProgramYearRow | null {
    const row = this.s.programYear.get(programCode, fiscalYear);
    return row ? programYearOf(row) : null;
  }

  programDocuments(programCode: string, fiscalYear: number): ProgramDocumentRow[] {
    return this.s.documents.all(programCode, fiscalYear).map(documentOf);
  }

  regionBalance(programCode: string, fiscalYear: number, regionCode: string): RegionBalanceRow | null {
    const row = this.s.regionBalance.get(programCode, fiscalYear, regionCode);
    return row ? regionBalanceOf(row) : null;
  }

  regionBalances(programCode: string, fiscalYear: number, regionCodes?: readonly string[]): RegionBalanceRow[] {
    const rows =
      regionCodes === undefined
        ? this.s.regionBalances.all(programCode, fiscalYear)
        : this.s.regionBalancesIn.all(programCode, fiscalYear, JSON.stringify(regionCodes));
    return rows.map(regionBalanceOf);
  }

  trailPage(programCode: string, fiscalYear: number, regionCode: string, page: TrailPageRequest): TrailRow[] {
    return this.s.trailPage.all(programCode, fiscalYear, regionCode, page.after, page.limit).map(trailOf);
  }

  disbursement(disbursementId: string): DisbursementRow | null {
    const row = this.s.disbursement.get(disbursementId);
    return row ? disbursementOf(row) : null;
  }

  refusals(programCode: string, fiscalYear: number): RefusalRow[] {
    return this.s.refusals.all(programCode, fiscalYear).map(refusalOf);
  }

  performanceTargets(programCode: string, fiscalYear: number): PerformanceTargetsRow[] {
    return this.s.targets.all(programCode, fiscalYear).map(targetsOf);
  }

  performanceActuals(programCode: string, fiscalYear: number): PerformanceActualRow[] {
    return this.s.actuals.all(programCode, fiscalYear).map(actualOf);
  }
}
