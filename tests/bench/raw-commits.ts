import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';

/**
 * The disk's pace, measured with nothing of Earmark in the way: the yardsticks the command figures
 * are divided by. Each row is shaped like a stored event (a disbursement's data and metadata, a
 * hash), in a table without secondary indexes, committed with the same durability the stores use:
 * SQLite in WAL mode with synchronous=FULL, PostgreSQL with its default synchronous commit.
 */

export interface RawSqliteFigure {
  readonly singleRowCommits: number;
  readonly singleRowCommitsPerSecond: number;
  readonly rowsPer64RowCommit: 64;
  readonly commitsOf64Rows: number;
  readonly rowsPerSecondIn64RowCommits: number;
}

export interface RawPostgresFigure {
  readonly clients: 64;
  readonly commits: number;
  readonly seconds: number;
  readonly commitsPerSecond: number;
}

const rowsPerGroupCommit = 64;
const postgresClients = 64;

const createTable = `
  CREATE TABLE raw_events (
    position       INTEGER PRIMARY KEY,
    id             TEXT NOT NULL,
    stream_name    TEXT NOT NULL,
    stream_version INTEGER NOT NULL,
    type           TEXT NOT NULL,
    data           TEXT NOT NULL,
    metadata       TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    hash           TEXT NOT NULL,
    previous_hash  TEXT NOT NULL
  )`;

function rawRow(n: number): unknown[] {
  const data = {
    disbursementId: randomUUID(),
    programCode: 'sc-pension-contribution-subsidy',
    fiscalYear: 2024,
    regionCode: '510100',
    kind: 'beneficiary-payment',
    amountFen: '100',
    paidOn: '2024-06-30',
    voucherNo: `RAW-${n}`,
    expenditureSubject: '2083001',
    beneficiaries: 1,
    afterSettlement: false,
  };
  const metadata = { actor: 'bench-finance', role: 'finance', commandId: randomUUID(), idempotencyKey: `raw-${n}` };
  return [randomUUID(), 'fund-sc-pension-contribution-subsidy-2024', n, 'DisbursementRecorded', JSON.stringify(data), JSON.stringify(metadata), new Date().toISOString(), 'a'.repeat(64), 'b'.repeat(64)];
}

/** better-sqlite3 on a fresh file in `dataDir`: single-row commits, then 64 single-row inserts per commit. */
export function measureRawSqlite(dataDir: string, singleRowCommits: number, commitsOf64Rows: number): RawSqliteFigure {
  const db = new Database(join(dataDir, 'raw.sqlite'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(createTable);
    const insert = db.prepare(
      'INSERT INTO raw_events (id, stream_name, stream_version, type, data, metadata, recorded_at, hash, previous_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    let n = 0;
    const warmUpCommits = Math.min(100, singleRowCommits);
    for (let i = 0; i < warmUpCommits; i += 1) insert.run(rawRow(n++));

    let started = process.hrtime.bigint();
    for (let i = 0; i < singleRowCommits; i += 1) insert.run(rawRow(n++));
    const singleSeconds = Number(process.hrtime.bigint() - started) / 1e9;

    const commit64 = db.transaction((rows: unknown[][]) => {
      for (const row of rows) insert.run(row);
    });
    started = process.hrtime.bigint();
    for (let i = 0; i < commitsOf64Rows; i += 1) {
      // Rows are made inside the timing, as the single-row loop makes them.
      commit64(Array.from({ length: rowsPerGroupCommit }, () => rawRow(n++)));
    }
    const groupSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    return {
      singleRowCommits,
      singleRowCommitsPerSecond: Math.round(singleRowCommits / singleSeconds),
      rowsPer64RowCommit: rowsPerGroupCommit,
      commitsOf64Rows,
      rowsPerSecondIn64RowCommits: Math.round((commitsOf64Rows * rowsPerGroupCommit) / groupSeconds),
    };
  } finally {
    db.close();
  }
}

/** 64 clients of `databaseUrl` (a throwaway database), each inserting one row per commit until `commits` are done. */
export async function measureRawPostgres(databaseUrl: string, commits: number): Promise<RawPostgresFigure> {
  const clients = Array.from({ length: postgresClients }, () => new Client({ connectionString: databaseUrl }));
  try {
    await Promise.all(clients.map((client) => client.connect()));
    await clients[0].query(createTable.replace('INTEGER PRIMARY KEY', 'BIGSERIAL PRIMARY KEY').replace('stream_version INTEGER', 'stream_version BIGINT'));
    const sql =
      'INSERT INTO raw_events (id, stream_name, stream_version, type, data, metadata, recorded_at, hash, previous_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)';
    let next = 0;
    const run = (count: number) =>
      Promise.all(
        clients.map(async (client) => {
          while (next < count) {
            const n = next;
            next += 1;
            await client.query(sql, rawRow(n));
          }
        }),
      );
    await run(Math.min(1_000, commits));
    next = 0;
    const started = process.hrtime.bigint();
    await run(commits);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { clients: postgresClients, commits, seconds: Number(seconds.toFixed(2)), commitsPerSecond: Math.round(commits / seconds) };
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
  }
}
