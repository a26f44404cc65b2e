import { parseConnectionString } from '../src/postgres/postgres-connection';
import { describeConnection } from '../src/postgres/postgres-errors';

describe('parseConnectionString', () => {
  it('hands a one-server string without target_session_attrs to node-postgres untouched', () => {
    const plain = 'postgres://earmark:secret@db.internal:6543/ledger?sslmode=require';

    const parsed = parseConnectionString(plain);

    expect(parsed.targetSessionAttrs).toBe('any');
    expect(parsed.targets).toHaveLength(1);
    expect(parsed.connectionStringFor(parsed.targets[0])).toBe(plain);
  });

  it('reads several hosts in order, with their ports, and makes one string per host without the attribute', () => {
    const parsed = parseConnectionString(
      'postgresql://earmark:s%40cret@10.0.0.1:5433,db-b,[::1]:5435/ledger?target_session_attrs=read-write&sslmode=disable',
    );

    expect(parsed.targetSessionAttrs).toBe('read-write');
    expect(parsed.targets).toEqual([
      { host: '10.0.0.1', port: 5433 },
      { host: 'db-b', port: 5432 },
      { host: '[::1]', port: 5435 },
    ]);
    expect(parsed.targets.map((target) => parsed.connectionStringFor(target))).toEqual([
      'postgresql://earmark:s%40cret@10.0.0.1:5433/ledger?sslmode=disable',
      'postgresql://earmark:s%40cret@db-b/ledger?sslmode=disable',
      'postgresql://earmark:s%40cret@[::1]:5435/ledger?sslmode=disable',
    ]);
  });

  it('takes target_session_attrs on one host too, and primary as libpq does', () => {
    const parsed = parseConnectionString('postgres://127.0.0.1:5433/ledger?target_session_attrs=primary');

    expect(parsed.targetSessionAttrs).toBe('primary');
    expect(parsed.targets).toEqual([{ host: '127.0.0.1', port: 5433 }]);
    expect(parsed.connectionStringFor(parsed.targets[0])).toBe('postgres://127.0.0.1:5433/ledger');
  });

  it.each([
    ['postgres://a:1,b:2/db?target_session_attrs=standby', /target_session_attrs must be one of any, read-write, primary, got standby/],
    ['postgres://a:1,,b:2/db', /not a host\[:port\]/],
    ['postgres://a:1,b:70000/db', /port out of range/],
    ['postgres://a:1,b:x/db', /not a host\[:port\]/],
  ])('refuses %s', (connectionString, message) => {
    expect(() => parseConnectionString(connectionString)).toThrow(message);
  });
});

describe('describeConnection', () => {
  it('masks the password of a one-server string', () => {
    expect(describeConnection('postgres://earmark:secret@db:5433/ledger')).toBe('postgres://earmark:***@db:5433/ledger');
  });

  it('masks the password of a several-server string, in the user part and in the query', () => {
    expect(
      describeConnection('postgres://earmark:secret@a:5433,b:5434/ledger?target_session_attrs=read-write&password=other'),
    ).toBe('postgres://earmark:***@a:5433,b:5434/ledger?target_session_attrs=read-write&password=***');
    expect(describeConnection('postgres://earmark@a:5433,b:5434/ledger')).toBe('postgres://earmark@a:5433,b:5434/ledger');
  });
});
