import { Worker } from 'node:worker_threads';
import { EventStoreUnavailableError } from '../event-store.port';
import { workerEntry } from './sqlite-worker-entry';

/**
 * How often the checkpointer thread looks for committed pages to copy back into the database file.
 * At a busy group commit's pace (some 40,000 WAL pages a second here) a pass then copies about
 * 2,000 pages, a quarter of what makes a commit checkpoint on its own (wal_autocheckpoint).
 */
export const checkpointIntervalMs = 50;

/** Slots of the array the store and the thread share. */
export const checkpointSlots = {
  /** Bumped by the store after each commit that appended. */
  commits: 0,
  /** Passes the thread has run. */
  passes: 1,
  /** Passes after which every frame of the WAL was in the database file. */
  completePasses: 2,
  /** Passes that failed (an I/O error); the next commit makes the thread try again. */
  failedPasses: 3,
  /** Frames in the WAL at the last pass that ran. */
  walFrames: 4,
  /** Frames the last pass that ran could not copy (a reader still using them). */
  framesLeft: 5,
} as const;

/** The slots a restarted thread carries on from the one before (its commits count afresh). */
const carriedSlots = ['passes', 'completePasses', 'failedPasses', 'walFrames', 'framesLeft'] as const;

export interface CheckpointerThreadData {
  readonly file: string;
  readonly busyTimeoutMs: number;
  readonly intervalMs: number;
  /** Int32 slots, see checkpointSlots. */
  readonly shared: SharedArrayBuffer;
  readonly sourceEntry?: string;
}

export type FromCheckpointer = { readonly type: 'ready' } | { readonly type: 'failed'; readonly message: string };

/** The thread's passes (see checkpointSlots), and the WAL as the last pass found it. */
export interface CheckpointerState {
  /** False once the thread has ended (its own failure): commits then checkpoint on their own. */
  readonly running: boolean;
  readonly passes: number;
  readonly completePasses: number;
  readonly failedPasses: number;
  readonly walFrames: number;
  readonly framesLeft: number;
}

/**
 * Copies the WAL's committed pages back into the database file from a thread of its own, so that
 * commits do not. SQLite checkpoints at the end of the commit that takes the WAL past
 * wal_autocheckpoint pages: that commit, and every append waiting behind it, waits while some
 * 8,000 pages are copied and the database file is fsynced. Here a PASSIVE checkpoint runs on its own
 * connection every 50 ms after commits; it waits for no reader or writer, and the WAL, whose pages
 * are then all copied, starts again from its beginning at the next commit, as after a commit's own
 * checkpoint. The store starts it with its first commit that appends. The commit's own checkpoint
 * stays as the backstop (the thread behind, stopped, or another process writing). Durability does
 * not depend on it: every commit has already fsynced the WAL.
 */
export class SqliteCheckpointer {
  private readonly counts: Int32Array;
  private readonly exited: Promise<void>;
  /** When (performance.now()) the thread ended, null while it runs. */
  private endedAtMs: number | null = null;
  private closing = false;

  private constructor(
    private readonly worker: Worker,
    shared: SharedArrayBuffer,
  ) {
    this.counts = new Int32Array(shared);
    this.exited = new Promise<void>((resolve) =>
      worker.once('exit', () => {
        this.endedAtMs = performance.now();
        resolve();
      }),
    );
    // An error after start (the thread's own bug) ends the thread: commits checkpoint on their own again.
    worker.on('error', () => undefined);
  }

  /**
   * Starts the thread and waits until its connection is open. `countsFrom`, the state of a thread
   * that ended, carries its counts on, so that a restarted thread's passes add to them.
   */
  static async start(
    file: string,
    busyTimeoutMs: number,
    intervalMs = checkpointIntervalMs,
    countsFrom?: CheckpointerState,
  ): Promise<SqliteCheckpointer> {
    const shared = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * Object.keys(checkpointSlots).length);
    if (countsFrom !== undefined) {
      const counts = new Int32Array(shared);
      for (const slot of carriedSlots) counts[checkpointSlots[slot]] = countsFrom[slot];
    }
    const entry = workerEntry('sqlite-checkpointer.worker');
    const worker = new Worker(entry.file, {
      workerData: { file, busyTimeoutMs, intervalMs, shared, sourceEntry: entry.sourceEntry } satisfies CheckpointerThreadData,
    });
    const checkpointer = new SqliteCheckpointer(worker, shared);
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (message: FromCheckpointer) => {
        if (message.type === 'ready') resolve();
        else reject(new EventStoreUnavailableError(`the SQLite checkpointer could not open ${file}: ${message.message}`));
      });
      void checkpointer.exited.then(() => reject(new EventStoreUnavailableError('the SQLite checkpointer thread stopped before it was ready')));
    });
    // The thread never keeps the process alive on its own.
    worker.unref();
    return checkpointer;
  }

  /** Tells the thread that a commit appended: its next turn runs a pass. */
  committed(): void {
    Atomics.add(this.counts, checkpointSlots.commits, 1);
  }

  /** When (performance.now()) the thread ended, null while it runs. */
  get endedAt(): number | null {
    return this.endedAtMs;
  }

  state(): CheckpointerState {
    return {
      running: this.endedAtMs === null,
      passes: Atomics.load(this.counts, checkpointSlots.passes),
      completePasses: Atomics.load(this.counts, checkpointSlots.completePasses),
      failedPasses: Atomics.load(this.counts, checkpointSlots.failedPasses),
      walFrames: Atomics.load(this.counts, checkpointSlots.walFrames),
      framesLeft: Atomics.load(this.counts, checkpointSlots.framesLeft),
    };
  }

  /** Stops the passes, closes the thread's connection and waits for the thread to end. */
  async close(): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      this.worker.ref();
      this.worker.postMessage({ type: 'close' });
    }
    await this.exited;
  }
}
