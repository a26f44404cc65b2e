import { fundStreamName } from '@earmark/domain';
import type { EventStore } from '@earmark/event-store';
import { effectiveDateOf, InMemoryLedgerTables } from '@earmark/projections';
import { readPageSize } from '../ports';

/** The books as they stood: by effective date (asOf) or by log position (atPosition). */
export type BooksAt = { readonly asOf: string } | { readonly atPosition: bigint };

/** Replays one fund's events, up to the point asked for, through the ledger projection in memory. */
export async function booksAt(store: EventStore, programCode: string, fiscalYear: number, at: BooksAt): Promise<InMemoryLedgerTables> {
  const docs = new InMemoryLedgerTables();
  const streamName = fundStreamName(programCode, fiscalYear);
  let fromVersion = 0n;
  for (;;) {
    const page = await store.readStream(streamName, { fromVersion, maxCount: readPageSize });
    const kept = page.filter((event) =>
      'asOf' in at ? effectiveDateOf(event) <= at.asOf : event.position <= at.atPosition,
    );
    docs.apply(kept);
    if (page.length < readPageSize) break;
    fromVersion = page[page.length - 1].streamVersion + 1n;
  }
  return docs;
}
