import { MoneyFormatError, parseWanYuan, type Fen, type Region, type RegionRegistry } from '@earmark/domain';
import { compact, isTableRow, labelOf, type SourceLine } from './notice-text';
import type { NoticeReport } from './notice-report';
import { renamedRegionOf, renameWarning } from './region-aliases';

/** One Annex 1 row resolved to its region. */
export interface AllocationRow {
  readonly line: number;
  readonly name: string;
  readonly region: Region;
  readonly amountFen: Fen;
}

export interface AllocationTable {
  readonly rows: readonly AllocationRow[];
  readonly total: { readonly line: number; readonly amountFen: Fen } | null;
  /** The fund's name as the table's title gives it (预拨2024年…资金分配表 → …资金). */
  readonly programName: string | null;
  /** Rows that could not be read; their problems are reported, and no sum can be checked. */
  readonly unreadableRows: number;
}

const totalLabels = new Set(['全省合计', '合计', '总计']);
const unitWanYuan = '万元';

/**
 * Reads Annex 1, from its 附件1 marker to the first Annex 2 title. The table may run over several
 * pages, each repeating the title, the unit and the header, so those are recognised wherever
 * they appear. Rows come city first, then that city's 扩权县, so a county is resolved within the
 * last 市(州) row seen: 市中区 exists under both 内江 and 乐山.
 */
export function readAllocationTable(
  annex: readonly SourceLine[],
  registry: RegionRegistry,
  issuer: Region | null,
  report: NoticeReport,
): AllocationTable {
  const marker = annex[0];
  const rows: AllocationRow[] = [];
  const titleParts: string[] = [];
  let total: AllocationTable['total'] = null;
  let nameColumn = 0;
  let amountColumn = 1;
  let unitStated = false;
  let tableStarted = false;
  let prefecture: Region | null = null;
  let unreadableRows = 0;

  for (const source of annex.slice(1)) {
    const text = labelOf(source.text);
    if (text === '') continue;
    if (!isTableRow(source)) {
      if (text.startsWith('单位')) {
        unitStated = true;
        const unit = text.replace(/^单位[:]?/, '');
        if (unit !== unitWanYuan) report.problem(source.line, `Annex 1 states its unit as "${unit}" on line ${source.line}; only 万元 is read`);
      } else if (!tableStarted) {
        titleParts.push(compact(source.text));
      }
      continue;
    }
    tableStarted = true;
    const labels = source.cells.map(labelOf);
    if (labels.includes('地区')) {
      nameColumn = labels.indexOf('地区');
      amountColumn = labels.findIndex((label) => label.startsWith('金额'));
      if (labels[amountColumn]?.includes(`(${unitWanYuan})`)) unitStated = true;
      if (amountColumn < 0) report.problem(source.line, `the Annex 1 header on line ${source.line} has no 金额 column`);
      continue;
    }
    const name = compact(source.cells[nameColumn] ?? '');
    const amountFen = readAmount(source, name, source.cells[amountColumn] ?? '', report);
    if (totalLabels.has(labelOf(name))) {
      if (total) report.problem(source.line, `a second total row "${name}" on line ${source.line} (the first is on line ${total.line})`);
      else if (amountFen !== null) total = { line: source.line, amountFen };
      continue;
    }
    const region = resolveRow(name, source.line, registry, issuer, prefecture, report);
    if (region?.level === 'prefecture') prefecture = region;
    if (region && amountFen !== null) rows.push({ line: source.line, name, region, amountFen });
    else unreadableRows += 1;
  }

  if (marker && !unitStated) report.problem(marker.line, `Annex 1 (line ${marker.line}) does not state its unit (单位:万元)`);
  return { rows, total, programName: programNameOf(titleParts.join('')), unreadableRows };
}

function readAmount(source: SourceLine, name: string, written: string, report: NoticeReport): Fen | null {
  if (written === '') {
    report.problem(source.line, `no amount for "${name}" on line ${source.line}`);
    return null;
  }
  try {
    return parseWanYuan(written);
  } catch (error) {
    if (!(error instanceof MoneyFormatError)) throw error;
    report.problem(source.line, `amount "${written}" for "${name}" on line ${source.line} is not an amount in 万元`);
    return null;
  }
}

function resolveRow(
  name: string,
  line: number,
  registry: RegionRegistry,
  issuer: Region | null,
  prefecture: Region | null,
  report: NoticeReport,
): Region | null {
  // Without an issuer no name can be placed; that problem is already reported once.
  if (!issuer) return null;
  // A former name (射洪县) is looked up by its region's current name, so it is placed like any other.
  const renamed = renamedRegionOf(name, registry);
  const current = renamed?.region.name ?? name;
  // A child of the issuer (a 市(州), or a county the province governs itself) needs no context.
  const direct = registry.resolveName(current, issuer.code);
  const candidates = direct.length === 1 ? direct : prefecture ? registry.resolveName(current, prefecture.code) : [];
  if (candidates.length > 1) {
    report.problem(line, `region "${name}" on line ${line} is ambiguous under ${prefecture?.name}: ${candidates.map((r) => r.code).join(', ')}`);
    return null;
  }
  const region = candidates[0];
  if (!region) {
    report.problem(line, `unknown region "${name}" on line ${line}${whereElse(current, registry, issuer, prefecture)}`);
    return null;
  }
  if (!registry.isDirectRecipient(issuer.code, region.code)) {
    report.problem(line, `${region.name} (${region.code}) on line ${line} is not paid directly by ${issuer.name}`);
    return null;
  }
  if (renamed) report.warning(line, renameWarning(renamed, line));
  return region;
}

/** Points at the likely slip when the name exists in the province but not under the 市(州) above it. */
function whereElse(name: string, registry: RegionRegistry, issuer: Region, prefecture: Region | null): string {
  const elsewhere = registry.resolveName(name).filter((region) => region.parentCode !== null && registry.provinceOf(region.code)?.code === issuer.code);
  if (elsewhere.length === 0) return '';
  const parents = elsewhere.map((region) => registry.get(region.parentCode ?? '')?.name ?? region.parentCode).join(', ');
  return prefecture ? ` under ${prefecture.name} (a region of that name is under ${parents})` : ` before any 市(州) row (a region of that name is under ${parents})`;
}

/** 预拨2024年困难群体养老保险个人缴费省级财政代缴资金分配表 → 困难群体养老保险个人缴费省级财政代缴资金. */
function programNameOf(title: string): string | null {
  const name = title.replace(/^.*?\d{4}年度?/, '').replace(/(分配|明细)?表$/, '');
  return name === '' ? null : name;
}
