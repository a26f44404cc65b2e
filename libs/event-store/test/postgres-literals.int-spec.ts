import { Client } from 'pg';
import { executeSql, parameterLiteral, textLiteral } from '../src/postgres/postgres-literals';
import { createTestDatabase } from './support/postgres-test-db';

/*
 * The PostgreSQL store sends a batch's arguments as literals of an EXECUTE, in a simple query: each
 * must reach the prepared statement exactly as a bound parameter would.
 */
const awkward = ['plain', '', 'it\'s', 'back\\slash', 'quote " inside', '{braces}', 'NULL', ' spaced ', '四川省 510000', '\\\'"'];

describe('literals for EXECUTE', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let client: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    client = new Client({ connectionString: database.url });
    await client.connect();
    // As a DBA might have it: the E'' form must not depend on it.
    await client.query('SET standard_conforming_strings = off');
    await client.query('PREPARE echo(text[], int[], bigint[], bool[], text, json) AS SELECT $1 AS texts, $2 AS ints, $3::text[] AS bigs, $4 AS bools, $5 AS one, $6::text AS doc');
  });

  afterAll(async () => {
    await client.end();
    await database.drop();
  });

  it('arrays, scalars, NULLs and JSON text come back as given', async () => {
    const doc = '{"a":"x\\"y","b":[1,2.5,null],"c":"\\u00e9\\\\"}';
    const sql = executeSql('echo', [[...awkward, null], [1, -2, 2_147_483_647], ['9007199254740993', '-1'], [true, false], 'it\'s \\ "one"', doc]);
    const { rows } = await client.query(sql as string);
    expect(rows).toEqual([
      { texts: [...awkward, null], ints: [1, -2, 2_147_483_647], bigs: ['9007199254740993', '-1'], bools: [true, false], one: 'it\'s \\ "one"', doc },
    ]);
  });

  it('a NUL, which PostgreSQL text cannot hold, is no literal: the caller binds it instead', () => {
    expect(textLiteral('a\u0000b')).toBeNull();
    expect(parameterLiteral(['a', 'b\u0000'])).toBeNull();
    expect(executeSql('echo', [['ok'], 'x\u0000'])).toBeNull();
    expect(parameterLiteral([{ nested: true }])).toBeNull();
  });

  it('writes plain values without escapes', () => {
    expect(parameterLiteral(['a', 'b'])).toBe(`E'{"a","b"}'`);
    expect(parameterLiteral(null)).toBe('NULL');
    expect(parameterLiteral(42)).toBe(`E'42'`);
    expect(parameterLiteral("o'k\\")).toBe(`E'o''k\\\\'`);
  });
});
