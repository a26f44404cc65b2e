import { Client } from 'pg';
import { EventStoreUnavailableError } from '../src';
import { PostgresEventStore } from '../src/postgres';
import { rejectionOf } from './support/async';
import { testEvent } from './support/events';
import { createTestDatabase } from './support/postgres-test-db';

/**
 * Several hosts and target_session_attrs on the real server. The failover itself (a primary killed,
 * its standby promoted) is tests/reliability/postgres-failover.e2e-spec.ts.
 */
describe('PostgreSQL store on a multi-host connection string', () => {
  let database: { url: string; drop(): Promise<void> };
  let url: URL;
  const opened: PostgresEventStore[] = [];
  beforeEach(async () => {
    database = await createTestDatabase();
    url = new URL(database.url);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    await database.drop();
  });

  /** Port 1 on loopback refuses connections: a server that is down. */
  const hostsUrl = (hosts: string, attrs: string) =>
    `postgres://${url.username}${url.password ? `:${url.password}` : ''}@${hosts}${url.pathname}?target_session_attrs=${attrs}`;
  const open = (connectionString: string) => {
    const store = new PostgresEventStore({ connectionString });
    opened.push(store);
    return store;
  };

  it('skips a server that is down and writes to the next one accepting writes', async () => {
    const store = open(hostsUrl(`127.0.0.1:1,${url.host}`, 'read-write'));
    await store.init();

    await store.append({ streams: [{ streamName: 'account-1', expectedVersion: 'no-stream', events: [testEvent(1)] }] });

    expect(await store.headPosition()).toBe(1n);
  });

  it('refuses, as unavailable, when no server accepts writes, naming each and why', async () => {
    const admin = new Client({ connectionString: database.url });
    await admin.connect();
    await admin.query(`ALTER DATABASE ${url.pathname.slice(1)} SET default_transaction_read_only = on`);
    await admin.end();
    const store = open(hostsUrl(`127.0.0.1:1,${url.host}`, 'read-write'));

    const error = await rejectionOf(store.init());

    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    expect((error as Error).message).toMatch(
      new RegExp(`no server fits target_session_attrs=read-write \\(127\\.0\\.0\\.1:1: .*ECONNREFUSED.*; ${url.host.replace(/\./g, '\\.')} does not accept writes\\)$`),
    );
  });

  it('with target_session_attrs=any takes the first server that answers, read-only or not', async () => {
    const admin = new Client({ connectionString: database.url });
    await admin.connect();
    await admin.query(`ALTER DATABASE ${url.pathname.slice(1)} SET default_transaction_read_only = on`);
    await admin.end();
    const store = open(hostsUrl(`127.0.0.1:1,${url.host}`, 'any'));

    const error = await rejectionOf(store.init());

    // Connected, then refused by the server: migrating is a write.
    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    expect((error as Error).message).toMatch(/read-only transaction/);
  });
});
