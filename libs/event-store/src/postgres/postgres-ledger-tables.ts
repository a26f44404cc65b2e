import type { PoolClient } from 'pg';
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
import { postgresLedgerTables } from './postgres-schema';

/*
 * The ledger tables on PostgreSQL. node-postgres reads BIGINT as a string: money and positions are
 * turned into bigint here, and written as decimal strings into `::bigint[]` parameters, one
 * statement per table whatever the size of the batch.
 */

/** Whatever runs a query: the pool for reads, a transaction's client for writes. */
export interface Queryable {
  query<R extends object>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}


const big = (value: unknown): bigint => BigInt(value as string);
const bigOrNull = (value: bigint | null | undefined): string | null => (value === null || value === undefined ? null : value.toString());
const text = (value: unknown): string => value as string;
const textOrNull = (value: unknown): string | null => (value === null ? null : (value as string));
const int = (value: unknown): number => value as number;

const columnList = (columns: string): string[] => columns.split(',').map((column) => column.trim());

/** `INSERT ... SELECT * FROM unnest($1::t1[], $2::t2[], ...)`, with the conflict clause given. */
function unnestInsert(table: string, columns: string, types: readonly string[], onConflict: string, firstParam: number): string {
  const names = columnList(columns);
  if (names.length !== types.length) throw new Error(`${table}: ${names.length} columns, ${types.length} types`);
  const params = types.map((type, index) => `$${firstParam + index}::${type}[]`).join(', ');
  return `INSERT INTO ${table} (${names.join(', ')}) SELECT * FROM unnest(${params}) ${onConflict}`;
}

const updateAll = (columns: string, key: readonly string[]): string =>
  `ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${columnList(columns)
    .filter((column) => !key.includes(column))
    .map((column) => `${column} = EXCLUDED.${column}`)
    .join(', ')}`;

const programYearTypes = ['text', 'int', 'text', 'text', 'text', 'text', 'bigint', 'bigint', 'bigint', 'int', 'bigint', 'bigint', 'int', 'int', 'bigint'];
const regionBalanceTypes = [
  'text', 'int', 'text', 'bigint', 'bigint', 'bigint', 'bigint', 'bigint', 'bigint', 'int', 'bigint', 'bigint', 'bigint', 'bigint',
  'text', 'text', 'text', 'bigint', 'bigint', 'text', 'text', 'bigint', 'bigint', 'bigint', 'bigint', 'bigint', 'bigint', 'bigint',
];
const documentTypes = ['text', 'int', 'bigint', 'text', 'text', 'text', 'text', 'text', 'bigint', 'int'];
const trailTypes = ['text', 'int', 'text', 'bigint', 'text', 'text', 'text', 'bigint', 'bigint', 'text', 'text', 'text'];
const disbursementTypes = ['bigint', 'text', 'text', 'int', 'text', 'text', 'bigint', 'text', 'text', 'text', 'text', 'int', 'bool', 'bool'];

const targetColumns = 'program_code, fiscal_year, region_code, position, data';
const actualColumns = 'program_code, fiscal_year, region_code, indicator, position, actor, data';
const refusalColumns = 'position, program_code, fiscal_year, region_code, code, recorded_at, data';
const targetTypes = ['text', 'int', 'text', 'bigint', 'text'];
const actualTypes = ['text', 'int', 'text', 'text', 'bigint', 'text', 'text'];
const refusalTypes = ['bigint', 'text', 'int', 'text', 'text', 'text', 'text'];

/**
 * A batch's whole delta as data-modifying CTEs, one per table, so that the transaction holding the
 * head lock spends no round trip of its own on it: they run alone (`writeLedgerDelta`) or inside
 * the statement that writes the batch's events. The parameters, from `firstParam` on, are the
 * tables' columns in this order (`ledgerDeltaValues`); a table with no rows gets empty arrays.
 *
 * With `reversalsInto`, the CTEs write a streamed rebuild page into fresh tables that have no keys
 * yet: the appended rows only (no aggregate upserts, which need the keys to conflict on), and the
 * reversed ids into that table, to be marked once the locator has its id index.
 */
export function ledgerWriteCtes(suffix: string, firstParam: number, reversalsInto: string | null = null): string[] {
  const t = (table: string): string => `${table}${suffix}`;
  let next = firstParam;
  const insert = (table: string, columns: string, types: readonly string[], onConflict: string): string => {
    const text = unnestInsert(t(table), columns, types, onConflict, next);
    next += types.length;
    return text;
  };
  const streamed = reversalsInto !== null;
  const parts = [
    ...(streamed
      ? []
      : [
          insert('rm_program_year', programYearColumns, programYearTypes, updateAll(programYearColumns, ['program_code', 'fiscal_year'])),
          insert('rm_region_balance', regionBalanceColumns, regionBalanceTypes, updateAll(regionBalanceColumns, ['program_code', 'fiscal_year', 'region_code'])),
        ]),
    insert('rm_program_document', documentColumns, documentTypes, 'ON CONFLICT DO NOTHING'),
    insert('rm_trail', trailColumns, trailTypes, 'ON CONFLICT DO NOTHING'),
    insert('rm_disbursement', disbursementColumns, disbursementTypes, 'ON CONFLICT DO NOTHING'),
    streamed
      ? `INSERT INTO ${reversalsInto} (disbursement_id) SELECT unnest($${next++}::text[])`
      : // The cardinality test is a one-time filter: a batch without reversals (nearly every one) skips
        // the table, where a cached generic plan, made while the table was small, scans all of it.
        `UPDATE ${t('rm_disbursement')} SET reversed = TRUE WHERE cardinality($${next}::text[]) > 0 AND disbursement_id = ANY($${next++}::text[])`,
    insert('rm_refusal', refusalColumns, refusalTypes, 'ON CONFLICT DO NOTHING'),
    ...(streamed
      ? []
      : [
          insert('rm_performance_target', targetColumns, targetTypes, updateAll(targetColumns, ['program_code', 'fiscal_year', 'region_code'])),
          insert('rm_performance_actual', actualColumns, actualTypes, updateAll(actualColumns, ['program_code', 'fiscal_year', 'region_code', 'indicator'])),
        ]),
  ];
  return parts.map((part, index) => `w${index} AS (${part})`);
}

const writeSqlBySuffix = new Map<string, string>();

function writeSqlFor(suffix: string, reversalsInto: string | null): string {
  const key = reversalsInto === null ? suffix : `${suffix} ${reversalsInto}`;
  let found = writeSqlBySuffix.get(key);
  if (found === undefined) {
    found = `WITH ${ledgerWriteCtes(suffix, 1, reversalsInto).join(',\n')} SELECT 1`;
    writeSqlBySuffix.set(key, found);
  }
  return found;
}

/** Column-major parameters for `unnest`: one array per column. */
function columnsOf<T>(rows: readonly T[], width: number, values: (row: T) => unknown[]): unknown[][] {
  const out: unknown[][] = Array.from({ length: width }, () => []);
  for (const row of rows) values(row).forEach((value, index) => out[index].push(value));
  return out;
}

const { programYearOf, programYearValues, regionBalanceOf, regionBalanceValues, documentOf, trailOf, trailValues, disbursementOf, disbursementValues } = ledgerRowCodec({
  int,
  big,
  text,
  textOrNull,
  bool: (value) => value === true,
  int64: (value) => value.toString(),
  int64OrNull: bigOrNull,
  flag: (value) => value,
});


/**
 * The statements that read (and lock, until the transaction ends) a batch's aggregate rows, over
 * SQL array expressions for the keys' columns: `$1::text[]` parameters, or literals where the
 * statements share a simple query with others. Either may be null when there are no such keys.
 */
export function lockLedgerStateSql(
  programYearKeys: { readonly programCodes: string; readonly fiscalYears: string } | null,
  regionKeys: { readonly programCodes: string; readonly fiscalYears: string; readonly regionCodes: string } | null,
): { readonly programYears: string | null; readonly regionBalances: string | null } {
  return {
    programYears:
      programYearKeys === null
        ? null
        : `SELECT ${programYearColumns} FROM rm_program_year
           WHERE (program_code, fiscal_year) IN (SELECT * FROM unnest(${programYearKeys.programCodes}, ${programYearKeys.fiscalYears}))
           ORDER BY program_code, fiscal_year FOR UPDATE`,
    regionBalances:
      regionKeys === null
        ? null
        : `SELECT ${regionBalanceColumns} FROM rm_region_balance
           WHERE (program_code, fiscal_year, region_code) IN (SELECT * FROM unnest(${regionKeys.programCodes}, ${regionKeys.fiscalYears}, ${regionKeys.regionCodes}))
           ORDER BY program_code, fiscal_year, region_code FOR UPDATE`,
  };
}

const lockLedgerStateParameterised = lockLedgerStateSql(
  { programCodes: '$1::text[]', fiscalYears: '$2::int[]' },
  { programCodes: '$1::text[]', fiscalYears: '$2::int[]', regionCodes: '$3::text[]' },
);

/** Adds the rows a `lockLedgerStateSql` statement returned to `state`. */
export function addLedgerRows(
  state: { programYears: Map<string, ProgramYearRow>; regionBalances: Map<string, RegionBalanceRow> },
  programYearRows: readonly Row[],
  regionBalanceRows: readonly Row[],
): void {
  for (const row of programYearRows.map(programYearOf)) state.programYears.set(ledgerFundKey(row.programCode, row.fiscalYear), row);
  for (const row of regionBalanceRows.map(regionBalanceOf)) {
    state.regionBalances.set(ledgerRegionKey(row.programCode, row.fiscalYear, row.regionCode), row);
  }
}

/** The aggregate rows a batch reads, locked until the transaction ends. */
export async function loadLedgerState(client: PoolClient, keys: LedgerStateKeys): Promise<LedgerState> {
  const state = { programYears: new Map<string, ProgramYearRow>(), regionBalances: new Map<string, RegionBalanceRow>() };
  let programYearRows: Row[] = [];
  let regionBalanceRows: Row[] = [];
  if (keys.programYears.length > 0) {
    const result = await client.query<Row>({
      name: 'earmark-lock-program-years',
      text: lockLedgerStateParameterised.programYears as string,
      values: [keys.programYears.map((k) => k.programCode), keys.programYears.map((k) => k.fiscalYear)],
    });
    programYearRows = result.rows;
  }
  if (keys.regionBalances.length > 0) {
    const result = await client.query<Row>({
      name: 'earmark-lock-region-balances',
      text: lockLedgerStateParameterised.regionBalances as string,
      values: [
        keys.regionBalances.map((k) => k.programCode),
        keys.regionBalances.map((k) => k.fiscalYear),
        keys.regionBalances.map((k) => k.regionCode),
      ],
    });
    regionBalanceRows = result.rows;
  }
  addLedgerRows(state, programYearRows, regionBalanceRows);
  return state;
}

/** Whether the delta writes nothing at all. */
export function isEmptyLedgerDelta(delta: LedgerDelta): boolean {
  return Object.values(delta).every((rows: readonly unknown[]) => rows.length === 0);
}

/**
 * Writes a batch's delta inside the caller's transaction, in one statement; with `reversalsInto`, a
 * streamed rebuild page of appended rows only (see `ledgerWriteCtes`).
 */
export async function writeLedgerDelta(client: PoolClient, delta: LedgerDelta, suffix = '', reversalsInto: string | null = null): Promise<void> {
  if (isEmptyLedgerDelta(delta)) return;
  const streamed = reversalsInto !== null;
  const aggregateRows = delta.programYears.length + delta.regionBalances.length + delta.performanceTargets.length + delta.performanceActuals.length;
  if (streamed && aggregateRows > 0) throw new Error('a streamed rebuild page holds appended rows only');
  // A named statement is prepared once per connection, for one text: the fresh tables' get a name of their own.
  const name = `earmark-write-ledger${suffix}${streamed ? '-streamed' : ''}`;
  await client.query({ name, text: writeSqlFor(suffix, reversalsInto), values: ledgerDeltaValues(delta, streamed) });
}

/** The parameters of `ledgerWriteCtes`, in its order; `streamed` leaves out the aggregate tables'. */
export function ledgerDeltaValues(delta: LedgerDelta, streamed = false): unknown[] {
  // The statement's parts see one snapshot: a disbursement reversed in the batch that recorded it is
  // written reversed, the others are marked by the update.
  const reversed = new Set(delta.reversedDisbursementIds);
  const disbursements = delta.disbursements.map((d) => (reversed.has(d.disbursementId) ? { ...d, reversed: true } : d));
  const recordedHere = new Set(disbursements.map((d) => d.disbursementId));
  const values: unknown[] = [
    ...(streamed
      ? []
      : [
          ...columnsOf(delta.programYears, programYearTypes.length, programYearValues),
          ...columnsOf(delta.regionBalances, regionBalanceTypes.length, regionBalanceValues),
        ]),
    ...columnsOf(delta.documents, documentTypes.length, (d) => [
      d.programCode,
      d.fiscalYear,
      d.position.toString(),
      d.documentNo,
      d.kind,
      d.title,
      d.issuedOn,
      d.issuerRegionCode,
      d.totalFen.toString(),
      d.lines,
    ]),
    ...columnsOf(delta.trail, trailTypes.length, trailValues),
    ...columnsOf(disbursements, disbursementTypes.length, disbursementValues),
    [...reversed].filter((id) => !recordedHere.has(id)),
    ...columnsOf(delta.refusals, refusalTypes.length, (r) => [
      r.position.toString(),
      r.programCode,
      r.fiscalYear,
      r.regionCode,
      r.code,
      r.recordedAt,
      JSON.stringify(r.data),
    ]),
    ...(streamed
      ? []
      : [
          ...columnsOf(delta.performanceTargets, targetTypes.length, (t) => [t.programCode, t.fiscalYear, t.regionCode, t.position.toString(), JSON.stringify(t.data)]),
          ...columnsOf(delta.performanceActuals, actualTypes.length, (a) => [
            a.programCode,
            a.fiscalYear,
            a.regionCode,
            a.indicator,
            a.position.toString(),
            a.actor,
            JSON.stringify(a.data),
          ]),
        ]),
  ];
  return values;
}

export async function clearLedgerTables(client: PoolClient): Promise<void> {
  for (const table of postgresLedgerTables) await client.query(`DELETE FROM ${table}`);
}

/** The read side, over the pool. */
export class PostgresLedgerQueries {
  constructor(private readonly db: Queryable) {}

  async listProgramYears(): Promise<ProgramYearRow[]> {
    // Ordered as `code/year` text, the order the program-years have always been listed in.
    const { rows } = await this.db.query<Row>(
      `SELECT ${programYearColumns} FROM rm_program_year ORDER BY (program_code || '/' || fiscal_year::text) COLLATE "C"`,
    );
    return rows.map(programYearOf);
  }

  async programYear(programCode: string, fiscalYear: number): Promise<ProgramYearRow | null> {
    const { rows } = await this.db.query<Row>(`SELECT ${programYearColumns} FROM rm_program_year WHERE program_code = $1 AND fiscal_year = $2`, [
      programCode,
      fiscalYear,
    ]);
    return rows.length === 0 ? null : programYearOf(rows[0]);
  }

  async programDocuments(programCode: string, fiscalYear: number): Promise<ProgramDocumentRow[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT ${documentColumns} FROM rm_program_document WHERE program_code = $1 AND fiscal_year = $2 ORDER BY position`,
      [programCode, fiscalYear],
    );
    return rows.map(documentOf);
  }

  async regionBalance(programCode: string, fiscalYear: number, regionCode: string): Promise<RegionBalanceRow | null> {
    const { rows } = await this.db.query<Row>(
      `SELECT ${regionBalanceColumns} FROM rm_region_balance WHERE program_code = $1 AND fiscal_year = $2 AND region_code = $3`,
      [programCode, fiscalYear, regionCode],
    );
    return rows.length === 0 ? null : regionBalanceOf(rows[0]);
  }

  async regionBalances(programCode: string, fiscalYear: number, regionCodes?: readonly string[]): Promise<RegionBalanceRow[]> {
    const { rows } =
      regionCodes === undefined
        ? await this.db.query<Row>(
            `SELECT ${regionBalanceColumns} FROM rm_region_balance WHERE program_code = $1 AND fiscal_year = $2 ORDER BY region_code`,
            [programCode, fiscalYear],
          )
        : await this.db.query<Row>(
            `SELECT ${regionBalanceColumns} FROM rm_region_balance
             WHERE program_code = $1 AND fiscal_year = $2 AND region_code = ANY($3::text[]) ORDER BY region_code`,
            [programCode, fiscalYear, [...regionCodes]],
          );
    return rows.map(regionBalanceOf);
  }

  async trailPage(programCode: string, fiscalYear: number, regionCode: string, page: TrailPageRequest): Promise<TrailRow[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT ${trailColumns} FROM rm_trail WHERE program_code = $1 AND fiscal_year = $2 AND region_code = $3 AND position > $4
       ORDER BY position LIMIT $5`,
      [programCode, fiscalYear, regionCode, page.after.toString(), page.limit],
    );
    return rows.map(trailOf);
  }

  async disbursement(disbursementId: string): Promise<DisbursementRow | null> {
    const { rows } = await this.db.query<Row>(`SELECT ${disbursementColumns} FROM rm_disbursement WHERE disbursement_id = $1`, [disbursementId]);
    return rows.length === 0 ? null : disbursementOf(rows[0]);
  }

  async refusals(programCode: string, fiscalYear: number): Promise<RefusalRow[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT position, program_code, fiscal_year, region_code, code, recorded_at, data FROM rm_refusal
       WHERE program_code = $1 AND fiscal_year = $2 ORDER BY position`,
      [programCode, fiscalYear],
    );
    return rows.map((r) => ({
      programCode: text(r['program_code']),
      fiscalYear: int(r['fiscal_year']),
      position: big(r['position']),
      recordedAt: text(r['recorded_at']),
      regionCode: textOrNull(r['region_code']),
      code: text(r['code']),
      data: JSON.parse(text(r['data'])) as JsonObject,
    }));
  }

  async performanceTargets(programCode: string, fiscalYear: number): Promise<PerformanceTargetsRow[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT program_code, fiscal_year, region_code, position, data FROM rm_performance_target
       WHERE program_code = $1 AND fiscal_year = $2 ORDER BY region_code`,
      [programCode, fiscalYear],
    );
    return rows.map((r) => ({
      programCode: text(r['program_code']),
      fiscalYear: int(r['fiscal_year']),
      regionCode: text(r['region_code']),
      position: big(r['position']),
      data: JSON.parse(text(r['data'])) as JsonObject,
    }));
  }

  async performanceActuals(programCode: string, fiscalYear: number): Promise<PerformanceActualRow[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT program_code, fiscal_year, region_code, indicator, position, actor, data FROM rm_performance_actual
       WHERE program_code = $1 AND fiscal_year = $2 ORDER BY region_code, indicator`,
      [programCode, fiscalYear],
    );
    return rows.map((r) => ({
      programCode: text(r['program_code']),
      fiscalYear: int(r['fiscal_year']),
      regionCode: text(r['region_code']),
      indicator: text(r['indicator']),
      position: big(r['position']),
      actor: text(r['actor']),
      data: JSON.parse(text(r['data'])) as JsonObject,
    }));
  }
}
