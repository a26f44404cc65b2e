import { Client, Pool, type PoolClient, type PoolConfig, type QueryResult, type QueryResultRow } from 'pg';
import { EventStoreUnavailableError } from '../event-store.port';
import { describeConnection, toStoreError } from './postgres-errors';

/**
 * libpq's `target_session_attrs`, the values a ledger can use: `any` takes the first server that
 * answers, `read-write` the first whose sessions accept writes, `primary` the first not in recovery.
 */
export type TargetSessionAttrs = 'any' | 'read-write' | 'primary';
const targetSessionAttrsValues: readonly TargetSessionAttrs[] = ['any', 'read-write', 'primary'];

export interface PostgresTarget {
  readonly host: string;
  readonly port: number;
}

export interface ParsedConnection {
  readonly targets: readonly PostgresTarget[];
  readonly targetSessionAttrs: TargetSessionAttrs;
  /** A connection string node-postgres can use: this target alone, without `target_session_attrs`. */
  connectionStringFor(target: PostgresTarget): string;
}

const defaultPort = 5432;
const maxHosts = 16;

/**
 * Reads a libpq URL that may name several servers, `postgres://user@h1:5433,h2:5434/db?target_session_attrs=read-write`,
 * which node-postgres 8 does not understand (it takes one host). A string naming one server and no
 * `target_session_attrs` is handed to node-postgres exactly as given.
 */
export function parseConnectionString(connectionString: string): ParsedConnection {
  const match = /^(postgres(?:ql)?:\/\/)(?:([^@/?#]*)@)?([^/?#]*)([^?#]*)(?:\?([^#]*))?$/i.exec(connectionString);
  const hostList = match?.[3] ?? '';
  const params = new URLSearchParams(match?.[5] ?? '');
  const attrs = params.get('target_session_attrs');
  if (!match || (!hostList.includes(',') && attrs === null)) {
    return {
      targets: [{ host: '', port: defaultPort }],
      targetSessionAttrs: 'any',
      connectionStringFor: () => connectionString,
    };
  }
  if (attrs !== null && !(targetSessionAttrsValues as readonly string[]).includes(attrs)) {
    throw new RangeError(`target_session_attrs must be one of ${targetSessionAttrsValues.join(', ')}, got ${attrs}`);
  }
  const targets = hostList.split(',').map(parseHost);
  if (targets.length > maxHosts) throw new RangeError(`a connection string names at most ${maxHosts} hosts, got ${targets.length}`);
  params.delete('target_session_attrs');
  const [, scheme, userInfo, , path] = match;
  const query = params.toString();
  return {
    targets,
    targetSessionAttrs: (attrs ?? 'any') as TargetSessionAttrs,
    connectionStringFor: (target) =>
      `${scheme}${userInfo === undefined ? '' : `${userInfo}@`}${formatHost(target)}${path}${query ? `?${query}` : ''}`,
  };
}

function parseHost(entry: string): PostgresTarget {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(entry);
  if (!match) throw new RangeError(`not a host[:port] in a connection string: ${JSON.stringify(entry)}`);
  const port = match[2] === undefined ? defaultPort : Number(match[2]);
  if (port < 1 || port > 65_535) throw new RangeError(`port out of range in a connection string: ${entry}`);
  return { host: match[1], port };
}

function formatHost(target: PostgresTarget): string {
  return target.port === defaultPort ? target.host : `${target.host}:${target.port}`;
}

function describeTarget(target: PostgresTarget): string {
  return `${target.host}:${target.port}`;
}

/** The server in use and the pool of connections to it. */
interface Located {
  readonly target: PostgresTarget;
  readonly connectionString: string;
  readonly pool: Pool;
}

/**
 * How many times one `connect()` looks for the server again after the one it had stopped
 * answering or stopped accepting writes: once is enough to follow a failover that has finished;
 * one still under way is reported (503) and the client retries with its Idempotency-Key.
 */
const maxConnectAttempts = 2;

/**
 * A pool over the server a multi-host connection string points at: the first, in the order given,
 * that fits `target_session_attrs`, as libpq chooses. Every new connection is checked again (a
 * server may have been demoted and restarted as a standby); when a connection cannot be made, or
 * lands on a server that no longer fits, the pool is dropped and the server looked for again. A
 * connection lost in the middle of a transaction is not retried here: its outcome is unknown, and
 * only the caller's Idempotency-Key can settle it.
 *
 * With one host and no `target_session_attrs`, it is a plain node-postgres pool.
 */
export class FailoverPool {
  private readonly connection: ParsedConnection;
  private current: Located | null = null;
  private locating: Promise<Located> | null = null;
  /** Connections whose server was checked when they were made. */
  private readonly checked = new WeakSet<PoolClient>();
  private ended = false;

  constructor(private readonly config: PoolConfig & { readonly connectionString: string }) {
    this.connection = parseConnectionString(config.connectionString);
  }

  /** The connection string of the server in use (looked for if none is). */
  async writerConnectionString(): Promise<string> {
    return (await this.located()).connectionString;
  }

  async connect(): Promise<PoolClient> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= maxConnectAttempts; attempt += 1) {
      this.assertOpen();
      let located: Located;
      let client: PoolClient;
      try {
        located = await this.located();
      } catch (error) {
        lastError = error;
        continue;
      }
      try {
        client = await located.pool.connect();
      } catch (error) {
        lastError = error;
        // With one server there is nowhere else to look: report at once, as node-postgres would.
        if (this.connection.targets.length === 1) break;
        this.forget(located);
        continue;
      }
      if (this.connection.targetSessionAttrs === 'any' || this.checked.has(client)) return client;
      try {
        if (await sessionFits(client, this.connection.targetSessionAttrs)) {
          this.checked.add(client);
          return client;
        }
        lastError = this.unavailable(`${describeTarget(located.target)} no longer accepts writes`);
        client.release(true);
      } catch (error) {
        lastError = error;
        client.release(error as Error);
      }
      this.forget(located);
    }
    throw this.asUnavailable(lastError);
  }

  /** One statement on a pooled connection; a connection that failed is destroyed, as node-postgres does. */
  async query<Row extends QueryResultRow>(sql: string, params: unknown[] = []): Promise<QueryResult<Row>> {
    const client = await this.connect();
    try {
      const result = await client.query<Row>(sql, params);
      client.release();
      return result;
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
  }

  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    const located = await (this.locating ?? Promise.resolve(this.current)).catch(() => null);
    this.current = null;
    if (located) await located.pool.end();
  }

  private located(): Promise<Located> {
    if (this.current) return Promise.resolve(this.current);
    this.locating ??= this.locate().finally(() => {
      this.locating = null;
    });
    return this.locating;
  }

  private async locate(): Promise<Located> {
    const { targets, targetSessionAttrs } = this.connection;
    if (targets.length === 1 && targetSessionAttrs === 'any') return this.use(targets[0]);
    const refusals: string[] = [];
    for (const target of targets) {
      const probe = new Client({
        connectionString: this.connection.connectionStringFor(target),
        connectionTimeoutMillis: this.config.connectionTimeoutMillis,
      });
      // A probe losing its connection reports through its promises; the event must not crash the process.
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        if (targetSessionAttrs === 'any' || (await sessionFits(probe, targetSessionAttrs))) return this.use(target);
        refusals.push(`${describeTarget(target)} does not accept writes`);
      } catch (error) {
        refusals.push(`${describeTarget(target)}: ${String((error as { message?: unknown }).message ?? error)}`);
      } finally {
        await probe.end().catch(() => undefined);
      }
    }
    throw this.unavailable(`no server fits target_session_attrs=${targetSessionAttrs} (${refusals.join('; ')})`);
  }

  private use(target: PostgresTarget): Located {
    this.assertOpen();
    const connectionString = this.connection.connectionStringFor(target);
    const pool = new Pool({ ...this.config, connectionString });
    const located: Located = { target, connectionString, pool };
    // An idle connection lost must not crash the process; with other servers to go to, it is also
    // the first sign of a failover, so the next connect() looks for the server again.
    pool.on('error', () => {
      if (this.connection.targets.length > 1) this.forget(located);
    });
    // A connection lost while checked out but between two statements is emitted on its client, and
    // an 'error' event nobody listens to ends the process. The holder learns of it all the same: its
    // next statement fails ("not queryable"), and it releases the client as lost.
    pool.on('connect', (client) => client.on('error', () => undefined));
    this.current = located;
    return located;
  }

  /** Stops using a server (its pool ends once the connections still out come back). */
  private forget(located: Located): void {
    // With a single server there is nowhere else to go: node-postgres reconnects by itself.
    if (this.connection.targets.length === 1 || this.current !== located) return;
    this.current = null;
    void located.pool.end().catch(() => undefined);
  }

  private assertOpen(): void {
    if (this.ended) throw this.unavailable('the pool is closed');
  }

  private asUnavailable(error: unknown): EventStoreUnavailableError {
    const classified = toStoreError(error, this.config.connectionString);
    if (classified instanceof EventStoreUnavailableError) return classified;
    return this.unavailable(String((error as { message?: unknown })?.message ?? error), error);
  }

  private unavailable(reason: string, cause?: unknown): EventStoreUnavailableError {
    return new EventStoreUnavailableError(`postgres at ${describeConnection(this.config.connectionString)}: ${reason}`, cause);
  }
}

/** The check libpq makes for `target_session_attrs`, on a connection just made. */
async function sessionFits(client: Pick<Client, 'query'>, attrs: Exclude<TargetSessionAttrs, 'any'>): Promise<boolean> {
  const result = await client.query<{ in_recovery: boolean; read_only: string }>(
    "SELECT pg_is_in_recovery() AS in_recovery, current_setting('transaction_read_only') AS read_only",
  );
  const row = result.rows[0];
  return attrs === 'primary' ? !row.in_recovery : row.read_only === 'off';
}
