import { Injectable } from '@nestjs/common';
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
}

/**
 * Refuses (503 `unavailable`) to fold a fund of more events than `max` in memory: the fold and its
 * judged views would take the heap past its limit and stop the whole service (LedgerSettings).
 */
export function requireFoldable(streamName: string, events: bigint, max: number): void {
  if (events > BigInt(max)) {
    throw new ApplicationError(
      'unavailable',
      `${streamName} holds ${events} events, more than the ${max} this service folds in memory for a view of one fund (EARMARK_REPLAY_MAX_FUND_EVENTS)`,
    );
  }
}
