import { Inject, Injectable } from '@nestjs/common';
import { fundStreamName } from '@earmark/domain';
import type { EventStore, RecordedEvent } from '@earmark/event-store';
import { effectiveDateOf, InMemoryLedgerTables } from '@earmark/projections';
import { EVENT_STORE, LEDGER_SETTINGS, type LedgerSettings } from '../ports';
import { keepRecent } from './keep-recent';
import { ReplayTurns, streamPages } from './replay-turns';

/** The books as they stood: by effective date (asOf) or by log position (atPosition). */
export type BooksAt = { readonly asOf: string } | { readonly atPosition: bigint };

/** Whether an event counts in the books as they stood `at`. */
function counts(event: RecordedEvent, at: BooksAt): boolean {
  return 'asOf' in at ? effectiveDateOf(event) <= at.asOf : event.position <= at.atPosition;
}

/** Tables folded from a fund's stream up to `nextVersion` (exclusive), with the events read. */
interface Folded {
  readonly docs: InMemoryLedgerTables;
  nextVersion: bigint;
  events: number;
  /** True once nothing appended later can count: a view by position that has read past it. */
  complete: boolean;
}

/**
 * Folds the fund's events after `folded.nextVersion`, those that count at `at`, into its tables.
 * Folding the counted events of a stream in log order, in one go or in several, gives the same
 * tables. Each page is folded and its version noted with no wait between, so a read that fails
 * leaves the tables and their version in step, and the next call continues from there.
 */
async function foldFund(store: EventStore, streamName: string, at: BooksAt, folded: Folded, maxEvents?: number): Promise<void> {
  if (folded.complete) return;
  for await (const page of streamPages(store, streamName, folded.nextVersion, maxEvents)) {
    const last = page[page.length - 1]!;
    folded.docs.apply(page.filter((event) => counts(event, at)));
    folded.events += page.length;
    folded.nextVersion = last.streamVersion + 1n;
    // Positions grow with the log: past the position asked, later events never count.
    if ('atPosition' in at && last.position > at.atPosition) {
      folded.complete = true;
      return;
    }
  }
}

/** Replays one fund's events, up to the point asked for, through the ledger projection in memory. */
export async function booksAt(store: EventStore, programCode: string, fiscalYear: number, at: BooksAt): Promise<InMemoryLedgerTables> {
  const folded: Folded = { docs: new InMemoryLedgerTables(), nextVersion: 0n, events: 0, complete: false };
  await foldFund(store, fundStreamName(programCode, fiscalYear), at, folded);
  return folded.docs;
}

/** Past views kept, the most recently asked; one asked again after being dropped is replayed anew. */
const maxViewsKept = 8;
/**
 * Events read into the views kept, over all of them: a view holds about 0.7 KiB an event (its trail
 * entries), so a fund of 100,000 events takes some 70 MiB. Past this, the least recently asked
 * views are dropped; the one just asked is kept whatever its size.
 */
export const maxBooksEventsKept = 300_000;

/**
 * The books as they stood at a date or a position, kept between calls. A view is replayed once from
 * the fund's stream; a later call reads only the events appended since and folds those that count
 * (an event back-dated to the day asked, for a view by date; none, for a view by position), so it
 * costs what arrived since, and the answer is the same as a fresh replay's. Callers asking for the
 * same view at the same time share one replay, and a replay from the start takes its turn with the
 * others (ReplayTurns), so that a burst of calls for many dates queues instead of holding every
 * fund in memory at once.
 */
@Injectable()
export class BooksAtViews {
  private readonly views = new Map<string, KeptView>();
  /** `maxBooksEventsKept`, as a field so that a test can hold fewer. */
  protected readonly eventsKept: number = maxBooksEventsKept;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly turns: ReplayTurns,
    @Inject(LEDGER_SETTINGS) private readonly settings: Pick<LedgerSettings, 'replayMaxFundEvents'>,
  ) {}

  async tables(programCode: string, fiscalYear: number, at: BooksAt): Promise<InMemoryLedgerTables> {
    const streamName = fundStreamName(programCode, fiscalYear);
    const key = `${streamName}|${'asOf' in at ? `d${at.asOf}` : `p${at.atPosition}`}`;
    const view = this.views.get(key) ?? new KeptView(streamName, at);
    // Kept at once, so that a caller arriving before the replay ends waits for it.
    this.views.set(key, view);
    await this.turns.catchUp(
      this.views,
      key,
      view,
      () => view.nextVersion === 0n,
      () => foldFund(this.store, view.streamName, view.at, view, this.settings.replayMaxFundEvents),
    );
    keepRecent(this.views, key, view, { maxEntries: maxViewsKept, maxSize: this.eventsKept, sizeOf: (kept) => kept.events });
    return view.docs;
  }

  /** Views kept, for a test. */
  get viewsKept(): number {
    return this.views.size;
  }
}

class KeptView implements Folded {
  readonly docs = new InMemoryLedgerTables();
  /** The fund stream's version after the last event read (counted or not). */
  nextVersion = 0n;
  events = 0;
  complete = false;
  catchingUp: Promise<void> | null = null;

  constructor(
    readonly streamName: string,
    readonly at: BooksAt,
  ) {}
}
