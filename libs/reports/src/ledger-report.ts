import { availableFen, fenFromString, formatYuan, type RegionRegistry } from '@earmark/domain';
import { countersOf, regionStatus, type Flag, type ProgramYearDoc, type RegionBalanceDoc, type RegionStatus } from '@earmark/projections';

/**
 * The program-year report: one row per region, a totals row, money as 元 printed from 分. The
 * totals are checked against the program-year's own totals, which the projection keeps apart from
 * the regions' rows: a report whose rows do not add up must never be printed.
 */
export type ReportFormat = 'md' | 'csv' | 'html';
export const reportFormats: readonly ReportFormat[] = ['md', 'csv', 'html'];
/** Column titles and captions: English (the CLI's default) or Simplified Chinese (the API's downloads). */
export type ReportLanguage = 'en' | 'zh-CN';

export interface ReportFigures {
  readonly allocatedFen: bigint;
  /** From its parent's pass-downs. */
  readonly receivedFen: bigint;
  /** Returned to it by its own counties. */
  readonly receivedFromReturnsFen: bigint;
  readonly passedDownFen: bigint;
  readonly paidFen: bigint;
  readonly persons: number;
  /** What it returned up, to its city or to the issuer. */
  readonly returnedFen: bigint;
  readonly availableFen: bigint;
  readonly adjustmentFen: bigint | null;
  readonly outstandingFen: bigint | null;
}

export interface ReportRow extends ReportFigures {
  readonly regionCode: string;
  readonly regionName: string;
  readonly status: RegionStatus | '';
  /** The rules flagged for the region, e.g. "idle-balance; refused-attempt ×2". */
  readonly flags: string;
}

export interface LedgerReport {
  readonly programCode: string;
  readonly programName: string;
  readonly fiscalYear: number;
  /** YYYY-MM-DD when the books are shown as they stood that day; null for the books now. */
  readonly asOf: string | null;
  readonly rows: readonly ReportRow[];
  readonly totals: ReportFigures & { readonly flags: string };
  /** Σ returned − Σ received from returns: what went back to the issuer, the program-year's `returned`. */
  readonly returnedToIssuerFen: bigint;
  /** False when no flags were computed: the report then has no flags column. */
  readonly withFlags: boolean;
}

export interface ReportInput {
  readonly programYear: ProgramYearDoc;
  readonly regions: readonly RegionBalanceDoc[];
  /** null: flags not available, the column is left out. */
  readonly flags: readonly Flag[] | null;
  readonly registry: RegionRegistry;
  readonly asOf: string | null;
}

export class ReportTotalsMismatch extends Error {
  constructor(readonly mismatches: readonly string[]) {
    super(`the report's totals disagree with the program-year's: ${mismatches.join('; ')}`);
    this.name = 'ReportTotalsMismatch';
  }
}

export function buildLedgerReport(input: ReportInput): LedgerReport {
  const { programYear, registry, flags } = input;
  const balances = new Map(input.regions.map((doc) => [doc.regionCode, doc]));
  // A region flagged without holding money (a refused payment, say) still gets its row, at zero.
  const flagged = new Map<string, Flag[]>();
  for (const flag of flags ?? []) {
    if (flag.regionCode === '') continue;
    flagged.set(flag.regionCode, [...(flagged.get(flag.regionCode) ?? []), flag]);
  }
  const codes = [...new Set([...balances.keys(), ...flagged.keys()])].sort();
  for (const doc of balances.values()) assertBalanceAddsUp(doc);
  const rows = codes.map((regionCode): ReportRow => {
    const doc = balances.get(regionCode);
    return {
      regionCode,
      regionName: registry.get(regionCode)?.name ?? '',
      status: doc ? regionStatus(doc) : '',
      flags: describeFlags(flagged.get(regionCode) ?? []),
      ...(doc ? figuresOf(doc) : zeroFigures),
    };
  });

  const sum = (pick: (row: ReportRow) => bigint) => rows.reduce((total, row) => total + pick(row), 0n);
  const sumSettled = (pick: (row: ReportRow) => bigint | null) => {
    const settled = rows.map(pick).filter((value): value is bigint => value !== null);
    return settled.length === 0 ? null : settled.reduce((total, value) => total + value, 0n);
  };
  const totals = {
    allocatedFen: sum((row) => row.allocatedFen),
    receivedFen: sum((row) => row.receivedFen),
    receivedFromReturnsFen: sum((row) => row.receivedFromReturnsFen),
    passedDownFen: sum((row) => row.passedDownFen),
    paidFen: sum((row) => row.paidFen),
    persons: rows.reduce((total, row) => total + row.persons, 0),
    returnedFen: sum((row) => row.returnedFen),
    availableFen: sum((row) => row.availableFen),
    adjustmentFen: sumSettled((row) => row.adjustmentFen),
    outstandingFen: sumSettled((row) => row.outstandingFen),
    flags: flags === null ? '' : `${flags.length} ${flags.length === 1 ? 'flag' : 'flags'}`,
  };
  const returnedToIssuerFen = totals.returnedFen - totals.receivedFromReturnsFen;
  assertTotalsMatchProgramYear(totals, returnedToIssuerFen, programYear);
  return {
    programCode: programYear.programCode,
    programName: programYear.programName,
    fiscalYear: programYear.fiscalYear,
    asOf: input.asOf,
    rows,
    totals,
    returnedToIssuerFen,
    withFlags: flags !== null,
  };
}

const zeroFigures: ReportFigures = {
  allocatedFen: 0n,
  receivedFen: 0n,
  receivedFromReturnsFen: 0n,
  passedDownFen: 0n,
  paidFen: 0n,
  persons: 0,
  returnedFen: 0n,
  availableFen: 0n,
  adjustmentFen: null,
  outstandingFen: null,
};

function figuresOf(doc: RegionBalanceDoc): ReportFigures {
  return {
    allocatedFen: fenFromString(doc.allocatedFen),
    receivedFen: fenFromString(doc.receivedFen),
    receivedFromReturnsFen: fenFromString(doc.returnedInFen),
    passedDownFen: fenFromString(doc.passedDownFen),
    paidFen: fenFromString(doc.paidFen),
    persons: doc.beneficiaries,
    returnedFen: fenFromString(doc.returnedFen),
    availableFen: fenFromString(doc.availableFen),
    adjustmentFen: doc.settlement ? fenFromString(doc.settlement.adjustmentFen) : null,
    outstandingFen: doc.settlement ? fenFromString(doc.settlement.outstandingFen) : null,
  };
}

function describeFlags(flags: readonly Flag[]): string {
  const counts = new Map<string, number>();
  for (const flag of flags) counts.set(flag.rule, (counts.get(flag.rule) ?? 0) + 1);
  return [...counts].map(([rule, count]) => (count === 1 ? rule : `${rule} ×${count}`)).join('; ');
}

/** A stored balance must be what the domain's arithmetic makes of its own counters. */
function assertBalanceAddsUp(doc: RegionBalanceDoc): void {
  const expected = availableFen(countersOf(doc));
  const stored = fenFromString(doc.availableFen);
  if (expected !== stored) {
    throw new ReportTotalsMismatch([
      `${doc.regionCode} shows available ${formatYuan(stored)} where its movements leave ${formatYuan(expected)}`,
    ]);
  }
}

function assertTotalsMatchProgramYear(totals: ReportFigures, returnedToIssuerFen: bigint, programYear: ProgramYearDoc): void {
  const checks: [string, bigint, bigint][] = [
    ['allocated', totals.allocatedFen, fenFromString(programYear.allocatedFen)],
    ['passed down', totals.passedDownFen, fenFromString(programYear.passedDownFen)],
    // Every pass-down leaves one region of the fund and reaches another.
    ['received', totals.receivedFen, fenFromString(programYear.passedDownFen)],
    ['paid', totals.paidFen, fenFromString(programYear.paidFen)],
    ['persons', BigInt(totals.persons), BigInt(programYear.beneficiaries)],
    ['returned to the issuer', returnedToIssuerFen, fenFromString(programYear.returnedFen)],
    ['available', totals.availableFen, fenFromString(programYear.availableFen)],
  ];
  const mismatches = checks
    .filter(([, rows, program]) => rows !== program)
    .map(([name, rows, program]) =>
      name === 'persons' ? `${name}: rows ${rows}, program-year ${program}` : `${name}: rows ${formatYuan(rows)}, program-year ${formatYuan(program)}`,
    );
  if (mismatches.length > 0) throw new ReportTotalsMismatch(mismatches);
}

// ------------------------------------------------------------------------------------------------
// Rendering

export interface Column {
  readonly title: string;
  /** The figure's 分 for money columns (null where none), for spreadsheets that need numbers. */
  readonly fen?: (figures: ReportFigures) => bigint | null;
  /** Right-aligned in Markdown and HTML. */
  readonly numeric: boolean;
  readonly row: (row: ReportRow) => string;
  readonly total: (report: LedgerReport) => string;
}

const money = (fen: bigint | null): string => (fen === null ? '' : formatYuan(fen));

const zhTitles: Record<string, string> = {
  region: '地区代码',
  name: '地区名称',
  allocated: '分配',
  received: '收到下达',
  'received from returns': '下级缴回',
  'passed down': '下达',
  paid: '支付',
  persons: '人数',
  returned: '缴回',
  available: '结余',
  status: '状态',
  'settlement adjustment': '清算调整',
  'settlement outstanding': '清算未结',
  flags: '预警',
  total: '合计',
};
const zhStatus: Record<string, string> = { open: '执行中', settled: '已清算', reconciled: '已结清' };

export function columns(report: LedgerReport, language: ReportLanguage = 'en'): Column[] {
  const title = (english: string) => (language === 'zh-CN' ? zhTitles[english] : english);
  const figure = (english: string, pick: (figures: ReportFigures) => bigint | null): Column => ({
    title: title(english),
    numeric: true,
    fen: pick,
    row: (row) => money(pick(row)),
    total: (r) => money(pick(r.totals)),
  });
  const status = (value: string) => (language === 'zh-CN' ? (zhStatus[value] ?? value) : value);
  return [
    { title: title('region'), numeric: false, row: (row) => row.regionCode, total: () => title('total') },
    { title: title('name'), numeric: false, row: (row) => row.regionName, total: () => '' },
    figure('allocated', (f) => f.allocatedFen),
    figure('received', (f) => f.receivedFen),
    figure('received from returns', (f) => f.receivedFromReturnsFen),
    figure('passed down', (f) => f.passedDownFen),
    figure('paid', (f) => f.paidFen),
    { title: title('persons'), numeric: true, row: (row) => String(row.persons), total: (r) => String(r.totals.persons) },
    figure('returned', (f) => f.returnedFen),
    figure('available', (f) => f.availableFen),
    { title: title('status'), numeric: false, row: (row) => status(row.status), total: () => '' },
    figure('settlement adjustment', (f) => f.adjustmentFen),
    figure('settlement outstanding', (f) => f.outstandingFen),
    ...(report.withFlags
      ? [{ title: title('flags'), numeric: false, row: (row: ReportRow) => row.flags, total: (r: LedgerReport) => r.totals.flags }]
      : []),
  ];
}

export function caption(report: LedgerReport, language: ReportLanguage = 'en'): string {
  if (language === 'zh-CN') {
    return `${report.programName}（${report.programCode}）${report.fiscalYear} 年度清算报表，${report.asOf === null ? '当前账面' : `截至 ${report.asOf} 的账面`}`;
  }
  return `${report.programName} (${report.programCode}), fiscal year ${report.fiscalYear}, ${report.asOf === null ? 'as recorded now' : `as of ${report.asOf}`}`;
}

export function notes(report: LedgerReport, language: ReportLanguage = 'en'): string[] {
  if (language === 'zh-CN') {
    return [
      `金额单位：元。合计行与项目年度总数逐分相符；缴回省级 ${formatYuan(report.returnedToIssuerFen)} 元` +
        `（缴回 ${formatYuan(report.totals.returnedFen)} 元，减去区县缴回所属市的 ${formatYuan(report.totals.receivedFromReturnsFen)} 元）。`,
      ...(report.withFlags ? [] : ['本报表未计算预警。']),
    ];
  }
  const lines = [
    `Money in 元. The totals equal the program-year's totals to the 分; returned to the issuer: ${formatYuan(report.returnedToIssuerFen)} ` +
      `(returned ${formatYuan(report.totals.returnedFen)} less ${formatYuan(report.totals.receivedFromReturnsFen)} that counties returned to their cities).`,
  ];
  if (!report.withFlags) lines.push('Flags were not computed for this report.');
  return lines;
}

export function renderReport(report: LedgerReport, format: ReportFormat, language: ReportLanguage = 'en'): string {
  switch (format) {
    case 'csv':
      return renderCsv(report, language);
    case 'md':
      return renderMarkdown(report, language);
    case 'html':
      return renderHtml(report, language);
    default: {
      const unknown: never = format;
      throw new Error(`unknown report format ${String(unknown)}`);
    }
  }
}

/**
 * Fields quoted only where RFC 4180 requires it; lines end in LF, as in every file the CLI writes.
 * In Chinese the file starts with a UTF-8 byte-order mark, which Excel needs to read it as UTF-8.
 */
function renderCsv(report: LedgerReport, language: ReportLanguage): string {
  const cols = columns(report, language);
  const field = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  const line = (values: string[]) => values.map(field).join(',');
  const byteOrderMark = language === 'zh-CN' ? '\uFEFF' : '';
  return byteOrderMark + [
    line(cols.map((col) => col.title.replace(/ /g, '_'))),
    ...report.rows.map((row) => line(cols.map((col) => col.row(row)))),
    line(cols.map((col) => col.total(report))),
  ]
    .map((text) => `${text}\n`)
    .join('');
}

function renderMarkdown(report: LedgerReport, language: ReportLanguage): string {
  const cols = columns(report, language);
  const cell = (value: string) => value.replace(/\|/g, '\\|');
  const line = (values: string[]) => `| ${values.map(cell).join(' | ')} |`;
  return [
    `# ${cell(caption(report, language))}`,
    '',
    line(cols.map((col) => col.title)),
    `|${cols.map((col) => (col.numeric ? '---:' : '---')).join('|')}|`,
    ...report.rows.map((row) => line(cols.map((col) => col.row(row)))),
    line(cols.map((col) => (col.total(report) === '' ? '' : `**${col.total(report)}**`))),
    '',
    ...notes(report, language),
    '',
  ].join('\n');
}

function renderHtml(report: LedgerReport, language: ReportLanguage): string {
  const cols = columns(report, language);
  const escape = (value: string) =>
    value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  const cells = (tag: 'td' | 'th', values: string[]) =>
    values.map((value, i) => `<${tag}${cols[i].numeric ? ' class="num"' : ''}>${escape(value)}</${tag}>`).join('');
  return [
    '<!doctype html>',
    `<html lang="${language}">`,
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escape(caption(report, language))}</title>`,
    '<style>body{font-family:sans-serif}table{border-collapse:collapse}th,td{border:1px solid #999;padding:2px 6px}' +
      '.num{text-align:right;font-variant-numeric:tabular-nums}tfoot{font-weight:bold}</style>',
    '</head>',
    '<body>',
    `<h1>${escape(caption(report, language))}</h1>`,
    '<table>',
    `<thead><tr>${cells('th', cols.map((col) => col.title))}</tr></thead>`,
    '<tbody>',
    ...report.rows.map((row) => `<tr>${cells('td', cols.map((col) => col.row(row)))}</tr>`),
    '</tbody>',
    `<tfoot><tr>${cells('td', cols.map((col) => col.total(report)))}</tr></tfoot>`,
    '</table>',
    ...notes(report, language).map((text) => `<p>${escape(text)}</p>`),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
