import { arrayParam } from '../src/postgres/postgres-array-param';

// node-postgres's own conversion of a parameter, which arrayParam must match byte for byte.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue: (value: unknown) => unknown };

describe('arrayParam', () => {
  const arrays: unknown[][] = [
    [],
    ['e0000000-0000-4000-8000-000000000001', 'fund-sc-2024', '记-0301'],
    ['"quoted"', 'back\\slash', '\\"both\\"', '', ' spaced ', 'a,b', '{braces}', 'NULL', 'null'],
    ['12345678901234567890', '-1', '0'],
    [1, -2, 0, 2_147_483_647, 1.5, 1e21],
    [10n, -3n, 9_007_199_254_740_993n],
    [true, false],
    [null, 'x', undefined, 3],
  ];

  it.each(arrays.map((values) => [values]))('writes %j as node-postgres does', (values) => {
    const written = arrayParam(values);
    expect(typeof written).toBe('string');
    expect(written).toBe(prepareValue(values));
  });

  it('spells the text PostgreSQL reads back', () => {
    expect(arrayParam(['a"b', 'c\\d', null, 'e'])).toBe('{"a\\"b","c\\\\d",NULL,"e"}');
    expect(arrayParam([1, 2n, true])).toBe('{"1","2","true"}');
  });

  it('leaves an array with other elements to node-postgres', () => {
    const values = [{ a: 1 }, 'x'];
    expect(arrayParam(values)).toBe(values);
    const nested = [['a'], ['b']];
    expect(arrayParam(nested)).toBe(nested);
  });
});
