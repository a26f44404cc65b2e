import { verifyLedger, type VerifyReport } from '@earmark/audit';
import type { RegionRegistry } from '@earmark/domain';
import type { EventStore, RecordedEvent } from '@earmark/event-store';
import { MalformedCheckpointError, readLatestCheckpoint, type StoredCheckpoint } from './checkpoint-record';

/** Events read per page when the whole log is read for a check or an export. */
export const logPageSize = 5_000;

/** Every event from position 1, page by page, up to the head as the last page found it. */
export async function* readLog(store: EventStore, throughPosition?: bigint): AsyncGenerator<RecordedEvent> {
  let after = 0n;
  for (;;) {
    const page = await store.readAll({ afterPosition: after, maxCount: logPageSize });
    for (const event of page) {
      if (throughPosition !== undefined && event.position > throughPosition) return;
      yield event;
    }
    if (page.length < logPageSize) return;
    after = page[page.length - 1].position;
  }
}

export async function readWholeLog(store: EventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of readLog(store)) events.push(event);
  return events;
}

export interface StoreVerification {
  readonly report: VerifyReport;
  /** The checkpoint the log was checked against: the latest the store holds. */
  readonly checkpoint: StoredCheckpoint | null;
  readonly events: readonly RecordedEvent[];
}

/**
 * verifyLedger over the whole store with its latest checkpoint. The checkpoint is read before the
 * events, so that it never covers more than the events read after it.
 */
export async function verifyStore(
  store: EventStore,
  registry: RegionRegistry,
  publicKeyPem: string | undefined,
  latePaymentGraceDays: number,
): Promise<StoreVerification> {
  let checkpoint: StoredCheckpoint | null = null;
  let malformed: MalformedCheckpointError | null = null;
  try {
    checkpoint = await readLatestCheckpoint(store);
  } catch (error) {
    if (!(error instanceof MalformedCheckpointError)) throw error;
    malformed = error;
  }
  const events = await readWholeLog(store);
  const report = verifyLedger({ events, checkpoint: checkpoint?.checkpoint ?? null, publicKeyPem, registry, latePaymentGraceDays });
  // An edited checkpoint event normally breaks the chain first; one whose hashes were recomputed
  // still cannot pass for a checkpoint.
  if (!report.ok || malformed === null) return { report, checkpoint, events };
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
    events,
  };
}
