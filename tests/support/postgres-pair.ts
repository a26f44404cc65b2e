import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort, projectRoot } from './server-process';

const run = promisify(execFile);
const scripts = join(projectRoot, 'deploy', 'postgres-failover');
/** The pair's scripts wait for PostgreSQL themselves (at most 60 s a step); this bounds a hung one. */
const scriptTimeoutMs = 120_000;
export const failoverDatabase = 'earmark';

/**
 * A primary and its synchronous standby on loopback ports, made by deploy/postgres-failover's
 * scripts in a temporary folder: the real servers, killed and promoted for real.
 */
export class PostgresPair {
  private constructor(
    readonly dir: string,
    readonly primaryPort: number,
    readonly standbyPort: number,
  ) {}

  static async up(): Promise<PostgresPair> {
    const primaryPort = await freePort();
    let standbyPort = await freePort();
    while (standbyPort === primaryPort) standbyPort = await freePort();
    // The scripts want a folder of their own that does not exist yet or is empty.
    const dir = mkdtempSync(join(tmpdir(), 'earmark-pg-pair-'));
    const pair = new PostgresPair(dir, primaryPort, standbyPort);
    try {
      await script('pair-up.sh', dir, String(primaryPort), String(standbyPort));
      await pair.sql(primaryPort, 'postgres', `CREATE DATABASE ${failoverDatabase}`);
    } catch (error) {
      await pair.down();
      throw error;
    }
    return pair;
  }

  /** What the service is given: both servers, the one accepting writes chosen at each connection. */
  get serviceUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.primaryPort},127.0.0.1:${this.standbyPort}/${failoverDatabase}?target_session_attrs=read-write`;
  }

  urlOf(port: number, database = failoverDatabase): string {
    return `postgres://postgres@127.0.0.1:${port}/${database}`;
  }

  /** Returns when the primary was killed: between `fromMs` and `toMs`, ms since the epoch (as Date.now()). */
  async killPrimary(): Promise<{ fromMs: number; toMs: number }> {
    const printed = (await script('kill-primary.sh', this.dir)).trim();
    const [fromMs, toMs] = printed.split(' ').slice(1).map(Number);
    if (!Number.isSafeInteger(fromMs) || !Number.isSafeInteger(toMs)) throw new Error(`kill-primary.sh printed no times: ${printed}`);
    return { fromMs, toMs };
  }

  async promoteStandby(): Promise<void> {
    await script('promote.sh', this.dir);
  }

  async down(): Promise<void> {
    await script('pair-down.sh', this.dir).catch(() => rmSync(this.dir, { recursive: true, force: true }));
  }

  async sql<Row extends object>(port: number, database: string, text: string): Promise<Row[]> {
    const client = new Client({ connectionString: this.urlOf(port, database), connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      return (await client.query(text)).rows as Row[];
    } finally {
      await client.end();
    }
  }
}

async function script(name: string, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run(join(scripts, name), args, { timeout: scriptTimeoutMs, encoding: 'utf8' });
    return stdout;
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    throw new Error(`${name} ${args.join(' ')} failed: ${stderr?.trim() || message}`);
  }
}
