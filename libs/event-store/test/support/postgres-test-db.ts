import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The server the real-database tests run against; they create and drop their own databases on it. */
export const testServerUrl = process.env.EARMARK_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const connectTimeoutMs = 5_000;

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

async function connectToServer(): Promise<Client> {
  const client = new Client({ connectionString: testServerUrl, connectionTimeoutMillis: connectTimeoutMs });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    // A missing server must fail the run, never skip it: the PostgreSQL adapter would go untested.
    throw new Error(
      `PostgreSQL test server unreachable at ${withoutPassword(testServerUrl)} ` +
        `(set EARMARK_TEST_DATABASE_URL to a server where this user may CREATE DATABASE): ${(error as Error).message}`,
    );
  }
  return client;
}

/** A new, empty database on the test server; `drop()` removes it, closing whatever is still connected. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `earmark_test_${randomBytes(8).toString('hex')}`;
  const admin = await connectToServer();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(testServerUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const dropper = await connectToServer();
      try {
        await dropper.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
          name,
        ]);
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
