import { fundStreamName, type FundEvent } from '@earmark/domain';
import type { EventStore, RecordedEvent } from '@earmark/event-store';
import { createLedgerProjection, InMemoryDocs } from '@earmark/projections';

/** The books as they stood: by effective date (asOf) or by log position (atPosition). */
export type BooksAt = { readonly asOf: string } | { readonly atPosition: bigint };

/** Events read per page when replaying a fund for a past view. */
const pageSize = 5_000;

/** The date an event takes effect on: the document's, payment's, reversal's or settlement's date. */
export function effectiveOn(event: RecordedEvent): string {
  const data = event.data as unknown as FundEvent['data'];
  switch (event.type as FundEvent['type']) {
    case 'AllocationRecorded':
      return (data as { issuedOn: string }).issuedOn;
    case 'DisbursementRecorded':
      return (data as { paidOn: string }).paidOn;
    case 'DisbursementReversed':
      return (data as { reversedOn: string }).reversedOn;
    case 'RegionYearSettled':
      return (data as { settledOn: string }).settledOn;
    case 'PerformanceActualReported':
      return (data as { reportedOn: string }).reportedOn;
    case 'PerformanceTargetsRecorded':
      return event.recordedAt.slice(0, 10);
  }
  return event.recordedAt.slice(0, 10);
}

/** Replays one fund's events, up to the point asked for, through the ledger projection in memory. */
export async function booksAt(store: EventStore, programCode: string, fiscalYear: number, at: BooksAt): Promise<InMemoryDocs> {
  const docs = new InMemoryDocs(createLedgerProjection());
  const streamName = fundStreamName(programCode, fiscalYear);
  let fromVersion = 0n;
  for (;;) {
    const page = await store.readStream(streamName, { fromVersion, maxCount: pageSize });
    const kept = page.filter((event) =>
      'asOf' in at ? effectiveOn(event) <= at.asOf : event.position <= at.atPosition,
    );
    docs.apply(kept);
    if (page.length < pageSize) break;
    fromVersion = page[page.length - 1].streamVersion + 1n;
  }
  return docs;
}
