import { Client } from 'pg';
import { eventsChannel } from './postgres-schema';

/** How long after a lost LISTEN connection the next attempt to reconnect may start. */
export const listenReconnectDelayMs = 1_000;
export const listenConnectTimeoutMs = 10_000;

/**
 * One LISTEN connection per store, shared by its subscriptions. A notification only wakes readers
 * early: they read the log by position, never trust the payload, and poll anyway, so a lost
 * connection or a missed notification delays delivery but never loses an event.
 */
export class PostgresNotifier {
  /** Bumped on every notification and on every (re)connection, which may have missed some. */
  private generationCounter = 0;
  private client: Client | null = null;
  private connecting: Promise<void> | null = null;
  private lastAttemptMs = -Infinity;
  private closed = false;
  private readonly waiters = new Set<() => void>();

  /** `connectionString` names the server to listen on; a function is asked again on every reconnection (it may have changed). */
  constructor(private readonly connectionString: string | (() => Promise<string>)) {}

  get generation(): number {
    return this.generationCounter;
  }

  /** Starts listening if not already; never throws (subscribers fall back to polling). */
  listen(): Promise<void> {
    if (this.closed || this.client) return Promise.resolve();
    if (this.connecting) return this.connecting;
    if (Date.now() - this.lastAttemptMs < listenReconnectDelayMs) return Promise.resolve();
    this.lastAttemptMs = Date.now();
    this.connecting = this.connect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  /**
   * Resolves when a notification newer than `seenGeneration` arrives, after `timeoutMs`, or when
   * `signal` aborts, whichever comes first.
   */
  waitForChange(seenGeneration: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
    void this.listen();
    if (this.generationCounter !== seenGeneration || signal.aborted || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done);
      this.waiters.add(done);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeAll();
    if (this.connecting) await this.connecting;
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    let connectionString: string;
    try {
      connectionString = typeof this.connectionString === 'string' ? this.connectionString : await this.connectionString();
    } catch {
      return;
    }
    const client = new Client({ connectionString, connectionTimeoutMillis: listenConnectTimeoutMs });
    client.on('notification', () => this.bump());
    client.on('error', () => this.drop(client));
    client.on('end', () => this.drop(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${eventsChannel}`);
    } catch {
      await client.end().catch(() => undefined);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.bump();
  }

  private drop(client: Client): void {
    if (this.client !== client) return;
    this.client = null;
    void client.end().catch(() => undefined);
  }

  private bump(): void {
    this.generationCounter += 1;
    this.wakeAll();
  }

  private wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }
}
