import type { CommandRefused, FundEvent } from '@earmark/domain';
import type { RecordedEvent } from '@earmark/event-store';

/**
 * Calendar dates as the ledger writes them (YYYY-MM-DD, no time zone). Day counts go through UTC
 * midnights so that no local offset or daylight saving shifts a deadline by a day.
 */

const msPerDay = 86_400_000;
const datePattern = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

function utcMidnightMs(date: string): number {
  const match = datePattern.exec(date);
  if (!match) throw new Error(`"${date}" is not a date written YYYY-MM-DD`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

export function addDays(date: string, days: number): string {
  return new Date(utcMidnightMs(date) + days * msPerDay).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to`; negative when `to` comes first. */
export function daysBetween(from: string, to: string): number {
  return Math.round((utcMidnightMs(to) - utcMidnightMs(from)) / msPerDay);
}

/**
 * The date a fund event takes effect on: the document's, payment's, reversal's, settlement's or
 * report's own date. Targets carry no date of their own, so they count from when they were recorded.
 * The same reading as the books-as-of view, so that a flag as of a date and the balance as of that
 * date agree.
 */
export function effectiveDateOf(event: RecordedEvent): string {
  const data = event.data as unknown as FundEvent['data'] & CommandRefused['data'];
  switch (event.type as FundEvent['type'] | CommandRefused['type']) {
    case 'AllocationRecorded':
      return (data as { issuedOn: string }).issuedOn;
    case 'DisbursementRecorded':
      return (data as { paidOn: string }).paidOn;
    case 'DisbursementReversed':
      return (data as { reversedOn: string }).reversedOn;
    case 'RegionYearSettled':
      return (data as { settledOn: string }).settledOn;
    case 'PerformanceActualReported':
      return (data as { reportedOn: string }).reportedOn;
    case 'CommandRefused':
      return (data as { attemptedOn: string }).attemptedOn.slice(0, 10);
    case 'PerformanceTargetsRecorded':
      return event.recordedAt.slice(0, 10);
  }
  return event.recordedAt.slice(0, 10);
}
