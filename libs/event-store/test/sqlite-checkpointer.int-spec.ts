import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EventStoreUnavailableError } from '../src';
import { SqliteEventStore, type SqliteCheckpointMode } from '../src/sqlite';
import { SqliteCheckpointer } from '../src/sqlite/sqlite-checkpointer';
import { sleep, waitUntil } from './support/async';
import { testEvent } from './support/events';
import { appendPayments, endCheckpointerThread } from './support/wal-appends';
import { makeTempDir } from './support/temp-dir';

/** The thread starts from TypeScript sources here, compiled as they load: allow for a busy machine. */
const threadTestLimitMs = 60_000;

/** What the file holds against what the store's connection sees (the WAL's pages included), in bytes. */
function fileAgainstDatabase(store: SqliteEventStore, file: string): { file: number; database: number } {
  const db = (store as unknown as { database(): Database.Database }).database();
  const pages = Number(db.pragma('page_count', { simple: true }));
  const pageSize = Number(db.pragma('page_size', { simple: true }));
  return { file: statSync(file).size, database: pages * pageSize };
}

/** The background thread's passes as health shows them; null until the thread has started. */
function passesOf(store: SqliteEventStore): { passes: number; completePasses: number; failedPasses: number } | null {
  const checkpoints = store.health().checkpoints;
  if (checkpoints?.mode !== 'background') throw new Error('the store checkpoints inline');
  return checkpoints.thread === 'not-started' ? null : checkpoints;
}

/** Waits for the thread, which starts from TypeScript sources here: allow for a busy machine. */
const until = (condition: () => boolean, what: string): Promise<void> => waitUntil(condition, what, 20_000);

/**
 * Waits until the database file holds every page the store's connection sees (nothing left only in
 * the WAL) and the thread has counted `completePasses` complete passes, then until its passes stop:
 * the file can be full while the pass that filled it is still fsyncing, before it is counted.
 */
async function untilCheckpointed(store: SqliteEventStore, file: string, completePasses: number, what: string): Promise<void> {
  await until(() => {
    const sizes = fileAgainstDatabase(store, file);
    return sizes.file === sizes.database && (passesOf(store)?.completePasses ?? 0) >= completePasses;
  }, what);
  // With no commit and no frame left behind, no pass follows: the counts then stand still.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const passes = passesOf(store)!.passes;
    await sleep(200);
    if (passesOf(store)!.passes === passes) return;
    if (Date.now() > deadline) throw new Error(`the thread's passes did not stop after ${what}`);
  }
}

/**
 * The WAL as a connection of the test's own finds it: a PASSIVE checkpoint with no commit since the
 * thread's last pass copies what that pass could and reports the same frames.
 */
function walReading(file: string): { walFrames: number; framesLeft: number } {
  const db = new Database(file);
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    expect(row.busy).toBe(0);
    return { walFrames: row.log, framesLeft: row.log - row.checkpointed };
  } finally {
    db.close();
  }
}

describe('SqliteEventStore checkpoints', () => {
  let temp: ReturnType<typeof makeTempDir>;
  const opened: SqliteEventStore[] = [];

  beforeEach(() => {
    temp = makeTempDir('earmark-sqlite-checkpoints-');
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    temp.remove();
  });

  async function openStore(file: string, checkpoints: SqliteCheckpointMode, checkpointerRestartMs?: number): Promise<SqliteEventStore> {
    const store = new SqliteEventStore({ file, checkpoints, checkpointerRestartMs });
    opened.push(store);
    await store.init();
    return store;
  }

  /** A background store in `name`, its first `payments` payments copied into the file by the thread. */
  async function openCheckpointed(name: string, payments: number, checkpointerRestartMs?: number): Promise<{ file: string; store: SqliteEventStore }> {
    const file = join(temp.dir, name);
    const store = await openStore(file, 'background', checkpointerRestartMs);
    await appendPayments(store, 1, payments);
    await untilCheckpointed(store, file, 1, `the first ${payments} payment(s) in the file`);
    return { file, store };
  }

  it(
    'in the background, the committed pages reach the database file without a commit copying them; inline, they wait in the WAL',
    async () => {
      const inlineFile = join(temp.dir, 'inline.sqlite');
      const inline = await openStore(inlineFile, 'inline');
      await appendPayments(inline, 1, 300);
      // Six of the background thread's intervals: inline, nothing copies the pages meanwhile.
      await sleep(300);
      const inlineSizes = fileAgainstDatabase(inline, inlineFile);
      expect(inlineSizes.file).toBeLessThan(inlineSizes.database);
      expect(inline.health()).toEqual({ checkpoints: { mode: 'inline' } });

      const backgroundFile = join(temp.dir, 'background.sqlite');
      const background = await openStore(backgroundFile, 'background');
      await appendPayments(background, 1, 300);
      await untilCheckpointed(background, backgroundFile, 1, 'the file to hold every page');
      const { passes, completePasses, failedPasses } = passesOf(background)!;
      const counts = { passes, completePasses, failedPasses };
      expect(counts.passes).toBeGreaterThanOrEqual(1);
      expect(counts.completePasses).toBeGreaterThanOrEqual(1);
      expect(counts.failedPasses).toBe(0);
      const wal = walReading(backgroundFile);
      expect(wal.walFrames).toBeGreaterThan(0);
      expect(background.health()).toEqual({ checkpoints: { mode: 'background', thread: 'running', restarts: 0, ...counts, ...wal, framesLeft: 0 } });
      // The file is the database: a connection reading it alone, once the WAL is gone, sees every event.
      await background.close();
      expect(existsSync(`${backgroundFile}-wal`)).toBe(false);
      const reader = new Database(backgroundFile, { readonly: true });
      expect(reader.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 300 });
      reader.close();
    },
    threadTestLimitMs,
  );

  it(
    'a store that only reads, or whose appends all fail, starts no thread; its first append that commits starts it',
    async () => {
      const file = join(temp.dir, 'reads.sqlite');
      const store = await openStore(file, 'background');
      expect(await store.headPosition()).toBe(0n);
      const refused = await store
        .append({ streams: [{ streamName: 'account-1', expectedVersion: 5n, events: [testEvent(1)] }] })
        .then(() => 'stored', (error: unknown) => (error as Error).name);
      expect(refused).toBe('ConcurrencyError');
      await sleep(300);
      const none = { passes: 0, completePasses: 0, failedPasses: 0, walFrames: 0, framesLeft: 0 };
      expect(store.health()).toEqual({ checkpoints: { mode: 'background', thread: 'not-started', restarts: 0, ...none } });

      await appendPayments(store, 1, 1);
      await untilCheckpointed(store, file, 1, 'the first payment in the file');
      expect(store.health().checkpoints).toMatchObject({ thread: 'running', passes: 1, completePasses: 1, failedPasses: 0 });
    },
    threadTestLimitMs,
  );

  it(
    'a reader holding an older snapshot leaves frames behind; the thread goes on trying after it ends, with no commit to prompt it',
    async () => {
      const { file, store } = await openCheckpointed('reader.sqlite', 50);

      const reader = new Database(file, { readonly: true });
      reader.exec('BEGIN');
      expect(reader.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 50 });
      await appendPayments(store, 51, 200);
      const completeBefore = passesOf(store)!.completePasses;
      const passesBefore = passesOf(store)!.passes;
      await until(() => passesOf(store)!.passes >= passesBefore + 3, 'three passes while the reader holds its snapshot');
      expect(passesOf(store)!.completePasses).toBe(completeBefore);
      const held = fileAgainstDatabase(store, file);
      expect(held.file).toBeLessThan(held.database);
      // Operators see it: frames left at every pass.
      const wal = walReading(file);
      expect(wal.framesLeft).toBeGreaterThan(0);
      expect(store.health().checkpoints).toMatchObject({ thread: 'running', ...wal });

      reader.exec('COMMIT');
      reader.close();
      await untilCheckpointed(store, file, completeBefore + 1, 'the file to hold every page once the reader ended');
      expect(passesOf(store)!.completePasses).toBe(completeBefore + 1);
      expect(passesOf(store)!.failedPasses).toBe(0);
      expect(store.health().checkpoints).toMatchObject({ framesLeft: 0, walFrames: walReading(file).walFrames });
    },
    threadTestLimitMs,
  );

  it(
    'a thread that ended, or never started, shows as stopped, and the commits go on checkpointing on their own',
    async () => {
      const { store } = await openCheckpointed('ended.sqlite', 1);
      await endCheckpointerThread(store);
      expect(store.health().checkpoints).toMatchObject({ mode: 'background', thread: 'stopped', passes: 1, completePasses: 1 });
      await appendPayments(store, 2, 1);
      expect(await store.headPosition()).toBe(2n);

      // A test double: a second connection the file refuses cannot be made here (the tests run as
      // root, whom permissions do not stop), so the thread's start is made to fail as it would.
      const refused = jest.spyOn(SqliteCheckpointer, 'start').mockRejectedValue(new EventStoreUnavailableError('the SQLite checkpointer could not open'));
      try {
        const other = await openStore(join(temp.dir, 'refused.sqlite'), 'background');
        await appendPayments(other, 1, 1);
        await until(() => {
          const checkpoints = other.health().checkpoints;
          return checkpoints?.mode === 'background' && checkpoints.thread !== 'not-started';
        }, 'the start to fail');
        expect(other.health()).toEqual({
          checkpoints: { mode: 'background', thread: 'stopped', restarts: 0, passes: 0, completePasses: 0, failedPasses: 0, walFrames: 0, framesLeft: 0 },
        });
        expect(refused).toHaveBeenCalledTimes(1);
      } finally {
        refused.mockRestore();
      }
    },
    threadTestLimitMs,
  );

  it(
    'a thread that ended is started again by the first commit checkpointerRestartMs later, and its passes add to the last one\'s',
    async () => {
      const restartMs = 3_000;
      const { file, store } = await openCheckpointed('restarted.sqlite', 1, restartMs);
      await endCheckpointerThread(store);
      const stoppedAt = Date.now();

      // Too soon: these commits find the thread ended; they leave their pages in the WAL, too few
      // for a commit to checkpoint on its own.
      await appendPayments(store, 2, 50);
      await sleep(300);
      const last = { passes: 1, completePasses: 1, failedPasses: 0 };
      expect(store.health().checkpoints).toMatchObject({ mode: 'background', thread: 'stopped', restarts: 0, ...last });
      expect(Date.now() - stoppedAt).toBeLessThan(restartMs);
      const sizes = fileAgainstDatabase(store, file);
      expect(sizes.file).toBeLessThan(sizes.database);

      await sleep(restartMs - (Date.now() - stoppedAt) + 100);
      await appendPayments(store, 52, 1);
      await untilCheckpointed(store, file, 2, 'the restarted thread to copy the payments since');
      const after = walReading(file);
      expect(store.health()).toEqual({
        checkpoints: { mode: 'background', thread: 'running', restarts: 1, passes: 2, completePasses: 2, failedPasses: 0, ...after },
      });
      expect(after.framesLeft).toBe(0);
      expect(await store.headPosition()).toBe(52n);
    },
    threadTestLimitMs,
  );

  it(
    'a thread that could not start is tried again by the first commit checkpointerRestartMs later',
    async () => {
      // The same test double as above: the first start fails as a refused connection would.
      const refused = jest
        .spyOn(SqliteCheckpointer, 'start')
        .mockRejectedValueOnce(new EventStoreUnavailableError('the SQLite checkpointer could not open'));
      try {
        const restartMs = 3_000;
        const file = join(temp.dir, 'retried.sqlite');
        const store = await openStore(file, 'background', restartMs);
        await appendPayments(store, 1, 1);
        await until(() => (store.health().checkpoints as { thread: string }).thread === 'stopped', 'the start to fail');
        const failedAt = Date.now();
        await appendPayments(store, 2, 1);
        await sleep(300);
        expect(Date.now() - failedAt).toBeLessThan(restartMs);
        expect(refused).toHaveBeenCalledTimes(1);
        expect(store.health().checkpoints).toMatchObject({ thread: 'stopped', restarts: 0, passes: 0 });

        await sleep(restartMs - (Date.now() - failedAt) + 100);
        await appendPayments(store, 3, 1);
        await untilCheckpointed(store, file, 1, 'the second try to copy the three payments');
        expect(refused).toHaveBeenCalledTimes(2);
        expect(store.health().checkpoints).toMatchObject({ thread: 'running', restarts: 1, passes: 1, completePasses: 1, failedPasses: 0 });
      } finally {
        refused.mockRestore();
      }
    },
    threadTestLimitMs,
  );

  it(
    'a thread that cannot open the file fails to start, naming the file',
    async () => {
      const file = join(temp.dir, 'missing-folder', 'store.sqlite');
      const failure = await SqliteCheckpointer.start(file, 100).then(
        () => null,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(EventStoreUnavailableError);
      expect((failure as Error).message).toBe(
        `the SQLite checkpointer could not open ${file}: Cannot open database because the directory does not exist`,
      );
    },
    threadTestLimitMs,
  );
});
