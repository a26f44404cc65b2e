import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { createTestDatabase } from '../../libs/event-store/test/support/postgres-test-db';
import { seedPath } from '../support/test-app';
import { runCli } from '../support/server-process';

/**
 * An attacker with write access to the database edits or removes events; `earmark verify` must
 * say so and name where. The stores refuse UPDATE and DELETE on events through triggers, so the
 * attacker drops those first.
 */

/** The seed's allocation document is recorded at this position (its document number at 2). */
const allocationPosition = 1;
const seededEvents = 23;

/** Each CLI run loads the whole application (about two seconds); a test runs up to five. */
const testTimeoutMs = 120_000;

type Env = Record<string, string | undefined>;

/** The test's own environment without anything that would point the CLI at another store. */
function cleanEnv(extra: Env): Env {
  const env: Env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('EARMARK_') || name === 'KURRENTDB_URL' || name === 'NODE_ENV') delete env[name];
  return { ...env, ...extra };
}

function earmark(env: Env, ...args: string[]) {
  return runCli(env as NodeJS.ProcessEnv, ...args);
}

/** One byte of the allocation's total: "1…" becomes "2…", so the JSON still parses. */
function changeOneByte(text: string): string {
  const at = text.indexOf('"totalFen":"1');
  expect(at).toBeGreaterThan(0);
  const digit = at + '"totalFen":"'.length;
  return `${text.slice(0, digit)}2${text.slice(digit + 1)}`;
}

describe('earmark verify catches tampering', () => {
  describe('SQLite', () => {
    let dataDir: string;
    let env: Env;
    beforeEach(() => {
      dataDir = mkdtempSync(join(tmpdir(), 'earmark-tamper-'));
      env = cleanEnv({ EARMARK_DATA_DIR: dataDir, EARMARK_STORE: 'sqlite' });
      expect(earmark(env, 'import', seedPath).status).toBe(0);
    }, testTimeoutMs);
    afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

    const sqlite = () => new Database(join(dataDir, 'earmark.sqlite'));

    it('(d) an untouched store verifies: exit 0', () => {
      const plain = earmark(env, 'verify');
      expect(plain.stdout).toBe(
        `OK: ${seededEvents} events, chain verified, balances replayed (no checkpoint to check the Merkle root and signature against)\n`,
      );
      expect(plain.status).toBe(0);
      // Exporting signs the first checkpoint; from then on the store is checked against it.
      expect(earmark(env, 'export', '--out', join(dataDir, 'export.jsonl')).status).toBe(0);
      const signed = earmark(env, 'verify');
      expect(signed.stdout).toBe(`OK: ${seededEvents + 1} events, chain, Merkle root and signature verified, balances replayed\n`);
      expect(signed.status).toBe(0);
    }, testTimeoutMs);

    it('(a) one byte changed in one stored event’s data: exit 1, naming its position', () => {
      const db = sqlite();
      db.exec('DROP TRIGGER events_no_update');
      const row = db.prepare('SELECT data FROM events WHERE position = ?').get(allocationPosition) as { data: string };
      const altered = changeOneByte(row.data);
      expect(Buffer.byteLength(altered)).toBe(Buffer.byteLength(row.data));
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run(altered, allocationPosition);
      db.close();

      const run = earmark(env, 'verify');
      expect(run.stdout).toBe(`FAILED at position ${allocationPosition}: hash does not match its contents\n`);
      expect(run.status).toBe(1);
    }, testTimeoutMs);

    it('(c) the last events deleted: the store alone looks whole, the checkpoint saved earlier shows the removal', () => {
      const exported = join(dataDir, 'export.jsonl');
      expect(earmark(env, 'export', '--out', exported).status).toBe(0);
      const lines = readFileSync(exported, 'utf8').trimEnd().split('\n');
      const saved = JSON.parse(lines[lines.length - 1]).checkpoint;
      expect(saved.treeSize).toBe(seededEvents);
      const savedFile = join(dataDir, 'saved-checkpoint.json');
      writeFileSync(savedFile, JSON.stringify(saved));

      // The last signed event goes, and the checkpoint recorded after it, which would betray it.
      const db = sqlite();
      db.exec('DROP TRIGGER events_no_delete');
      expect(db.prepare('DELETE FROM events WHERE position >= ?').run(seededEvents).changes).toBe(2);
      db.close();

      const alone = earmark(env, 'verify');
      expect(alone.stdout).toBe(
        `OK: ${seededEvents - 1} events, chain verified, balances replayed (no checkpoint to check the Merkle root and signature against)\n`,
      );
      const against = earmark(env, 'verify', '--checkpoint', savedFile);
      expect(against.stdout).toBe(
        `FAILED at position ${seededEvents}: missing: the saved checkpoint signs ${seededEvents} events and the log holds ${seededEvents - 1}, so events were removed\n`,
      );
      expect(against.status).toBe(1);
    }, testTimeoutMs);

    it('(e) export, then verify the file offline with no database and no data folder; one byte changed fails', () => {
      const keyFile = join(dataDir, 'signing.pem');
      const keys = earmark(env, 'keys', 'signing', '--out', keyFile);
      expect(keys.status).toBe(0);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const publicKeyPem = /-----BEGIN PUBLIC KEY-----\n[^-]+-----END PUBLIC KEY-----\n/.exec(keys.stdout)?.[0];
      expect(publicKeyPem).toBeDefined();
      const publicKeyFile = join(dataDir, 'ledger-public.pem');
      writeFileSync(publicKeyFile, publicKeyPem as string);

      const exported = join(dataDir, 'export.jsonl');
      const exporting = earmark({ ...env, EARMARK_SIGNING_KEY_FILE: keyFile }, 'export', '--out', exported);
      expect(exporting.stdout).toMatch(new RegExp(`^exported ${seededEvents + 1} events to .*; the checkpoint signs the first ${seededEvents} `));
      expect(exporting.status).toBe(0);

      const nowhere = join(dataDir, 'no-such-folder');
      const offline = cleanEnv({ EARMARK_DATA_DIR: nowhere });
      const verifyFile = () => earmark(offline, 'verify', '--file', exported, '--public-key', publicKeyFile);
      const clean = verifyFile();
      expect(clean.stdout).toBe(`OK: ${seededEvents + 1} events, chain, Merkle root and signature verified, balances replayed\n`);
      expect(clean.status).toBe(0);
      expect(existsSync(nowhere)).toBe(false);

      const bytes = readFileSync(exported);
      const lines = bytes.toString('utf8').split('\n');
      // Line 1 is the header; the event at position p is line p + 1.
      lines[allocationPosition] = changeOneByte(lines[allocationPosition]);
      const altered = Buffer.from(lines.join('\n'), 'utf8');
      expect(altered.length).toBe(bytes.length);
      expect([...altered].filter((byte, i) => byte !== bytes[i])).toHaveLength(1);
      writeFileSync(exported, altered);

      const tampered = verifyFile();
      expect(tampered.stdout).toBe(`FAILED at position ${allocationPosition}: hash does not match its contents\n`);
      expect(tampered.status).toBe(1);
      expect(existsSync(nowhere)).toBe(false);
    }, testTimeoutMs);
  });

  describe('PostgreSQL', () => {
    let database: { url: string; drop(): Promise<void> };
    let dataDir: string;
    let env: Env;
    beforeAll(async () => {
      database = await createTestDatabase();
      dataDir = mkdtempSync(join(tmpdir(), 'earmark-tamper-pg-'));
      env = cleanEnv({ EARMARK_DATA_DIR: dataDir, EARMARK_STORE: 'postgres', EARMARK_DATABASE_URL: database.url });
      expect(earmark(env, 'import', seedPath).status).toBe(0);
    }, testTimeoutMs);
    afterAll(async () => {
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('(b) one byte changed in one stored event’s data: exit 1, naming its position', async () => {
      const before = earmark(env, 'verify');
      expect(before.stdout).toMatch(/^OK: 23 events, chain verified, balances replayed/);
      expect(before.status).toBe(0);

      const client = new Client({ connectionString: database.url });
      await client.connect();
      try {
        // The schema's guards against edits (postgres-schema.ts): no rules, these two triggers.
        await client.query('DROP TRIGGER events_immutable ON events');
        await client.query('DROP TRIGGER events_no_truncate ON events');
        const { rows } = await client.query<{ data: string }>('SELECT data FROM events WHERE position = $1', [allocationPosition]);
        const altered = changeOneByte(rows[0].data);
        expect(Buffer.byteLength(altered)).toBe(Buffer.byteLength(rows[0].data));
        await client.query('UPDATE events SET data = $1 WHERE position = $2', [altered, allocationPosition]);
      } finally {
        await client.end();
      }

      const run = earmark(env, 'verify');
      expect(run.stdout).toBe(`FAILED at position ${allocationPosition}: hash does not match its contents\n`);
      expect(run.status).toBe(1);
    }, testTimeoutMs);
  });
});
