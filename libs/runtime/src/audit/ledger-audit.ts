import {
  MalformedCheckpointError,
  readLatestCheckpoint,
  verifyLedgerStream,
  type StoredCheckpoint,
  type VerifyReport,
} from '@earmark/audit';
import type { RegionRegistry } from '@earmark/domain';
import { eventLoopSliceMs, pauseEvery, type EventStore, type RecordedEvent } from '@earmark/event-store';

/**
 * Events read per page when the whole log is read for a check or an export. The service's
 * verification checks a page between two turns of the event loop (below): a thousand events take
 * some 15–40 ms here.
 */
export const logPageSize = 1_000;

/**
 * Every event from position 1, a page at a time, up to the head as the last page found it. Between
 * pages the event loop gets a turn once the reading and the caller's work on the last pages have
 * held it for a slice (pauseEvery): an embedded store answers each read within the turn, so
 * checking a large log in the service would otherwise hold every request until the last page.
 */
export async function* readLogPages(store: EventStore, throughPosition?: bigint): AsyncGenerator<RecordedEvent[]> {
  const pause = pauseEvery(eventLoopSliceMs);
  let after = 0n;
  for (;;) {
    await pause();
    const page = await store.readAll({ afterPosition: after, maxCount: logPageSize });
    const within = throughPosition === undefined ? page : page.filter((event) => event.position <= throughPosition);
    if (within.length > 0) yield within;
    if (within.length < page.length || page.length < logPageSize) return;
    after = page[page.length - 1].position;
  }
}

/** readLogPages, one event at a time. */
export async function* readLog(store: EventStore, throughPosition?: bigint): AsyncGenerator<RecordedEvent> {
  for await (const page of readLogPages(store, throughPosition)) yield* page;
}

export interface StoreVerification {
  readonly report: VerifyReport;
  /** The checkpoint the log was checked against: the latest the store holds. */
  readonly checkpoint: StoredCheckpoint | null;
}

/**
 * verifyLedgerStream over the whole store as it stood when asked, page by page, with its latest
 * checkpoint. The checkpoint is read before the events, so that it never covers more than the
 * events read after it.
 * `watchPage` sees each page as it passes, for a caller with a check of its own to make on the way
 * (the CLI's saved checkpoint): the log is read once and never held.
 */
export async function verifyStore(
  store: EventStore,
  registry: RegionRegistry,
  publicKeyPem: string | undefined,
  latePaymentGraceDays: number,
  watchPage?: (page: readonly RecordedEvent[]) => void,
): Promise<StoreVerification> {
  let checkpoint: StoredCheckpoint | null = null;
  let malformed: MalformedCheckpointError | null = null;
  try {
    checkpoint = await readLatestCheckpoint(store);
  } catch (error) {
    if (!(error instanceof MalformedCheckpointError)) throw error;
    malformed = error;
  }
  // The log as it stood when asked: the reading gives other work turns (readLogPages), and appends
  // made meanwhile must not keep it going.
  const head = await store.headPosition();
  const pages = watchPage === undefined ? readLogPages(store, head) : watched(readLogPages(store, head), watchPage);
  const report = await verifyLedgerStream(pages, { checkpoint: checkpoint?.checkpoint ?? null, publicKeyPem, registry, latePaymentGraceDays });
  // An edited checkpoint event normally breaks the chain first; one whose hashes were recomputed
  // still cannot pass for a checkpoint.
  if (!report.ok || malformed === null) return { report, checkpoint };
  return {
    report: {
      ...report,
      ok: false,
      checkedThrough: malformed.position - 1n,
      firstBadPosition: malformed.position,
      reason: malformed.message,
      checks: { ...report.checks, merkle: 'failed', signature: 'not-run' },
    },
    checkpoint,
  };
}

async function* watched(pages: AsyncIterable<RecordedEvent[]>, watchPage: (page: readonly RecordedEvent[]) => void): AsyncGenerator<RecordedEvent[]> {
  for await (const page of pages) {
    watchPage(page);
    yield page;
  }
}
