/**
 * The SQLite store's writer thread: its own connection to the file, on which it runs the store's
 * group commits (SqliteWriter) as the main thread hands them over, one batch at a time. The main
 * thread keeps its connection for reads and maintenance; SQLite's write lock orders the two.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { StoreProjection } from '../ledger-tables.port';
import { SqliteWriter } from './sqlite-writer';
import { encodeError, encodeOutcome, type FromWriter, type ToWriter, type WriterThreadData } from './sqlite-writer-protocol';
import { openSqliteConnection } from './sqlite-rows';

function loadProjections(data: WriterThreadData): StoreProjection[] {
  return data.projections.map(({ name, origin }) => {
    const factory = (require(origin.module) as Record<string, unknown>)[origin.exportName];
    if (typeof factory !== 'function') throw new Error(`${origin.module} exports no function ${origin.exportName}`);
    const projection = (factory as (...args: unknown[]) => StoreProjection)(...(origin.args ?? []));
    if (projection.name !== name) throw new Error(`${origin.module} ${origin.exportName} made projection "${projection.name}", not "${name}"`);
    return projection;
  });
}

function serve(): void {
  const port = parentPort;
  if (port === null) throw new Error('the SQLite writer runs as a worker thread');
  const data = workerData as WriterThreadData;
  const send = (message: FromWriter): void => port.postMessage(message);
  let writer: SqliteWriter;
  let db: ReturnType<typeof openSqliteConnection>;
  try {
    db = openSqliteConnection(data.file, data.busyTimeoutMs);
    writer = new SqliteWriter(db, loadProjections(data));
  } catch (error: unknown) {
    send({ type: 'failed', error: encodeError(error) });
    return;
  }
  port.on('message', (message: ToWriter) => {
    switch (message.type) {
      case 'batch':
        send({ type: 'done', id: message.id, outcomes: writer.commitBatch(message.entries).map(encodeOutcome) });
        return;
      case 'close':
        db.close();
        port.close();
        return;
    }
  });
  send({ type: 'ready' });
}

serve();
