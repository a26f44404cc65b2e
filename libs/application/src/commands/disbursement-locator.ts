import { decodeFundEvent, parseFundStreamName } from '@earmark/domain';
import { eventLoopSliceMs, pauseEvery, type EventStore } from '@earmark/event-store';
import type { FundCommandCompanion } from '../command-runner';
import { readPageSize } from '../ports';

/**
 * Which fund's stream holds a disbursement, known on the write side: a reversal names only the
 * disbursement, and must load its fund without asking a read model (which may lag behind the
 * log on a store whose projections run asynchronously).
 *
 * Chosen: a one-event stream `disbursement-<id>` appended in the same append as the payment,
 * rather than an id that names its fund. An id cannot carry the fund: a program code runs to 64
 * characters and the id to 64 in all, and the ids already handed out are UUIDs that name
 * nothing. A locator stream costs one event per disbursement and keeps ids as they are.
 * Disbursements recorded before the locator existed are found in the log itself, read once per
 * process up to the first locator: from there on every disbursement has one, so the scan ends for
 * good and what it keeps is bounded by the log written before locators.
 */
export const disbursementLocatedType = 'DisbursementLocated';
export const disbursementStreamName = (disbursementId: string): string => `disbursement-${disbursementId}`;

export interface FundOfDisbursement {
  readonly programCode: string;
  readonly fiscalYear: number;
}

/** The locator's append, just before the fund's events of a RecordDisbursement. */
export const disbursementLocator: FundCommandCompanion<{ readonly disbursementId: string } & FundOfDisbursement> = {
  place: 'before-fund',
  stream: (disbursement, ctx, eventId, commandId) => ({
    streamName: disbursementStreamName(disbursement.disbursementId),
    // A store that cannot append streams atomically may keep the locator of an attempt that
    // lost a race for the fund; the retry's locator says the same.
    expectedVersion: 'any',
    events: [
      {
        id: eventId(0),
        type: disbursementLocatedType,
        data: {
          disbursementId: disbursement.disbursementId,
          programCode: disbursement.programCode,
          fiscalYear: disbursement.fiscalYear,
        },
        metadata: { commandId, actor: ctx.actor.name },
      },
    ],
  }),
};

export class DisbursementLocator {
  /** Disbursements recorded before locators existed, by id, and how far the log has been read for them. */
  private readonly earlier = new Map<string, FundOfDisbursement>();
  private scannedThrough = 0n;
  /** Set once a locator is seen in the log: every later disbursement has its own. */
  private scanFinished = false;
  private scanning: Promise<void> | null = null;

  constructor(private readonly store: EventStore) {}

  async fundOf(disbursementId: string): Promise<FundOfDisbursement | null> {
    const [located] = await this.store.readStream(disbursementStreamName(disbursementId), { maxCount: 1 });
    if (located) return { programCode: String(located.data['programCode']), fiscalYear: Number(located.data['fiscalYear']) };
    await this.scanLog();
    return this.earlier.get(disbursementId) ?? null;
  }

  /** Reads the log up to its first locator; callers arriving meanwhile share the read. */
  private scanLog(): Promise<void> {
    if (this.scanFinished) return Promise.resolve();
    if (this.scanning === null) {
      this.scanning = this.readEarlierEvents().finally(() => {
        this.scanning = null;
      });
    }
    return this.scanning;
  }

  private async readEarlierEvents(): Promise<void> {
    // A log written before locators may be long, and an embedded store answers within the turn.
    const pause = pauseEvery(eventLoopSliceMs);
    for (;;) {
      await pause();
      const page = await this.store.readAll({ afterPosition: this.scannedThrough, maxCount: readPageSize });
      for (const stored of page) {
        if (stored.type === disbursementLocatedType) {
          this.scanFinished = true;
          return;
        }
        const event = decodeFundEvent(stored);
        const fund = parseFundStreamName(stored.streamName);
        if (event?.type === 'DisbursementRecorded' && fund) this.earlier.set(event.data.disbursementId, fund);
        this.scannedThrough = stored.position;
      }
      if (page.length < readPageSize) return;
    }
  }
}
