/**
 * The SQLite store's checkpointer thread (see SqliteCheckpointer): its own connection to the file,
 * on which it runs a PASSIVE checkpoint every interval after the store has committed, and again
 * while the last pass left frames behind (a reader still using them).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { checkpointSlots, type CheckpointerThreadData, type FromCheckpointer } from './sqlite-checkpointer';
import { openSqliteConnection } from './sqlite-rows';

interface CheckpointRow {
  readonly busy: bigint | number;
  readonly log: bigint | number;
  readonly checkpointed: bigint | number;
}

function serve(): void {
  const port = parentPort;
  if (port === null) throw new Error('the SQLite checkpointer runs as a worker thread');
  const data = workerData as CheckpointerThreadData;
  const counts = new Int32Array(data.shared);
  const send = (message: FromCheckpointer): void => port.postMessage(message);
  let db: ReturnType<typeof openSqliteConnection>;
  try {
    db = openSqliteConnection(data.file, data.busyTimeoutMs);
  } catch (error: unknown) {
    send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    return;
  }
  const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  let commitsSeen = Atomics.load(counts, checkpointSlots.commits);
  let framesLeft = false;
  const timer = setInterval(() => {
    const commits = Atomics.load(counts, checkpointSlots.commits);
    if (commits === commitsSeen && !framesLeft) return;
    commitsSeen = commits;
    try {
      const row = checkpoint.get() as CheckpointRow;
      // busy: another connection was checkpointing; log is -1 when the file is not in WAL mode.
      framesLeft = Number(row.busy) !== 0 || Number(row.checkpointed) < Number(row.log);
      Atomics.store(counts, checkpointSlots.walFrames, Math.max(0, Number(row.log)));
      Atomics.store(counts, checkpointSlots.framesLeft, Math.max(0, Number(row.log) - Math.max(0, Number(row.checkpointed))));
      Atomics.add(counts, checkpointSlots.passes, 1);
      if (!framesLeft) Atomics.add(counts, checkpointSlots.completePasses, 1);
    } catch {
      // An I/O error: the commit's own checkpoint is still there, and the next commit brings a new try.
      framesLeft = false;
      Atomics.add(counts, checkpointSlots.failedPasses, 1);
    }
  }, data.intervalMs);
  port.on('message', (message: { readonly type: string }) => {
    if (message.type !== 'close') return;
    clearInterval(timer);
    db.close();
    port.close();
  });
  send({ type: 'ready' });
}

serve();
