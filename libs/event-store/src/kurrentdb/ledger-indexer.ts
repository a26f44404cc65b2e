import type { AllStreamResolvedEvent, AllStreamSubscription, Filter, Position } from '@kurrent/kurrentdb-client';
import { chainEvent, genesisHash } from '../event-hash';
import { EventStoreUnavailableError, type RecordedEvent } from '../event-store.port';
import type { KurrentDbClient } from './kurrentdb-client';
import { compareAllPositions, eventKey, toLedgerRecord } from './kurrentdb-mapping';
import {
  entriesBetween,
  entryAt,
  entryKey,
  positionMapHead,
  positionMapProjection,
  positionPageSize,
  type KurrentDbReadModels,
  type PositionMapEntry,
} from './ledger-position-map';

/** $all events mapped per read-model transaction, at most. */
export const maxIndexBatch = 500;
/** Events held between the subscription and the map before the subscription is paused. */
export const maxBufferedEvents = 5_000;
/** Commits lost in a row to other indexers before this one resubscribes. */
export const maxCommitAttempts = 20;
export const indexerRetryBaseMs = 250;
export const indexerRetryMaxMs = 30_000;
/** Longest sleep of anything waiting on the indexer before it looks again. */
const recheckMs = 1_000;

export type KurrentDbLog = (level: 'warn' | 'error', message: string, error?: unknown) => void;

/** Where the map ends: the next ledger event gets position + 1 and chains on hash. */
export interface MapHead {
  readonly position: bigint;
  readonly hash: string;
  /** $all position of the last mapped event; null when the map is empty. */
  readonly allPosition: Position | null;
}

export const emptyMapHead: MapHead = { position: 0n, hash: genesisHash, allPosition: null };

export interface IndexedSlice {
  readonly entries: PositionMapEntry[];
  readonly events: RecordedEvent[];
  /** The last $all position looked at, ledger event or not. */
  readonly lastAllPosition: Position | null;
}

/**
 * Positions and hashes for the ledger events of a slice of $all, continuing `head`. Events at or
 * before the head's $all position were mapped already (a resubscription from the head may deliver
 * the head again, and another indexer may have moved the head meanwhile): they are skipped.
 */
export function indexSlice(head: MapHead, slice: readonly AllStreamResolvedEvent[], streamNamePrefix: string): IndexedSlice {
  let position = head.position;
  let hash = head.hash;
  let lastAllPosition: Position | null = null;
  const entries: PositionMapEntry[] = [];
  const events: RecordedEvent[] = [];
  for (const resolved of slice) {
    const record = resolved.event;
    if (record === undefined) continue;
    if (head.allPosition !== null && compareAllPositions(record.position, head.allPosition) <= 0) continue;
    lastAllPosition = record.position;
    const ledger = toLedgerRecord(record, streamNamePrefix);
    if (ledger === null) continue;
    position += 1n;
    const event = chainEvent(
      {
        id: ledger.id,
        type: ledger.type,
        data: ledger.data,
        metadata: ledger.metadata,
        streamName: ledger.streamName,
        streamVersion: ledger.streamVersion,
        position,
        recordedAt: ledger.recordedAt,
      },
      hash,
    );
    hash = event.hash;
    events.push(event);
    entries.push({
      position,
      allPosition: record.position,
      eventId: event.id,
      streamName: event.streamName,
      streamVersion: event.streamVersion,
      recordedAt: event.recordedAt,
      hash: event.hash,
      previousHash: event.previousHash,
    });
  }
  return { entries, events, lastAllPosition };
}

/** The map's head as stored in the read-model database. */
export async function loadMapHead(readModels: KurrentDbReadModels): Promise<MapHead> {
  const position = await positionMapHead(readModels);
  if (position === 0n) return emptyMapHead;
  const entry = await entryAt(readModels, position);
  if (entry === null) throw new EventStoreUnavailableError(`kurrentdb position map: its head ${position} has no entry`);
  return { position: entry.position, hash: entry.hash, allPosition: entry.allPosition };
}

/**
 * Another indexer mapped a position differently from this one. The map is a function of $all, so
 * this means two versions of the mapping code, or tampering: nothing more is mapped until someone
 * has looked (`earmark verify`).
 */
export class PositionMapDivergedError extends Error {
  constructor(readonly position: bigint) {
    super(`kurrentdb position map: position ${position} was mapped differently by another indexer`);
    this.name = 'PositionMapDivergedError';
  }
}

/** A caller waiting for given events to be mapped. */
export class EntryWait {
  private readonly found = new Map<string, PositionMapEntry>();
  private failure: unknown = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly keys: ReadonlySet<string>,
    private readonly release: (wait: EntryWait) => void,
  ) {}

  get wanted(): ReadonlySet<string> {
    return this.keys;
  }

  get complete(): boolean {
    return this.found.size === this.keys.size;
  }

  offer(entry: PositionMapEntry): void {
    const key = entryKey(entry);
    if (!this.keys.has(key) || this.found.has(key)) return;
    this.found.set(key, entry);
    if (this.complete) this.signal();
  }

  fail(error: unknown): void {
    if (this.failure === null) this.failure = error;
    this.signal();
  }

  async result(timeoutMs: number): Promise<Map<string, PositionMapEntry>> {
    if (!this.complete && this.failure === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
    if (this.complete) return this.found;
    if (this.failure !== null) throw this.failure;
    throw new EventStoreUnavailableError(
      `kurrentdb: ${this.keys.size - this.found.size} event(s) not in the position map after ${timeoutMs} ms (is the indexer running?)`,
    );
  }

  cancel(): void {
    this.release(this);
  }

  private signal(): void {
    this.wake?.();
  }
}

export interface LedgerIndexerOptions {
  readonly client: KurrentDbClient;
  readonly readModels: KurrentDbReadModels;
  readonly filter: Filter;
  readonly streamNamePrefix: string;
  readonly log: KurrentDbLog;
  /** $all events taken per read-model transaction; maxIndexBatch unless a test wants smaller. */
  readonly batchSize?: number;
}

/**
 * Follows $all (system events excluded) from the map's head with a catch-up subscription and maps
 * each ledger event to the next position, a batch per read-model transaction. Every replica of the
 * service runs one; they compute the same entries, the read-model database takes the first and
 * skips the rest, and a replica that finds the map ahead of it adopts the entries it missed after
 * checking that they agree with its own. Appends and reads wait here for their events' entries.
 */
export class LedgerIndexer {
  private head: MapHead = emptyMapHead;
  private progress: Position | null = null;
  private changes = 0;
  private readonly waits = new Map<string, Set<EntryWait>>();
  private readonly watchers = new Set<() => void>();
  private running: Promise<void> | null = null;
  private stopped = false;
  private fatal: Error | null = null;
  private subscription: AllStreamSubscription | null = null;
  private wakeFollower: (() => void) | null = null;
  private wakeSleeper: (() => void) | null = null;
  private failures = 0;

  constructor(private readonly options: LedgerIndexerOptions) {}

  async start(): Promise<void> {
    this.head = await loadMapHead(this.options.readModels);
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeFollower?.();
    this.wakeSleeper?.();
    await this.subscription?.unsubscribe().catch(() => undefined);
    await this.running;
    const closed = new EventStoreUnavailableError('kurrentdb: store is closed');
    for (const waiting of this.waits.values()) for (const wait of waiting) wait.fail(closed);
    this.notifyWatchers();
  }

  /** Bumped whenever the map grows: a subscription compares it to know whether to read again. */
  get changeCount(): number {
    return this.changes;
  }

  /** Register before looking the events up, so that an entry mapped in between is not missed. */
  expect(events: readonly { readonly streamName: string; readonly eventId: string }[]): EntryWait {
    const wait = new EntryWait(new Set(events.map((event) => eventKey(event.streamName, event.eventId))), (done) => this.forget(done));
    for (const key of wait.wanted) {
      let waiting = this.waits.get(key);
      if (waiting === undefined) this.waits.set(key, (waiting = new Set()));
      waiting.add(wait);
    }
    if (this.fatal !== null) wait.fail(this.fatal);
    else if (this.stopped) wait.fail(new EventStoreUnavailableError('kurrentdb: store is closed'));
    return wait;
  }

  /** Resolves when the map has grown since `changeCount` was `seen`, after timeoutMs, on abort or on stop. */
  async waitForChange(seen: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.changes !== seen || this.stopped || signal?.aborted) return;
    await this.nextChange(timeoutMs, signal);
  }

  /** Resolves once the indexer has looked at $all up to `target` (null: an empty $all). */
  async waitUntilPast(target: Position | null, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.isPast(target)) {
      if (this.fatal !== null) throw this.fatal;
      if (this.stopped) throw new EventStoreUnavailableError('kurrentdb: store is closed');
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new EventStoreUnavailableError(`kurrentdb: the position map did not catch up with $all within ${timeoutMs} ms`);
      }
      await this.nextChange(Math.min(remaining, recheckMs));
    }
  }

  private isPast(target: Position | null): boolean {
    if (target === null) return true;
    const reached = [this.progress, this.head.allPosition].filter((position): position is Position => position !== null);
    return reached.some((position) => compareAllPositions(position, target) >= 0);
  }

  private forget(wait: EntryWait): void {
    for (const key of wait.wanted) {
      const waiting = this.waits.get(key);
      waiting?.delete(wait);
      if (waiting?.size === 0) this.waits.delete(key);
    }
  }

  private nextChange(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.watchers.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.watchers.add(done);
      signal?.addEventListener('abort', done);
    });
  }

  private notifyWatchers(): void {
    for (const watcher of [...this.watchers]) watcher();
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Retries for as long as the store is open: with KurrentDB or the read-model database down,
   * appends fail on their own wait limit, and the map must resume by itself once both are back.
   */
  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.follow();
      } catch (error) {
        if (this.stopped) return;
        if (error instanceof PositionMapDivergedError) {
          this.fatal = error;
          this.options.log('error', error.message, error);
          for (const waiting of this.waits.values()) for (const wait of waiting) wait.fail(error);
          this.notifyWatchers();
          return;
        }
        this.failures += 1;
        const delayMs = Math.min(indexerRetryMaxMs, indexerRetryBaseMs * 2 ** Math.min(this.failures - 1, 16));
        this.options.log('warn', `kurrentdb position map: ${(error as Error)?.message ?? String(error)}; resubscribing in ${delayMs} ms`, error);
        await this.sleep(delayMs);
        // The map may have been moved by another indexer, or reset for a rebuild, meanwhile.
        try {
          if (!this.stopped) this.head = await loadMapHead(this.options.readModels);
        } catch {
          // Unreachable read models: the next round fails and waits again.
        }
      }
    }
  }

  private async follow(): Promise<void> {
    const { client, filter } = this.options;
    const subscription = client.subscribeToAll({ fromPosition: this.head.allPosition ?? 'start', filter, resolveLinkTos: false });
    this.subscription = subscription;
    const buffer: AllStreamResolvedEvent[] = [];
    let ended = false;
    let endError: unknown = null;
    const wake = (): void => {
      const waiting = this.wakeFollower;
      this.wakeFollower = null;
      waiting?.();
    };
    const end = (error: unknown): void => {
      if (!ended) {
        ended = true;
        endError = error;
      }
      wake();
    };
    subscription.on('data', (resolved: AllStreamResolvedEvent) => {
      buffer.push(resolved);
      if (buffer.length >= maxBufferedEvents && !subscription.isPaused()) subscription.pause();
      wake();
    });
    // Stays attached after unsubscribing: an error emitted late must not crash the process.
    subscription.on('error', (error: Error) => end(error));
    subscription.on('end', () => end(new Error('the $all subscription ended')));
    subscription.on('close', () => end(new Error('the $all subscription closed')));
    try {
      while (!this.stopped) {
        if (buffer.length === 0) {
          if (ended) throw endError;
          await new Promise<void>((resolve) => {
            this.wakeFollower = resolve;
          });
          continue;
        }
        const slice = buffer.splice(0, this.options.batchSize ?? maxIndexBatch);
        if (subscription.isPaused() && buffer.length < maxBufferedEvents / 2) subscription.resume();
        await this.map(slice);
      }
    } finally {
      this.subscription = null;
      subscription.removeAllListeners('data');
      await subscription.unsubscribe().catch(() => undefined);
    }
  }

  private async map(slice: readonly AllStreamResolvedEvent[]): Promise<void> {
    for (let attempt = 1; attempt <= maxCommitAttempts; attempt += 1) {
      const indexed = indexSlice(this.head, slice, this.options.streamNamePrefix);
      if (indexed.entries.length === 0) {
        this.passed(indexed.lastAllPosition);
        return;
      }
      const last = indexed.entries[indexed.entries.length - 1];
      const reached = await this.commit(indexed);
      if (reached === last.position) {
        // The sink skips what another indexer wrote first; the last hash vouches for the whole batch.
        const stored = await entryAt(this.options.readModels, last.position);
        if (stored === null || stored.hash !== last.hash) throw new PositionMapDivergedError(last.position);
        this.advance(indexed.entries);
        this.passed(indexed.lastAllPosition);
        this.failures = 0;
        return;
      }
      if (reached < last.position) throw new Error(`the map's checkpoint is ${reached}, behind ${last.position}: was it reset?`);
      await this.adopt(reached, indexed.entries);
    }
    throw new Error(`lost ${maxCommitAttempts} commits in a row to another indexer`);
  }

  /** Writes the entries and the checkpoint in one transaction; returns the checkpoint after it. */
  private async commit(indexed: IndexedSlice): Promise<bigint> {
    const { readModels } = this.options;
    const byPosition = new Map(indexed.entries.map((entry) => [entry.position, entry]));
    const reached = await readModels.applyProjectionBatch(positionMapProjection(byPosition), indexed.events);
    return typeof reached === 'bigint' ? reached : positionMapHead(readModels);
  }

  /** Another indexer is ahead: take its entries up to `reached`, checking them against ours. */
  private async adopt(reached: bigint, ours: readonly PositionMapEntry[]): Promise<void> {
    const oursByPosition = new Map(ours.map((entry) => [entry.position, entry]));
    while (this.head.position < reached) {
      const through = reached - this.head.position > positionPageSize ? this.head.position + positionPageSize : reached;
      const theirs = await entriesBetween(this.options.readModels, this.head.position, through);
      for (const entry of theirs) {
        const mine = oursByPosition.get(entry.position);
        if (entry.previousHash !== this.head.hash || (mine !== undefined && (mine.eventId !== entry.eventId || mine.hash !== entry.hash))) {
          throw new PositionMapDivergedError(entry.position);
        }
        this.advance([entry]);
      }
    }
  }

  private advance(entries: readonly PositionMapEntry[]): void {
    for (const entry of entries) {
      this.head = { position: entry.position, hash: entry.hash, allPosition: entry.allPosition };
      const waiting = this.waits.get(entryKey(entry));
      if (waiting !== undefined) for (const wait of [...waiting]) wait.offer(entry);
    }
    this.changes += 1;
    this.notifyWatchers();
  }

  private passed(position: Position | null): void {
    if (position === null) return;
    if (this.progress === null || compareAllPositions(position, this.progress) > 0) this.progress = position;
    this.notifyWatchers();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleeper = done;
    });
  }
}
