import { Worker } from 'node:worker_threads';
import { EventStoreUnavailableError, type ProjectionOrigin } from '../event-store.port';
import type { StoreProjection } from '../ledger-tables.port';
import type { BatchEntry, Outcome } from './sqlite-writer';
import { workerEntry, type WorkerEntry } from './sqlite-worker-entry';
import { decodeError, decodeOutcome, type FromWriter, type ToWriter, type WriterThreadData } from './sqlite-writer-protocol';

/** Each projection with the origin the writer thread makes it again from; one without cannot run there. */
export function projectionOrigins(projections: readonly StoreProjection[]): { name: string; origin: ProjectionOrigin }[] {
  return projections.map((projection) => {
    if (projection.origin === undefined) throw new Error(`projection ${projection.name} names no origin, so it cannot run in the SQLite writer thread`);
    return { name: projection.name, origin: projection.origin };
  });
}

/**
 * The main thread's end of the SQLite writer thread: hands it one batch at a time and gets each
 * batch's outcomes back. If the thread stops on its own (a crash, an exit), the batch in flight and
 * every later one fail with EventStoreUnavailableError naming why: whatever it had committed before
 * it stopped is in the file, and an append retried with the same event ids is answered as it was.
 */
export class SqliteWriterThread {
  private readonly worker: Worker;
  private nextId = 1;
  private inFlight: { readonly id: number; readonly size: number; readonly done: (outcomes: Outcome[]) => void } | null = null;
  private failure: EventStoreUnavailableError | null = null;
  private lastError: Error | null = null;
  private closing = false;
  private readonly exited: Promise<void>;

  private constructor(data: WriterThreadData, entry: WorkerEntry) {
    this.worker = new Worker(entry.file, { workerData: { ...data, sourceEntry: entry.sourceEntry } satisfies WriterThreadData });
    this.worker.on('error', (error: Error) => {
      this.lastError = error;
    });
    this.exited = new Promise<void>((resolve) => {
      this.worker.once('exit', (code: number) => {
        if (!this.closing || code !== 0) {
          const why = this.lastError?.message ?? `it exited with code ${code}`;
          this.fail(new EventStoreUnavailableError(`the SQLite writer thread stopped: ${why}`, this.lastError ?? undefined));
        }
        resolve();
      });
    });
    this.worker.on('message', (message: FromWriter) => {
      if (message.type !== 'done' || this.inFlight === null || this.inFlight.id !== message.id) return;
      const { done } = this.inFlight;
      this.inFlight = null;
      // Nothing is in flight: the thread no longer keeps the process alive on its own.
      this.worker.unref();
      done(message.outcomes.map(decodeOutcome));
    });
  }

  /** Starts the thread and waits until its connection is open and its projections are loaded. */
  static async start(file: string, busyTimeoutMs: number, projections: readonly StoreProjection[]): Promise<SqliteWriterThread> {
    const thread = new SqliteWriterThread({ file, busyTimeoutMs, projections: projectionOrigins(projections) }, workerEntry('sqlite-writer.worker'));
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: FromWriter): void => {
        if (message.type === 'ready') {
          thread.worker.off('message', onMessage);
          thread.worker.unref();
          resolve();
        } else if (message.type === 'failed') {
          reject(decodeError(message.error));
        }
      };
      thread.worker.on('message', onMessage);
      void thread.exited.then(() => reject(thread.failure ?? new EventStoreUnavailableError('the SQLite writer thread stopped before it was ready')));
    });
    return thread;
  }

  /**
   * Commits one batch in the thread; never rejects: a failure is each append's outcome. An append
   * whose value structured clone refuses (a function in event data: not JSON) fails alone, as it
   * would on the store's own connection, and the rest of the batch goes on without it.
   */
  async commit(entries: readonly BatchEntry[]): Promise<Outcome[]> {
    if (this.inFlight !== null) throw new Error('one batch at a time');
    try {
      return await this.send(entries);
    } catch (error: unknown) {
      // Nothing was sent. Rare, so each append is cloned on its own to find which ones were refused.
      const refusals = entries.map((entry) => cloneRefusal(entry));
      const sendable = entries.filter((_, index) => refusals[index] === null);
      if (sendable.length === entries.length) return entries.map(() => ({ ok: false, error }));
      const sent = sendable.length === 0 ? [] : await this.commit(sendable);
      return refusals.map((refusal) => (refusal === null ? sent.shift()! : { ok: false, error: refusal }));
    }
  }

  /** Posts the batch and waits for its outcomes; throws, having sent nothing, when structured clone refuses it. */
  private send(entries: readonly BatchEntry[]): Promise<Outcome[]> {
    if (this.failure !== null) return Promise.resolve(entries.map(() => ({ ok: false, error: this.failure })));
    const id = this.nextId;
    this.worker.postMessage({ type: 'batch', id, entries } satisfies ToWriter);
    this.nextId += 1;
    return new Promise<Outcome[]>((resolve) => {
      this.inFlight = { id, size: entries.length, done: resolve };
      // A batch in flight keeps the process alive until its answer arrives.
      this.worker.ref();
    });
  }

  /** Why the thread can no longer write, once it has stopped on its own. */
  stopped(): EventStoreUnavailableError | null {
    return this.failure;
  }

  /** After the last batch has been answered: the thread closes its connection and ends. */
  async close(): Promise<void> {
    if (this.closing) return this.exited;
    this.closing = true;
    if (this.failure === null) this.worker.postMessage({ type: 'close' } satisfies ToWriter);
    this.worker.ref();
    await this.exited;
  }

  private fail(error: EventStoreUnavailableError): void {
    this.failure ??= error;
    const inFlight = this.inFlight;
    this.inFlight = null;
    inFlight?.done(Array.from({ length: inFlight.size }, () => ({ ok: false, error })));
  }
}

/** Why structured clone refuses this append, or null when it takes it. */
function cloneRefusal(entry: BatchEntry): unknown {
  try {
    structuredClone(entry);
    return null;
  } catch (error: unknown) {
    return error;
  }
}
