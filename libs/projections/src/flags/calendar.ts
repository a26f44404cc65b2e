import { addDays, assertNever, chinaDateOf, daysBetween, decodeLedgerEvent, type LedgerEvent } from '@earmark/domain';
import type { RecordedEvent } from '@earmark/event-store';

/**
 * Calendar days for the auditors' views. The arithmetic is the domain's (calendar.ts), so that a
 * deadline the flags count and a date the decider checks agree; what is added here is a strict
 * reading of a day a caller hands in, because `Date.parse` would accept "2024-3-1".
 */

export { addDays, daysBetween };

const datePattern = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

/** A programmer error when `date` is not a real calendar day written YYYY-MM-DD. */
export function requireDate(date: string): void {
  // Round-tripping catches 2024-02-30, which the pattern lets through and Date rolls over.
  const real = datePattern.test(date) && !Number.isNaN(Date.parse(`${date}T00:00:00Z`)) && addDays(date, 0) === date;
  if (!real) throw new Error(`"${date}" is not a date written YYYY-MM-DD`);
}

/**
 * The date an event takes effect on: the document's, payment's, reversal's, settlement's or
 * report's own date. A refusal and recorded targets carry no date of their own: they count from
 * the day in China they reached the ledger, the day the decider calls "today". The same reading as
 * the books-as-of view, so that a flag as of a date and the balance as of that date agree.
 */
export function effectiveDateOf(event: RecordedEvent): string {
  const decoded = decodeLedgerEvent(event);
  return decoded === null ? chinaDateOf(event.recordedAt) : effectiveDateOfDecoded(decoded, event.recordedAt);
}

/** The same, for an event already decoded: the replay decodes each event once. */
export function effectiveDateOfDecoded(decoded: LedgerEvent, recordedAt: string): string {
  switch (decoded.type) {
    case 'AllocationRecorded':
      return decoded.data.issuedOn;
    case 'DisbursementRecorded':
      return decoded.data.paidOn;
    case 'PassDownRecorded':
      return decoded.data.passedOn;
    case 'DisbursementReversed':
      return decoded.data.reversedOn;
    case 'RegionYearSettled':
      return decoded.data.settledOn;
    case 'PerformanceActualReported':
      return decoded.data.reportedOn;
    case 'CommandRefused':
      return chinaDateOf(decoded.data.attemptedOn);
    case 'PerformanceTargetsRecorded':
      return chinaDateOf(recordedAt);
    default:
      return assertNever(decoded);
  }
}
