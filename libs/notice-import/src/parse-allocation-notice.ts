import {
  fenToString,
  formatYuanGrouped,
  maxLinesPerDocument,
  programCodePattern,
  type AllocationKind,
  type Fen,
  type RecordAllocation,
  type RecordPerformanceTargets,
  type Region,
  type RegionRegistry,
} from '@earmark/domain';
import { readAllocationTable, type AllocationRow, type AllocationTable } from './allocation-table';
import { readNoticeHeader, type NoticeHeader } from './notice-header';
import { NoticeImportError, NoticeReport, byLine, type NoticeWarning } from './notice-report';
import { labelOf, splitNotice, type SourceLine } from './notice-text';
import { renamedRegionOf, renameWarning } from './region-aliases';
import { isTargetTableTitle, readTargetTables, type TableAmount, type TargetTable } from './target-tables';

export interface NoticeImportOptions {
  /** The notice does not name the ledger's code for its fund, so the caller supplies it. */
  programCode: string;
}

export interface ParsedNotice {
  allocation: RecordAllocation['data'];
  /** One per Annex 2 table, in document order. */
  targets: RecordPerformanceTargets['data'][];
  warnings: NoticeWarning[];
  summary: { lines: number; totalFen: bigint; targetTables: number };
}

/** Larger than any notice seen; a bound so that a wrong file fails fast instead of being scanned. */
export const maxNoticeLines = 20_000;
const annex1Marker = /^附件[1一]$/;

/**
 * Reads an allocation notice in the seed's text form into the commands that record it, after
 * cross-checking it: names resolve to regions, the lines sum to the stated total, and each Annex 2
 * table's amount equals its 市(州)'s Annex 1 line. Either everything is returned or nothing: every
 * problem found is listed in one NoticeImportError.
 */
export function parseAllocationNotice(text: string, registry: RegionRegistry, options: NoticeImportOptions): ParsedNotice {
  const report = new NoticeReport();
  if (!programCodePattern.test(options.programCode)) {
    report.problem(0, `programCode "${options.programCode}" must match ${programCodePattern.source}`);
  }
  const lines = splitNotice(text);
  if (lines.length > maxNoticeLines) {
    throw new NoticeImportError([{ line: maxNoticeLines + 1, message: `the notice has ${lines.length} lines; at most ${maxNoticeLines} are read` }]);
  }

  const annex1Start = lines.findIndex((line) => annex1Marker.test(labelOf(line.text)));
  // The body's list of annexes names the Annex 2 title too, so Annex 2 is looked for after Annex 1.
  const annex2Start = annex1Start < 0 ? -1 : lines.findIndex((line, index) => index > annex1Start && isTargetTableTitle(line));
  const body = lines.slice(0, annex1Start < 0 ? lines.length : annex1Start);
  const annex1 = annex1Start < 0 ? [] : lines.slice(annex1Start, annex2Start < 0 ? lines.length : annex2Start);
  const annex2 = annex2Start < 0 ? [] : lines.slice(annex2Start);

  const header = readNoticeHeader(body, registry, report);
  if (annex1Start < 0) report.problem(0, 'the notice has no Annex 1 allocation table (a line reading 附件1)');
  const allocation = readAllocationTable(annex1, registry, header.issuer, report);
  checkAllocation(allocation, annex1[0], report);
  const tables = readTargetTables(annex2, report);
  if (annex1Start >= 0 && tables.length === 0) report.warning(0, 'the notice has no Annex 2 performance target tables');

  const programName = readProgramName(allocation, tables, annex1[0], report);
  const checked = checkTargetTables(tables, allocation, registry, header.issuer, programName, report);

  if (report.problems.length > 0) throw new NoticeImportError(byLine(report.problems));

  const fields = complete(header, programName);
  const totalFen = allocation.total?.amountFen ?? 0n;
  return {
    allocation: {
      documentNo: fields.documentNo,
      title: fields.title,
      kind: fields.kind,
      programCode: options.programCode,
      programName: fields.programName,
      fiscalYear: fields.fiscalYear,
      issuedOn: fields.issuedOn,
      issuerRegionCode: fields.issuer.code,
      incomeSubject: fields.incomeSubject,
      expenditureSubject: fields.expenditureSubject,
      totalFen: fenToString(totalFen),
      lines: allocation.rows.map((row) => ({ regionCode: row.region.code, amountFen: fenToString(row.amountFen) })),
    },
    targets: checked.map(({ table, region, amountFen, warning }) => ({
      programCode: options.programCode,
      fiscalYear: fields.fiscalYear,
      regionCode: region.code,
      documentNo: fields.documentNo,
      amountFen: fenToString(amountFen),
      overallGoal: table.overallGoal,
      targets: table.targets,
      warnings: warning ? [warning] : [],
    })),
    warnings: byLine(report.warnings),
    summary: { lines: allocation.rows.length, totalFen, targetTables: checked.length },
  };
}

function checkAllocation(allocation: AllocationTable, marker: SourceLine | undefined, report: NoticeReport): void {
  if (!marker) return;
  if (allocation.rows.length === 0 && allocation.unreadableRows === 0) {
    report.problem(marker.line, `Annex 1 (line ${marker.line}) has no region rows`);
  }
  if (allocation.rows.length > maxLinesPerDocument) {
    report.problem(marker.line, `Annex 1 has ${allocation.rows.length} lines; an allocation carries at most ${maxLinesPerDocument}`);
  }
  const firstByCode = new Map<string, AllocationRow>();
  for (const row of allocation.rows) {
    const first = firstByCode.get(row.region.code);
    if (first) {
      report.problem(row.line, `region ${row.region.name} (${row.region.code}) is listed twice: on line ${first.line} and on line ${row.line}`);
    } else {
      firstByCode.set(row.region.code, row);
    }
    if (row.amountFen <= 0n) report.problem(row.line, `the amount for ${row.name} on line ${row.line} must be greater than 0`);
  }
  if (!allocation.total) {
    report.problem(marker.line, `Annex 1 (line ${marker.line}) has no 全省合计 row`);
    return;
  }
  // A row that could not be read has no amount, so a sum would only report the same problem again.
  if (allocation.unreadableRows > 0) return;
  const sumFen = allocation.rows.reduce((sum, row) => sum + row.amountFen, 0n);
  if (sumFen !== allocation.total.amountFen) {
    report.problem(
      allocation.total.line,
      `lines sum to ${yuan(sumFen)}, 全省合计 on line ${allocation.total.line} says ${yuan(allocation.total.amountFen)}: ` +
        `differs by ${yuan(abs(sumFen - allocation.total.amountFen))}`,
    );
  }
}

/** The Annex 2 专项名称 is an explicit field; the Annex 1 title only implies the name. */
function readProgramName(
  allocation: AllocationTable,
  tables: readonly TargetTable[],
  marker: SourceLine | undefined,
  report: NoticeReport,
): string | null {
  const fromTables = tables.find((table) => table.programName !== null)?.programName ?? null;
  const name = fromTables ?? allocation.programName;
  if (name === null) {
    report.problem(0, 'the notice names no fund: neither the Annex 1 title nor an Annex 2 专项名称 row gives it');
  } else if (fromTables !== null && allocation.programName !== null && allocation.programName !== fromTables && marker) {
    report.warning(marker.line, `the Annex 1 title on line ${marker.line} names the fund "${allocation.programName}", Annex 2 names it "${fromTables}"; the Annex 2 name is used`);
  }
  return name;
}

interface CheckedTable {
  readonly table: TargetTable;
  readonly region: Region;
  readonly amountFen: Fen;
  readonly warning: string | null;
}

function checkTargetTables(
  tables: readonly TargetTable[],
  allocation: AllocationTable,
  registry: RegionRegistry,
  issuer: Region | null,
  programName: string | null,
  report: NoticeReport,
): CheckedTable[] {
  // Without an issuer no 市(州) can be placed; that problem is already reported once.
  if (!issuer) return [];
  const rowByCode = new Map(allocation.rows.map((row) => [row.region.code, row]));
  const tableByCode = new Map<string, TargetTable>();
  const checked: CheckedTable[] = [];

  for (const table of tables) {
    const where = `Annex 2 table for ${table.regionName ?? '?'} (line ${table.titleLine})`;
    if (table.regionName === null) {
      report.problem(table.titleLine, `the Annex 2 table on line ${table.titleLine} names no 市(州)`);
      continue;
    }
    const renamed = renamedRegionOf(table.regionName, registry);
    const current = renamed?.region.name ?? table.regionName;
    const matches = registry.resolveName(current, issuer.code).filter((region) => region.level === 'prefecture');
    const region = matches.length === 1 ? matches[0] : undefined;
    if (!region) {
      report.problem(table.regionLine, `unknown region "${table.regionName}" on line ${table.regionLine} (the 市(州) of the Annex 2 table on line ${table.titleLine})`);
      continue;
    }
    if (renamed) report.warning(table.regionLine, renameWarning(renamed, table.regionLine));
    const earlier = tableByCode.get(region.code);
    if (earlier) {
      report.problem(table.titleLine, `${where} is the second table for ${region.name}; the first is on line ${earlier.titleLine}`);
      continue;
    }
    tableByCode.set(region.code, table);
    const row = rowByCode.get(region.code);
    if (!row) {
      report.problem(table.regionLine, `${where} is for ${region.name} (${region.code}), which has no Annex 1 line`);
      continue;
    }
    if (!table.annualAmount) {
      report.problem(table.titleLine, `${where} gives no 年度金额`);
      continue;
    }
    checkTableAmount(where, '年度金额', table.annualAmount, row, report);
    if (table.provincialAmount) checkTableAmount(where, '省级补助', table.provincialAmount, row, report);

    if (programName !== null && table.programName !== null && table.programName !== programName) {
      table.anomalies.push(`its 专项名称 reads "${table.programName}", not "${programName}"`);
    }
    const warning =
      table.anomalies.length === 0
        ? null
        : `Annex 2 table for ${table.regionName} on line ${table.titleLine}: ${table.anomalies.join('; ')}; kept as written, indicators are read from the 三级指标`;
    if (warning) report.warning(table.titleLine, warning);
    checked.push({ table, region, amountFen: table.annualAmount.amountFen, warning });
  }

  // 扩权县 count under their 市(州) for targets, so only a 市(州) line calls for a table.
  for (const row of allocation.rows) {
    if (row.region.level === 'prefecture' && !tableByCode.has(row.region.code) && tables.length > 0) {
      report.warning(row.line, `${row.region.name} (Annex 1 line ${row.line}) has no Annex 2 performance target table`);
    }
  }
  return checked;
}

function checkTableAmount(where: string, name: string, amount: TableAmount, row: AllocationRow, report: NoticeReport): void {
  if (amount.amountFen === row.amountFen) return;
  report.problem(
    amount.line,
    `${where} gives ${name} ${yuan(amount.amountFen)} on line ${amount.line}, but its Annex 1 line ${row.line} gives ` +
      `${yuan(row.amountFen)}: differs by ${yuan(abs(amount.amountFen - row.amountFen))}`,
  );
}

interface CompleteHeader {
  readonly documentNo: string;
  readonly title: string;
  readonly kind: AllocationKind;
  readonly fiscalYear: number;
  readonly issuedOn: string;
  readonly issuer: Region;
  readonly incomeSubject: string;
  readonly expenditureSubject: string;
  readonly programName: string;
}

/** Every missing field was reported as a problem, so reaching here with one missing is a bug. */
function complete(header: NoticeHeader, programName: string | null): CompleteHeader {
  const { documentNo, title, kind, fiscalYear, issuedOn, issuer, incomeSubject, expenditureSubject } = header;
  if (
    documentNo === null ||
    title === null ||
    kind === null ||
    fiscalYear === null ||
    issuedOn === null ||
    issuer === null ||
    incomeSubject === null ||
    expenditureSubject === null ||
    programName === null
  ) {
    throw new Error('a notice field is missing although no problem was reported');
  }
  return { documentNo, title, kind, fiscalYear, issuedOn, issuer, incomeSubject, expenditureSubject, programName };
}

function yuan(fen: Fen): string {
  return `${formatYuanGrouped(fen)} 元`;
}

function abs(fen: Fen): Fen {
  return fen < 0n ? -fen : fen;
}
