import { isCalendarDate, maxFiscalYear, minFiscalYear, type AllocationKind, type Region, type RegionRegistry } from '@earmark/domain';
import { compact, type SourceLine } from './notice-text';
import type { NoticeReport } from './notice-report';

/** What the body of the notice (everything before Annex 1) says about the allocation. */
export interface NoticeHeader {
  readonly documentNo: string | null;
  readonly title: string | null;
  /** Null when the title is missing or names a kind the ledger does not record as an allocation. */
  readonly kind: AllocationKind | null;
  readonly fiscalYear: number | null;
  readonly issuedOn: string | null;
  readonly issuer: Region | null;
  readonly incomeSubject: string | null;
  readonly expenditureSubject: string | null;
}

/** 川财社〔2024〕2号 alone on its line; the body cites other documents' numbers inside sentences. */
const documentNoPattern = /^[\u4e00-\u9fff]+[〔［[【]\d{4}[〕］\]】]第?\d+号$/;
const titlePattern = /关于.+通知$/;
const datePattern = /^(\d{4})年(\d{1,2})月(\d{1,2})日$/;
const settlementWords = ['清算', '结算'];
/** The subject code is the digits right after the clause's opening quote: 收入列入“1100299—…”. */
const incomeSubjectPattern = /收入列入[^0-9]{0,3}([0-9]+)/;
const expenditureSubjectPattern = /支出列入[^0-9]{0,3}([0-9]+)/;

export function readNoticeHeader(body: readonly SourceLine[], registry: RegionRegistry, report: NoticeReport): NoticeHeader {
  const documentNoLine = body.find((line) => documentNoPattern.test(compact(line.text)));
  if (!documentNoLine) report.problem(0, 'the notice has no document number (文号) line such as 川财社〔2024〕2号');

  const titleLine = body.find((line) => titlePattern.test(compact(line.text)));
  const title = titleLine ? compact(titleLine.text).slice(compact(titleLine.text).indexOf('关于')) : null;
  if (!titleLine) report.problem(0, 'the notice has no title line (关于…的通知)');

  return {
    documentNo: documentNoLine ? compact(documentNoLine.text) : null,
    title,
    kind: titleLine && title !== null ? readKind(title, titleLine.line, report) : null,
    fiscalYear: titleLine && title !== null ? readFiscalYear(title, titleLine.line, report) : null,
    issuedOn: readIssuedOn(body, report),
    issuer: readIssuer(body, registry, report),
    incomeSubject: readSubject(body, incomeSubjectPattern, '收入列入', 'income', report),
    expenditureSubject: readSubject(body, expenditureSubjectPattern, '支出列入', 'expenditure', report),
  };
}

/**
 * The ledger knows two kinds of allocation, and a settlement's top-up is always called 补拨. A
 * settlement notice (清算, 结算) read as a pre-allocation would allocate the program-year's money a
 * second time, so such a title is refused rather than defaulted.
 */
function readKind(title: string, line: number, report: NoticeReport): AllocationKind | null {
  if (title.includes('补拨')) return 'top-up';
  const settlementWord = settlementWords.find((word) => title.includes(word));
  if (settlementWord === undefined) return 'pre-allocation';
  report.problem(
    line,
    `the title on line ${line} announces a settlement (${settlementWord}): settlement notices are not pre-allocations, ` +
      'and this importer does not read them yet; only pre-allocation (预拨) and top-up (补拨) notices are imported',
  );
  return null;
}

function readFiscalYear(title: string, line: number, report: NoticeReport): number | null {
  const match = /(\d{4})年/.exec(title);
  if (!match) {
    report.problem(line, `the title on line ${line} names no fiscal year (such as 2024年)`);
    return null;
  }
  const year = Number(match[1]);
  if (year < minFiscalYear || year > maxFiscalYear) {
    report.problem(line, `fiscal year ${year} on line ${line} is outside ${minFiscalYear}–${maxFiscalYear}`);
    return null;
  }
  return year;
}

/** The signature date closes the body, so the last date line wins over any quoted earlier. */
function readIssuedOn(body: readonly SourceLine[], report: NoticeReport): string | null {
  const dated = body.filter((line) => datePattern.test(compact(line.text)));
  const last = dated[dated.length - 1];
  if (!last) {
    report.problem(0, 'the notice has no date line (such as 2024年1月18日)');
    return null;
  }
  const [, year, month, day] = datePattern.exec(compact(last.text)) ?? [];
  const iso = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  if (!isCalendarDate(iso)) {
    report.problem(last.line, `date "${compact(last.text)}" on line ${last.line} is not a calendar date`);
    return null;
  }
  return iso;
}

/**
 * The issuing level is the province whose 财政厅 heads the title or signs the notice. It is read
 * from the text rather than assumed, so a registry holding several provinces still works.
 */
function readIssuer(body: readonly SourceLine[], registry: RegionRegistry, report: NoticeReport): Region | null {
  const provinces = registry.all().filter((region) => region.level === 'province');
  const found = new Set<Region>();
  for (const line of body) {
    const text = compact(line.text);
    for (const province of provinces) {
      if (text.startsWith(`${province.name}财政厅`) || text.startsWith(`${province.shortName}财政厅`)) found.add(province);
    }
  }
  if (found.size === 1) return [...found][0];
  if (found.size === 0) {
    report.problem(0, 'the notice is not issued by the 财政厅 of a province in the region registry');
  } else {
    report.problem(0, `the notice names the 财政厅 of several provinces: ${[...found].map((p) => p.name).join(', ')}`);
  }
  return null;
}

function readSubject(
  body: readonly SourceLine[],
  pattern: RegExp,
  clause: string,
  side: string,
  report: NoticeReport,
): string | null {
  for (const line of body) {
    const match = pattern.exec(compact(line.text));
    if (match) return match[1];
  }
  report.problem(0, `the notice names no ${side} subject (${clause}“…”)`);
  return null;
}
