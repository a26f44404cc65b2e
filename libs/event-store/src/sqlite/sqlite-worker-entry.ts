import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EventStoreUnavailableError } from '../event-store.port';

/**
 * Under a TypeScript runner (the tests) this module is a .ts file and a worker's own file cannot
 * run in plain Node: the runner names a loader that compiles it (tests/jest/ts-worker.js).
 */
export const tsWorkerLoaderVariable = 'EARMARK_TS_WORKER_LOADER';

export interface WorkerEntry {
  readonly file: string;
  readonly sourceEntry?: string;
}

/** The file a worker thread of this folder runs: `name`.js when built, through the loader from `name`.ts. */
export function workerEntry(name: string): WorkerEntry {
  if (__filename.endsWith('.js')) return { file: join(__dirname, `${name}.js`) };
  const loader = process.env[tsWorkerLoaderVariable];
  if (loader === undefined || !existsSync(loader)) {
    throw new EventStoreUnavailableError(`the SQLite store's threads run compiled JavaScript; from TypeScript sources set ${tsWorkerLoaderVariable}`);
  }
  return { file: loader, sourceEntry: join(__dirname, `${name}.ts`) };
}
