import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { StoreHealth, WalCheckpointHealth } from '@earmark/event-store';
import { SqliteEventStore } from '@earmark/event-store/sqlite';
import { sleep, waitUntil } from '../../../libs/event-store/test/support/async';
import { makeTempDir } from '../../../libs/event-store/test/support/temp-dir';
import { appendPayments, endCheckpointerThread } from '../../../libs/event-store/test/support/wal-appends';
import { CheckpointerWatch, stuckLooksBeforeWarning } from '../src/ops/checkpointer-watch';

/** The thread starts from TypeScript sources here, compiled as they load: allow for a busy machine. */
const threadTestLimitMs = 60_000;

/** A log that keeps what the watch wrote, in order. */
function recordingLog(): { lines: string[]; log(message: string): void; warn(message: string): void } {
  const lines: string[] = [];
  return { lines, log: (message) => lines.push(`log: ${message}`), warn: (message) => lines.push(`warn: ${message}`) };
}

type Background = Extract<WalCheckpointHealth, { mode: 'background' }>;

function checkpointsOf(store: SqliteEventStore): Background {
  const checkpoints = store.health().checkpoints;
  if (checkpoints?.mode !== 'background') throw new Error('the store checkpoints inline');
  return checkpoints;
}

/** Waits for the thread, which starts from TypeScript sources here: allow for a busy machine. */
const until = (condition: () => boolean, what: string): Promise<void> => waitUntil(condition, what, 20_000);

describe('CheckpointerWatch', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let store: SqliteEventStore | null = null;

  beforeEach(() => {
    temp = makeTempDir('earmark-checkpointer-watch-');
  });

  afterEach(async () => {
    await store?.close();
    store = null;
    temp.remove();
  });

  it(
    'logs once that the thread stopped, and once that it was started again; a thread that runs well logs nothing',
    async () => {
      const restartMs = 2_000;
      store = new SqliteEventStore({ file: join(temp.dir, 'store.sqlite'), checkpoints: 'background', checkpointerRestartMs: restartMs });
      await store.init();
      const log = recordingLog();
      const watch = new CheckpointerWatch(store, log);
      watch.look();
      await appendPayments(store, 1, 20);
      const running = store;
      await until(() => checkpointsOf(running).completePasses >= 1, 'a complete pass');
      watch.look();
      watch.look();
      expect(log.lines).toEqual([]);

      await endCheckpointerThread(store);
      watch.look();
      watch.look();
      expect(log.lines).toEqual(['warn: the WAL checkpointer thread has stopped: commits checkpoint on their own until a later commit starts it again']);

      await sleep(restartMs + 100);
      await appendPayments(store, 21, 1);
      await until(() => checkpointsOf(running).thread === 'running', 'the thread to start again');
      watch.look();
      watch.look();
      expect(log.lines).toEqual([
        'warn: the WAL checkpointer thread has stopped: commits checkpoint on their own until a later commit starts it again',
        'log: the WAL checkpointer thread was started again (1 restart so far)',
      ]);
    },
    threadTestLimitMs,
  );

  it(
    'warns once when passes leave frames behind look after look (a reader holding an old snapshot), and not for a shorter hold',
    async () => {
      const file = join(temp.dir, 'reader.sqlite');
      store = new SqliteEventStore({ file, checkpoints: 'background' });
      await store.init();
      const open = store;
      await appendPayments(store, 1, 20);
      await until(() => checkpointsOf(open).completePasses >= 1, 'a complete pass');
      const log = recordingLog();
      const watch = new CheckpointerWatch(store, log);
      watch.look();

      const reader = new Database(file, { readonly: true });
      reader.exec('BEGIN');
      reader.prepare('SELECT count(*) AS n FROM events').get();
      await appendPayments(store, 21, 100);
      // Each look waits for two more passes, so that every look sees passes that left frames behind.
      const lookAfterPasses = async (): Promise<void> => {
        const passes = checkpointsOf(open).passes;
        await until(() => checkpointsOf(open).passes >= passes + 2, 'two more passes');
        watch.look();
      };
      for (let i = 1; i < stuckLooksBeforeWarning; i += 1) await lookAfterPasses();
      expect(log.lines).toEqual([]);
      await lookAfterPasses();
      const held = checkpointsOf(open);
      expect(held.framesLeft).toBeGreaterThan(0);
      expect(log.lines).toEqual([
        `warn: the WAL checkpointer has left frames behind for ${stuckLooksBeforeWarning} looks in a row (${held.framesLeft} of ${held.walFrames}): ` +
          'a reader holds an old snapshot, and the WAL file grows until it lets go',
      ]);
      await lookAfterPasses();
      expect(log.lines).toHaveLength(1);

      reader.exec('COMMIT');
      reader.close();
      await until(() => checkpointsOf(open).framesLeft === 0, 'the pass after the reader let go');
      watch.look();
      expect(log.lines).toHaveLength(1);
    },
    threadTestLimitMs,
  );

  it('warns of failed passes with how many since the last look (readings given in turn: I/O errors cannot be caused here)', () => {
    // A test double for the store's health: the tests run as root, whom a file's permissions do not
    // stop, so a real pass cannot be made to fail. The watch reads nothing else of the store.
    const running: Background = { mode: 'background', thread: 'running', restarts: 0, passes: 10, completePasses: 10, failedPasses: 0, walFrames: 40, framesLeft: 0 };
    const readings: Background[] = [running, { ...running, passes: 13, failedPasses: 1 }, { ...running, passes: 16, failedPasses: 3 }, { ...running, passes: 17, failedPasses: 3 }];
    let next = 0;
    const health = (): StoreHealth => ({ checkpoints: readings[next++] });
    const log = recordingLog();
    const watch = new CheckpointerWatch({ health }, log);
    for (let i = 0; i < readings.length; i += 1) watch.look();
    expect(log.lines).toEqual([
      'warn: 1 WAL checkpoint pass failed since the last look (1 in all): the database file may not be writable',
      'warn: 2 WAL checkpoint passes failed since the last look (3 in all): the database file may not be writable',
    ]);
  });

  it('says nothing of a store that checkpoints inline or has no health to give', () => {
    const log = recordingLog();
    new CheckpointerWatch({ health: () => ({ checkpoints: { mode: 'inline' } }) }, log).look();
    new CheckpointerWatch({}, log).look();
    expect(log.lines).toEqual([]);
  });
});
