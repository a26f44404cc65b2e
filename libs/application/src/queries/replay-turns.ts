import { Injectable } from '@nestjs/common';
import { eventLoopSliceMs, pauseEvery, type EventStore, type RecordedEvent } from '@earmark/event-store';
import { readPageSize } from '../ports';
import { ApplicationError } from '../problem';

/**
 * Replays waiting for their turn, beyond which a call is answered 503 `unavailable` at once. Each
 * replay of a large fund takes seconds, and one that waits runs even if its caller has gone, so an
 * unbounded queue would let a burst of calls for many days keep the service busy for an hour.
 */
export const maxReplaysWaiting = 16;

/**
 * Replays of a whole fund from its stream (a view of the books at a past day or position, the
 * auditors' fold of a fund not yet kept, their rules judged at a past day) take their turn here,
 * one at a time in the process. Each holds the fund's events or tables in memory while it runs, so
 * a burst of calls for many funds or many days queues instead of holding all of them at once; the
 * event loop does the folding either way, so the calls take no longer in all.
 */
@Injectable()
export class ReplayTurns {
  private last: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  /** `maxReplaysWaiting`, as a field so that a test can hold fewer. */
  protected readonly maxWaiting: number = maxReplaysWaiting;

  /**
   * Runs `replay` once every replay queued before it has ended (resolved or not). With
   * `maxWaiting` replays already waiting, refuses it (503 `unavailable`) without running it.
   */
  run<T>(replay: () => Promise<T>): Promise<T> {
    if (this.waiting >= this.maxWaiting) {
      return Promise.reject(
        new ApplicationError('unavailable', `${this.waiting} replays of whole funds are waiting (past views, first folds); retry later`),
      );
    }
    this.waiting += 1;
    const turn = this.last.then(() => {
      this.waiting -= 1;
      return replay();
    });
    this.last = turn.catch(() => undefined);
    return turn;
  }

  /** Replays queued and not started yet. */
  get queued(): number {
    return this.waiting;
  }

  /**
   * Brings a fold kept under `key` in `kept` up to date with `catchUp`, one catch-up at a time per
   * fold: a caller arriving meanwhile waits for it, then reads what followed (after a failed one,
   * from where it stopped). A fold that `startsFromZero` is a replay of a whole fund and takes its
   * turn (`run`). A fold refused as too large (503) is let go, not kept half caught up.
   */
  async catchUp<K>(
    kept: Map<K, unknown>,
    key: K,
    fold: { catchingUp: Promise<void> | null },
    startsFromZero: () => boolean,
    catchUp: () => Promise<void>,
  ): Promise<void> {
    while (fold.catchingUp) await fold.catchingUp.catch(() => undefined);
    const catchingUp = startsFromZero() ? this.run(catchUp) : catchUp();
    fold.catchingUp = catchingUp;
    try {
      await catchingUp;
    } catch (error) {
      if (error instanceof ApplicationError && error.code === 'unavailable' && kept.get(key) === fold) kept.delete(key);
      throw error;
    } finally {
      fold.catchingUp = null;
    }
  }
}

/**
 * A stream read from `fromVersion` a page at a time, each page non-empty. With `maxEvents`, a fund
 * that holds more is refused (503, `requireFoldable`) before the page that passes it is handed
 * out; read from the start, its size is first taken from its last event, before anything is read.
 */
export async function* streamPages(
  store: EventStore,
  streamName: string,
  fromVersion: bigint,
  maxEvents?: number,
): AsyncGenerator<readonly RecordedEvent[], void, undefined> {
  if (maxEvents !== undefined && fromVersion === 0n) {
    const [last] = await store.readStream(streamName, { direction: 'backwards', maxCount: 1 });
    if (last) requireFoldable(streamName, last.streamVersion + 1n, maxEvents);
  }
  // An embedded store answers each read within the turn: without a pause, folding a large fund
  // would hold the event loop from its first page to its last.
  const pause = pauseEvery(eventLoopSliceMs);
  for (let next = fromVersion; ; ) {
    const page = await store.readStream(streamName, { fromVersion: next, maxCount: readPageSize });
    if (maxEvents !== undefined) requireFoldable(streamName, next + BigInt(page.length), maxEvents);
    if (page.length > 0) {
      yield page;
      next = page[page.length - 1]!.streamVersion + 1n;
    }
    if (page.length < readPageSize) return;
    await pause();
  }
}

/**
 * Refuses (503 `unavailable`) to fold a fund of more events than `max` in memory: the fold and its
 * judged views would take the heap past its limit and stop the whole service (LedgerSettings).
 */
function requireFoldable(streamName: string, events: bigint, max: number): void {
  if (events > BigInt(max)) {
    throw new ApplicationError(
      'unavailable',
      `${streamName} holds ${events} events, more than the ${max} this service folds in memory for a view of one fund (EARMARK_REPLAY_MAX_FUND_EVENTS)`,
    );
  }
}
