/*
 * SQL literals for statements that share one simple-protocol query with others (a simple query
 * takes no parameters): one round trip for several statements, each with a snapshot of its own.
 * The statements themselves are prepared on the connection; only their arguments are literals.
 */

/**
 * A string literal, or null for a string PostgreSQL cannot hold (NUL): the caller then binds it as
 * a parameter, where the server refuses it in the usual way. The E'' form with backslashes doubled
 * reads the same whatever standard_conforming_strings is.
 */
export function textLiteral(value: string): string | null {
  // Keys come from event data, typed but not checked: anything else is left to a bound parameter.
  if (typeof value !== 'string' || value.includes('\u0000')) return null;
  // Tested first: most values (ids, numbers, array literals) hold neither, and the batch's whole
  // text is built while the head lock is held.
  if (!/[\\']/.test(value)) return `E'${value}'`;
  return `E'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/**
 * A parameter value as the literal argument of an `EXECUTE` (whose prepared statement gives it its
 * type): the text form node-postgres would send, arrays as array literals, quoted; null when it
 * cannot be a literal.
 */
export function parameterLiteral(value: unknown): string | null {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) {
    const text = arrayText(value);
    return text === null ? null : textLiteral(text);
  }
  const text = scalarText(value);
  return text === null ? null : textLiteral(text);
}

/** `EXECUTE name(...)` with the values as literals, or null when one of them cannot be. */
export function executeSql(preparedName: string, values: readonly unknown[]): string | null {
  const literals: string[] = [];
  for (const value of values) {
    const literal = parameterLiteral(value);
    if (literal === null) return null;
    literals.push(literal);
  }
  return `EXECUTE ${preparedName}(${literals.join(', ')})`;
}

function scalarText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return null;
}

/** A one-dimensional array literal, `{"a","b",NULL}`, as array_in reads it. */
function arrayText(values: readonly unknown[]): string | null {
  const elements: string[] = [];
  for (const value of values) {
    if (value === null || value === undefined) {
      elements.push('NULL');
      continue;
    }
    const text = scalarText(value);
    if (text === null) return null;
    elements.push(/[\\"]/.test(text) ? `"${text.replace(/[\\"]/g, '\\$&')}"` : `"${text}"`);
  }
  return `{${elements.join(',')}}`;
}
