import { decodeFundEvent, evolveFund, initialFundState, type FundEvent, type FundState } from '@earmark/domain';
import { eventLoopSliceMs, pauseEvery, type EventStore } from '@earmark/event-store';
import { readPageSize } from './ports';


interface FundSession {
  state: FundState;
  /** The stream version the state reflects, appends still in flight included; -1n for no stream. */
  version: bigint;
  /** Not loaded yet, or an append failed (the state may hold events that were never stored). */
  stale: boolean;
  queue: Promise<void>;
}

/**
 * Keeps each fund's state in memory and lets one command at a time decide on it, so that
 * concurrent commands to one fund queue up behind each other instead of colliding. The lock is
 * held only while deciding and handing the append to the store, not while it commits: with the
 * store's group commit, commands to one fund share one transaction and each expects the version
 * its predecessor leaves.
 */
export class FundSessions {
  private readonly sessions = new Map<string, FundSession>();

  constructor(private readonly store: EventStore) {}

  /**
   * Runs `step` with the fund's state and version while holding the fund's lock. `step` returns
   * the events it appends (already handed to the store) so that the state moves on for the next
   * command; the lock is released when `step` returns.
   */
  async withFund<T>(
    streamName: string,
    programCode: string,
    fiscalYear: number,
    step: (state: FundState, version: bigint) => Promise<{ events: readonly FundEvent[]; result: T }>,
  ): Promise<T> {
    const session = this.session(streamName, programCode, fiscalYear);
    let release!: () => void;
    const turn = new Promise<void>((resolve) => (release = resolve));
    const previous = session.queue;
    session.queue = previous.then(() => turn);
    await previous;
    try {
      if (session.stale) await this.reload(session, streamName, programCode, fiscalYear);
      const { events, result } = await step(session.state, session.version);
      for (const event of events) session.state = evolveFund(session.state, event);
      if (events.length > 0) session.version += BigInt(events.length);
      return result;
    } finally {
      release();
    }
  }

  /** An append failed: the next command reloads the fund from the store. */
  invalidate(streamName: string): void {
    const session = this.sessions.get(streamName);
    if (session) session.stale = true;
  }

  private session(streamName: string, programCode: string, fiscalYear: number): FundSession {
    let session = this.sessions.get(streamName);
    if (!session) {
      session = { state: initialFundState(programCode, fiscalYear), version: -1n, stale: true, queue: Promise.resolve() };
      this.sessions.set(streamName, session);
    }
    return session;
  }

  private async reload(session: FundSession, streamName: string, programCode: string, fiscalYear: number): Promise<void> {
    let state = initialFundState(programCode, fiscalYear);
    let version = -1n;
    // The fund's lock is held meanwhile, so no command of this fund decides on a state half loaded;
    // other funds and the queries get turns.
    const pause = pauseEvery(eventLoopSliceMs);
    for (;;) {
      const page = await this.store.readStream(streamName, { fromVersion: version + 1n, maxCount: readPageSize });
      for (const recorded of page) {
        const event = decodeFundEvent(recorded);
        if (event !== null) state = evolveFund(state, event);
        version = recorded.streamVersion;
      }
      if (page.length < readPageSize) break;
      await pause();
    }
    session.state = state;
    session.version = version;
    session.stale = false;
  }
}
