/*
 * SQL literals for statements that share one simple-protocol query with others (a simple query
 * takes no parameters): one round trip for several statements, each with a snapshot of its own.
 */

/**
 * A string literal, or null for a string PostgreSQL cannot hold (NUL): the caller then binds it as
 * a parameter, where the server refuses it in the usual way. The E'' form with backslashes doubled
 * reads the same whatever standard_conforming_strings is.
 */
export function textLiteral(value: string): string | null {
  // Keys come from event data, typed but not checked: anything else is left to a bound parameter.
  if (typeof value !== 'string' || value.includes('\u0000')) return null;
  return `E'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** A `text[]` literal, or null when one of the strings cannot be written as a literal. */
export function textArrayLiteral(values: readonly string[]): string | null {
  if (values.length === 0) return `'{}'::text[]`;
  const literals: string[] = [];
  for (const value of values) {
    const literal = textLiteral(value);
    if (literal === null) return null;
    literals.push(literal);
  }
  return `ARRAY[${literals.join(',')}]::text[]`;
}

/** An `int[]` literal, or null when one of the values is not a 32-bit integer. */
export function intArrayLiteral(values: readonly number[]): string | null {
  if (values.length === 0) return `'{}'::int[]`;
  if (!values.every((value) => Number.isInteger(value) && value >= -2_147_483_648 && value <= 2_147_483_647)) return null;
  return `ARRAY[${values.join(',')}]::int[]`;
}
