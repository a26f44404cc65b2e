import { MoneyFormatError, parseWanYuan, type Fen, type PerformanceTarget } from '@earmark/domain';
import { compact, isTableRow, labelOf, valueAfter, type SourceLine } from './notice-text';
import { expectedLevel2Of, indicatorOf } from './performance-indicators';
import type { NoticeReport } from './notice-report';

export interface TableAmount {
  readonly line: number;
  readonly amountFen: Fen;
}

/** One Annex 2 table (省对市（州）转移支付区域绩效目标表), as the document says it. */
export interface TargetTable {
  readonly titleLine: number;
  /** The 市(州) as the table writes it (阿坝州), resolved later against Annex 1. */
  readonly regionName: string | null;
  readonly regionLine: number;
  readonly programName: string | null;
  /** 年度金额 */
  readonly annualAmount: TableAmount | null;
  /** 省级补助 */
  readonly provincialAmount: TableAmount | null;
  readonly overallGoal: string;
  readonly targets: readonly PerformanceTarget[];
  /** What is inconsistent but kept as written; reported as one warning for the table. */
  readonly anomalies: string[];
}

const tableTitleMarker = '绩效目标表';
const rowLabels = ['专项名称', '中央主管部门', '省级财政部门', '市(州)', '年度总体目标', '绩效指标'];
const unitWanYuan = '万元';

export function isTargetTableTitle(line: SourceLine): boolean {
  return !isTableRow(line) && labelOf(line.text).includes(tableTitleMarker);
}

/** Reads Annex 2: a run of tables, each starting at its title line. */
export function readTargetTables(annex: readonly SourceLine[], report: NoticeReport): TargetTable[] {
  const starts = annex.flatMap((line, index) => (isTargetTableTitle(line) ? [index] : []));
  return starts.map((start, i) => readTable(annex.slice(start, starts[i + 1] ?? annex.length), report));
}

interface IndicatorColumns {
  readonly level1: number;
  readonly level2: number;
  readonly level3: number;
  readonly value: number;
}

function readTable(lines: readonly SourceLine[], report: NoticeReport): TargetTable {
  const title = lines[0];
  const anomalies: string[] = [];
  const targets: PerformanceTarget[] = [];
  const targetLines: number[] = [];
  let regionName: string | null = null;
  let regionLine = title.line;
  let programName: string | null = null;
  let annualAmount: TableAmount | null = null;
  let provincialAmount: TableAmount | null = null;
  let overallGoal = '';
  let columns: IndicatorColumns | null = null;
  let headerSeen = false;
  let firstRow = true;
  let level1 = '';
  let level2 = '';

  for (const source of lines.slice(1)) {
    if (!isTableRow(source)) continue;
    const labels = source.cells.map(labelOf);
    if (headerSeen) {
      if (!columns) continue;
      const cell = (index: number): string => source.cells[index] ?? '';
      // A merged cell is exported as its text on the first row and empty cells below it.
      level1 = cell(columns.level1) || level1;
      level2 = cell(columns.level2) || level2;
      const level3 = cell(columns.level3);
      if (level3 === '') {
        report.problem(source.line, `indicator row on line ${source.line} has no 三级指标`);
        continue;
      }
      targets.push({ level1, level2, level3, indicator: indicatorOf(level3), value: cell(columns.value) });
      targetLines.push(source.line);
      continue;
    }

    const label = labels[0];
    // Most tables replace the 专项名称 label with （2024年度）; the row is still the first one.
    if (label === '专项名称' || (firstRow && !rowLabels.includes(label))) {
      programName = valueAfter(source.cells, 0);
      if (label !== '专项名称') anomalies.push(`its 专项名称 label reads "${source.cells[0]}"`);
    } else if (label === '市(州)') {
      const written = valueAfter(source.cells, 0);
      regionName = written === null ? null : compact(written);
      regionLine = source.line;
    } else if (label === '年度总体目标') {
      overallGoal = valueAfter(source.cells, 0) ?? '';
    } else if (label === '绩效指标') {
      headerSeen = true;
      columns = readColumns(labels, source.line, report);
    } else if (label.startsWith('资金情况')) {
      const unit = /\((.+)\)/.exec(label)?.[1];
      if (unit !== undefined && unit !== unitWanYuan) {
        report.problem(source.line, `the table on line ${title.line} states its funds in "${unit}" on line ${source.line}; only 万元 is read`);
      }
    }
    firstRow = false;

    for (const [index, cellLabel] of labels.entries()) {
      if (/^年度金额:?$/.test(cellLabel)) {
        annualAmount = readTableAmount(source, index, '年度金额', annualAmount, report);
      } else if (/^(其中:)?省级补助:?$/.test(cellLabel)) {
        provincialAmount = readTableAmount(source, index, '省级补助', provincialAmount, report);
      }
    }
  }

  if (!headerSeen) report.problem(title.line, `the table on line ${title.line} has no 绩效指标 header row`);
  else if (columns && targets.length === 0) report.problem(title.line, `the table on line ${title.line} has no indicator rows`);
  if (overallGoal === '') anomalies.push('it states no 年度总体目标');
  anomalies.push(...labelAnomalies(targets, targetLines));

  return { titleLine: title.line, regionName, regionLine, programName, annualAmount, provincialAmount, overallGoal, targets, anomalies };
}

function readColumns(labels: readonly string[], line: number, report: NoticeReport): IndicatorColumns | null {
  const columns = {
    level1: labels.indexOf('一级指标'),
    level2: labels.indexOf('二级指标'),
    level3: labels.indexOf('三级指标'),
    value: labels.indexOf('指标值'),
  };
  const missing = Object.entries({ 一级指标: columns.level1, 二级指标: columns.level2, 三级指标: columns.level3, 指标值: columns.value })
    .filter(([, index]) => index < 0)
    .map(([name]) => name);
  if (missing.length > 0) {
    report.problem(line, `the 绩效指标 header on line ${line} has no ${missing.join(', ')} column`);
    return null;
  }
  return columns;
}

function readTableAmount(
  source: SourceLine,
  labelIndex: number,
  name: string,
  earlier: TableAmount | null,
  report: NoticeReport,
): TableAmount | null {
  if (earlier) {
    report.problem(source.line, `a second ${name} on line ${source.line} (the first is on line ${earlier.line})`);
    return earlier;
  }
  const written = valueAfter(source.cells, labelIndex);
  // A dash is how the tables write "none" (中央补助 -); a table without an amount is caught later.
  if (written === null || written === '-') return null;
  try {
    return { line: source.line, amountFen: parseWanYuan(written) };
  } catch (error) {
    if (!(error instanceof MoneyFormatError)) throw error;
    report.problem(source.line, `${name} "${written}" on line ${source.line} is not an amount in 万元`);
    return null;
  }
}

/**
 * The 二级指标 labels are kept as written; this only says when they disagree with the indicators
 * their 三级指标 name, and whether the disagreement is the seed's one-row shift.
 */
function labelAnomalies(targets: readonly PerformanceTarget[], lines: readonly number[]): string[] {
  const anomalies: string[] = [];
  const first = targets.findIndex((t) => t.indicator !== null && labelOf(t.level2) !== expectedLevel2Of(t.indicator));
  const row = targets[first];
  if (row?.indicator) {
    const expected = expectedLevel2Of(row.indicator);
    const shifted =
      targets.length > 1 &&
      targets.slice(1).every((target, i) => {
        const above = targets[i].indicator;
        return above !== null && labelOf(target.level2) === expectedLevel2Of(above);
      });
    const example = `${row.level3} on line ${lines[first]} is labelled ${row.level2}, not ${expected}`;
    anomalies.push(
      shifted
        ? `its 二级指标 labels are shifted down by one row (${example})`
        : `its 二级指标 labels do not match their 三级指标 (${example})`,
    );
  }
  targets.forEach((target, i) => {
    if (target.indicator === null) anomalies.push(`its indicator "${target.level3}" on line ${lines[i]} is not one the ledger computes`);
  });
  return anomalies;
}
