import { Injectable } from '@nestjs/common';

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

  /** Runs `replay` once every replay queued before it has ended (resolved or not). */
  run<T>(replay: () => Promise<T>): Promise<T> {
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
