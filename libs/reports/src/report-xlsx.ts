import ExcelJS from 'exceljs';
import { formatYuan } from '@earmark/domain';
import { caption, columns, notes, type Column, type LedgerReport, type ReportLanguage } from './ledger-report';

/**
 * The report as an Excel workbook: one sheet in 元 and one in 万元, each with a frozen header row,
 * a row per region and a totals row whose cells are formulas (ROUND(SUM(…)) to the 分) carrying
 * the report's own total as their cached result, so a reader that does not recalculate shows the
 * same figure Excel recomputes.
 *
 * A spreadsheet number cell is an IEEE double. Each is parsed from the exact decimal string the
 * ledger prints from 分 (never computed in floating point here); at these magnitudes the double
 * nearest to a 2-decimal amount rounds back to the same 分, and the 万元 sheet's six decimals are
 * the same 分 with the point moved four places.
 */
export async function renderReportXlsx(report: LedgerReport, language: ReportLanguage = 'zh-CN'): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Earmark';
  workbook.title = caption(report, language);
  const zh = language === 'zh-CN';
  addSheet(workbook, report, language, zh ? '元' : 'yuan', 'yuan');
  addSheet(workbook, report, language, zh ? '万元' : '10k yuan', 'wan');
  const about = workbook.addWorksheet(zh ? '说明' : 'notes');
  about.getColumn(1).width = 120;
  for (const text of [caption(report, language), ...notes(report, language)]) about.addRow([text]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** 分 as the decimal string of 万元: the point moved four places left of 元's, six decimals. */
export function fenToWanYuanText(fen: bigint): string {
  const negative = fen < 0n;
  const digits = (negative ? -fen : fen).toString().padStart(7, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -6)}.${digits.slice(-6)}`;
}

function amountCell(fen: bigint, unit: 'yuan' | 'wan'): number {
  return Number(unit === 'yuan' ? formatYuan(fen) : fenToWanYuanText(fen));
}

function addSheet(workbook: ExcelJS.Workbook, report: LedgerReport, language: ReportLanguage, name: string, unit: 'yuan' | 'wan'): void {
  const cols = columns(report, language);
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1, xSplit: 2 }] });
  const header = sheet.addRow(cols.map((col) => (col.fen ? `${col.title}（${name}）` : col.title)));
  header.font = { bold: true };
  const moneyFormat = unit === 'yuan' ? '#,##0.00' : '#,##0.00####';
  cols.forEach((col, index) => {
    const column = sheet.getColumn(index + 1);
    column.width = col.fen ? 18 : col.numeric ? 10 : index === 1 ? 22 : 14;
    if (col.fen) column.numFmt = moneyFormat;
  });
  for (const row of report.rows) {
    sheet.addRow(cols.map((col) => cellOf(col, () => col.fen?.(row) ?? null, col.row(row), unit)));
  }
  const first = 2;
  const last = report.rows.length + 1;
  const totals = sheet.addRow(
    cols.map((col, index) => {
      const letter = sheet.getColumn(index + 1).letter;
      const range = `${letter}${first}:${letter}${last}`;
      if (col.fen) {
        const total = col.fen(report.totals);
        if (total === null) return null;
        return { formula: `ROUND(SUM(${range}),${unit === 'yuan' ? 2 : 6})`, result: amountCell(total, unit) };
      }
      if (col.numeric) return { formula: `SUM(${range})`, result: Number(col.total(report)) };
      return col.total(report);
    }),
  );
  totals.font = { bold: true };
}

function cellOf(col: Column, fen: () => bigint | null, text: string, unit: 'yuan' | 'wan'): string | number | null {
  if (col.fen) {
    const value = fen();
    return value === null ? null : amountCell(value, unit);
  }
  if (col.numeric) return Number(text);
  return text;
}
