/**
 * An array parameter (`$1::text[]`, `::bigint[]`, `::int[]`, `::bool[]`) as PostgreSQL's array text,
 * written in one pass: the text node-postgres would write for it, quoted and escaped the same way,
 * without its per-element conversions, which cost more than the batch's own work on a large write.
 * An element other than a string, number, bigint, boolean or null is left to node-postgres: the
 * array is then returned as it is.
 */
export function arrayParam(values: readonly unknown[]): string | readonly unknown[] {
  let text = '{';
  for (let i = 0; i < values.length; i += 1) {
    if (i > 0) text += ',';
    const value = values[i];
    if (value === null || value === undefined) {
      text += 'NULL';
      continue;
    }
    let element: string;
    if (typeof value === 'string') element = value;
    else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') element = String(value);
    else return values;
    text += needsEscape.test(element) ? `"${element.replace(escaped, '\\$&')}"` : `"${element}"`;
  }
  return `${text}}`;
}

const needsEscape = /["\\]/;
const escaped = /["\\]/g;
