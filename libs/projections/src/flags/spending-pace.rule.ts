import { availableFen, formatYuan, type Fen } from '@earmark/domain';
import { addDays, daysBetween } from './calendar';
import { formatRatioTwoDecimals, ratio } from './exact-decimal';
import { withEvidence, type Finding } from './flag.types';
import type { RuleContext } from './flag-rule';
import { closingSettlementOf, firstReceiptOf, forEachDay, type FundAudit, type LoggedPosting } from './fund-audit-replay';

/** What a region had to spend on a day, and what it had spent. */
interface Pace {
  readonly day: string;
  readonly paidFen: Fen;
  readonly passedDownFen: Fen;
  readonly unspentFen: Fen;
  readonly elapsedDays: number;
}

/**
 * Money received but barely spent as the year goes on. From the day after 07-01 of the fiscal year
 * to 12-31, each day: the share a region paid out (paid plus passed down, of what it had: that plus
 * what it still holds, so that money returned either way counts neither way) is below the share of
 * the year gone by. On 12-31 that share is all of it, so the same rule reads "anything unspent at
 * year end", and after the year the flag keeps judging 12-31. A region whose subtree is settled is
 * judged by settlement-variance instead.
 */
/** A region's finding as judged through `lastDay` over its first `postings` postings. */
interface JudgedPace {
  readonly postings: number;
  readonly lastDay: string;
  readonly finding: Finding | null;
}

/**
 * A region's finding depends on its postings and the last day judged, nothing else (its first
 * receipt and its settlement come with postings of its own, or are checked before). The fold kept
 * per fund appends to the same postings list per region, so a region no event touched since the
 * last judgement at the same day is not walked again. Held weakly: it goes with the list.
 */
const judgedPaces = new WeakMap<readonly LoggedPosting[], JudgedPace>();

export function spendingPaceFlags({ audit, registry, asOf }: RuleContext): Finding[] {
  if (audit.fiscalYear === null) return [];
  const year = audit.fiscalYear;
  const yearStart = `${year}-01-01`;
  const yearEnd = `${year}-12-31`;
  const firstDay = `${year}-07-02`;
  if (asOf < firstDay) return [];
  const lastDay = asOf < yearEnd ? asOf : yearEnd;
  const daysInYear = daysBetween(yearStart, `${year + 1}-01-01`);
  const days: string[] = [];
  for (let day = firstDay; day <= lastDay; day = addDays(day, 1)) days.push(day);

  const calendar: PaceCalendar = { year, yearStart, yearEnd, lastDay, daysInYear, days };
  const flags: Finding[] = [];
  for (const [regionCode, postings] of audit.postings) {
    if (closingSettlementOf(audit, registry, regionCode) !== null) continue;
    const kept = judgedPaces.get(postings);
    const finding =
      kept && kept.postings === postings.length && kept.lastDay === lastDay ? kept.finding : judgePace(audit, regionCode, postings, calendar);
    judgedPaces.set(postings, { postings: postings.length, lastDay, finding });
    if (finding !== null) flags.push(finding);
  }
  return flags;
}

interface PaceCalendar {
  readonly year: number;
  readonly yearStart: string;
  readonly yearEnd: string;
  readonly lastDay: string;
  readonly daysInYear: number;
  /** From 07-02 through `lastDay`. */
  readonly days: readonly string[];
}

function judgePace(audit: FundAudit, regionCode: string, postings: readonly LoggedPosting[], calendar: PaceCalendar): Finding | null {
  const { year, yearStart, yearEnd, lastDay, daysInYear, days } = calendar;
  // Written by the walk below, read after it.
  const run: { behindSince: string | null; judged: Pace | null } = { behindSince: null, judged: null };
  forEachDay(postings, days, (day, counters) => {
    const spentFen = counters.paidFen + counters.passedDownFen;
    const hadFen = spentFen + availableFen(counters);
    const elapsedDays = daysBetween(yearStart, day) + 1;
    const behind = hadFen > 0n && spentFen * BigInt(daysInYear) < BigInt(elapsedDays) * hadFen;
    run.behindSince = behind ? (run.behindSince ?? day) : null;
    if (day === lastDay) {
      run.judged = { day, paidFen: counters.paidFen, passedDownFen: counters.passedDownFen, unspentFen: availableFen(counters), elapsedDays };
    }
  });
  const { behindSince, judged: pace } = run;
  if (behindSince === null || pace === null) return null;
  const hadFen = pace.paidFen + pace.passedDownFen + pace.unspentFen;
  const spending = `paid ${formatYuan(pace.paidFen)} 元, passed down ${formatYuan(pace.passedDownFen)} 元`;
  const elapsedShare = formatRatioTwoDecimals(ratio(BigInt(pace.elapsedDays) * 100n, BigInt(daysInYear)));
  const atYearEnd = pace.day === yearEnd;
  const anchor = firstReceiptOf(audit, regionCode);
  return {
    rule: 'spending-pace',
    subject: 'account',
    regionCode,
    severity: 'warning',
    since: behindSince,
    threshold: atYearEnd ? `nothing unspent at ${yearEnd}` : `paid-out share ≥ share of ${year} gone by (${elapsedShare}%)`,
    ...withEvidence(
      atYearEnd
        ? `${formatYuan(pace.unspentFen)} 元 of the ${formatYuan(hadFen)} 元 it received still unspent at the end of ${year} (${spending})`
        : `by ${pace.day} paid out ${formatRatioTwoDecimals(ratio((pace.paidFen + pace.passedDownFen) * 100n, hadFen))}% of the ${formatYuan(hadFen)} 元 it received (${spending}) while ${elapsedShare}% of ${year} had gone by`,
      anchor?.position ?? null,
      postings.filter(({ posting }) => posting.effectiveOn <= pace.day).map(({ position }) => position),
    ),
  };
}
