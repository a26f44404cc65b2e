import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EVENT_STORE } from '@earmark/application';
import type { EventStore, WalCheckpointHealth } from '@earmark/event-store';

/** How often the watch reads the store's health. */
export const checkpointerWatchIntervalMs = 5_000;
/**
 * Looks in a row at which the WAL's passes ran, none of them complete, before the log says a reader
 * holds an old snapshot: a long read (an export, a report) holds one for a while, which is no news.
 */
export const stuckLooksBeforeWarning = 6;

type BackgroundCheckpoints = Extract<WalCheckpointHealth, { mode: 'background' }>;

/** Where the watch writes: Nest's Logger, or a test's own record. */
export interface WatchLog {
  log(message: string): void;
  warn(message: string): void;
}

const beforeFirstLook: BackgroundCheckpoints = {
  mode: 'background',
  thread: 'not-started',
  restarts: 0,
  passes: 0,
  completePasses: 0,
  failedPasses: 0,
  walFrames: 0,
  framesLeft: 0,
};

/**
 * Puts in the log what GET /v1/health shows of SQLite's background checkpointer, when it changes in a
 * way an operator must hear of: the thread stopped or started again, passes failed (I/O errors on
 * the file), or passes that leave frames behind look after look (a reader holding an old snapshot,
 * while the WAL file grows). Health is read, never written: the watch changes nothing.
 */
export class CheckpointerWatch {
  private last: BackgroundCheckpoints = beforeFirstLook;
  private stuckLooks = 0;

  constructor(
    private readonly store: Pick<EventStore, 'health'>,
    private readonly logger: WatchLog,
  ) {}

  /** One look: compares the health with the last look's and logs what changed. */
  look(): void {
    const now = this.store.health?.().checkpoints;
    if (now?.mode !== 'background') return;
    const last = this.last;
    this.last = now;
    if (now.restarts > last.restarts) {
      this.logger.log(`the WAL checkpointer thread was started again (${now.restarts} restart${now.restarts === 1 ? '' : 's'} so far)`);
    }
    if (now.thread === 'stopped' && (last.thread !== 'stopped' || now.restarts > last.restarts)) {
      this.logger.warn('the WAL checkpointer thread has stopped: commits checkpoint on their own until a later commit starts it again');
    }
    const failed = now.failedPasses - last.failedPasses;
    if (failed > 0) {
      this.logger.warn(
        `${failed} WAL checkpoint pass${failed === 1 ? '' : 'es'} failed since the last look (${now.failedPasses} in all): the database file may not be writable`,
      );
    }
    const leftBehind = now.passes > last.passes && now.completePasses === last.completePasses && now.framesLeft > 0;
    this.stuckLooks = leftBehind ? this.stuckLooks + 1 : 0;
    if (this.stuckLooks === stuckLooksBeforeWarning) {
      this.logger.warn(
        `the WAL checkpointer has left frames behind for ${stuckLooksBeforeWarning} looks in a row (${now.framesLeft} of ${now.walFrames}): ` +
          'a reader holds an old snapshot, and the WAL file grows until it lets go',
      );
    }
  }
}

/** The watch in the service: a look every few seconds, on a timer that never keeps the process alive. */
@Injectable()
export class CheckpointerWatchService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly watch: CheckpointerWatch;
  private timer: NodeJS.Timeout | null = null;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {
    this.watch = new CheckpointerWatch(store, new Logger('Checkpointer'));
  }

  onApplicationBootstrap(): void {
    // A store with no health to show (PostgreSQL, KurrentDB) has nothing to watch.
    if (this.store.health === undefined) return;
    this.timer = setInterval(() => this.watch.look(), checkpointerWatchIntervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
