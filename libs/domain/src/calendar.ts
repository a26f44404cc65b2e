/** Calendar days as `YYYY-MM-DD` text, which sorts as dates do. Pure: no clock. */

const dayMs = 86_400_000;

/** A real calendar date written YYYY-MM-DD. */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value)) return false;
  const [year, month, day] = value.split('-').map((part) => Number.parseInt(part, 10));
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function addDays(date: string, days: number): string {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`not a date: ${date}`);
  return new Date(ms + days * dayMs).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / dayMs);
}

/**
 * The day it is in China (UTC+8) at an instant: a payment recorded at 07:00 in Chengdu on 1 March
 * is dated 1 March although it is still 29 February in UTC.
 */
export function chinaDateOf(instant: string): string {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new Error(`not an instant: ${instant}`);
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
}

export const laterOf = (a: string, b: string): string => (a > b ? a : b);
