import { PassThrough } from 'node:stream';
import {
  StreamNotFoundError,
  UnavailableError,
  UnknownError,
  UnsupportedError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendResult,
  type AppendStreamRequest,
  type AppendStreamState,
  type EventData,
  type Filter,
  type MultiAppendResult,
  type Position,
  type ReadPosition,
  type ReadRevision,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import type { KurrentDbClient } from '../../src/kurrentdb';

/*
 * An in-process stand-in for a KurrentDB server, for the adapter's logic: it answers the calls the
 * adapter makes the way @kurrent/kurrentdb-client 1.x answers them (the client's own error classes,
 * $all positions with gaps, reads that include their start position, subscriptions that start after
 * it, system events in $all). It is not KurrentDB: what only a real server shows (replication,
 * leader changes, the server's own idempotency rules in every corner) is left to the int-spec
 * against a real cluster.
 */

interface StoredRecord {
  readonly streamId: string;
  readonly id: string;
  readonly revision: bigint;
  readonly type: string;
  readonly dataText: string;
  readonly metadataText: string;
  readonly created: Date;
  readonly position: Position;
}

export interface KurrentDbSimulatorOptions {
  /** KurrentDB 25.1+ offers multiStreamAppend; older servers answer UnsupportedError. */
  readonly multiStreamAppend: boolean;
}

const positionGap = 137n;

class SimulatedSubscription extends PassThrough {
  live = false;

  constructor(
    readonly eventFilter: Filter | undefined,
    private readonly onUnsubscribe: (subscription: SimulatedSubscription) => void,
  ) {
    super({ objectMode: true });
  }

  async unsubscribe(): Promise<void> {
    this.onUnsubscribe(this);
    this.destroy();
  }
}

export class KurrentDbSimulator {
  private readonly log: StoredRecord[] = [];
  private readonly streams = new Map<string, StoredRecord[]>();
  private readonly subscriptions = new Set<SimulatedSubscription>();
  private nextPosition = 1_000n;
  private appends = 0;
  private held = false;
  private readonly heldBack: StoredRecord[] = [];
  private loseNextAnswer = false;
  private garbleNextConflict = false;
  multiStreamAppendSupported: boolean;

  constructor(options: KurrentDbSimulatorOptions) {
    this.multiStreamAppendSupported = options.multiStreamAppend;
    // What a fresh KurrentDB holds before anyone writes: system events, and one of another program.
    this.write([{ stream: '$settings', events: [{ type: '$settings', data: {}, metadata: {} }] }]);
    this.write([{ stream: '$stats-127.0.0.1:2113', events: [{ type: 'statsCollected', data: { cpu: 1 }, metadata: {} }] }]);
    this.write([{ stream: 'other-app-1', events: [{ type: 'SomethingHappened', data: { n: 1 }, metadata: { by: 'another program' } }] }]);
  }

  /** The client the adapter is given. */
  client(): KurrentDbClient {
    return {
      appendToStream: this.appendToStream.bind(this) as KurrentDbClient['appendToStream'],
      multiStreamAppend: this.multiStreamAppend.bind(this) as KurrentDbClient['multiStreamAppend'],
      readStream: this.readStream.bind(this) as KurrentDbClient['readStream'],
      readAll: this.readAll.bind(this) as KurrentDbClient['readAll'],
      subscribeToAll: this.subscribeToAll.bind(this) as unknown as KurrentDbClient['subscribeToAll'],
      dispose: async () => undefined,
    };
  }

  /** Every $all position, in order: to show that they are not 1..n. */
  allPositions(): Position[] {
    return this.log.map((record) => record.position);
  }

  streamIds(): string[] {
    return [...this.streams.keys()];
  }

  /** Subscriptions stop receiving live events until release(), as if the server lagged. */
  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    for (const record of this.heldBack.splice(0)) this.deliver(record);
  }

  /** The next append is applied, but its answer is lost on the way back, as on a dropped connection. */
  loseTheNextAnswer(): void {
    this.loseNextAnswer = true;
  }

  /**
   * The next conflict reaches the client as details it cannot parse (a newer server), which the
   * client reports as UnknownError.
   */
  garbleTheNextConflict(): void {
    this.garbleNextConflict = true;
  }

  /** Every live subscription fails, as when the node a client follows goes away. */
  dropSubscriptions(): void {
    for (const subscription of [...this.subscriptions]) {
      this.subscriptions.delete(subscription);
      subscription.destroy(new UnavailableError(undefined, 'simulated: connection lost'));
    }
  }

  /** Writes an event the way another program would, without the adapter. */
  writeForeign(stream: string, type: string, data: Record<string, unknown>, metadata: Record<string, unknown>): void {
    this.write([{ stream, events: [{ type, data, metadata }] }]);
  }

  // ---------------------------------------------------------------------------------------------

  private async appendToStream(streamName: string, event: EventData | EventData[], options: { streamState?: AppendStreamState } = {}): Promise<AppendResult> {
    await Promise.resolve();
    const events = Array.isArray(event) ? event : [event];
    const state = options.streamState ?? 'any';
    const existing = this.streams.get(streamName) ?? [];
    const idempotent = this.idempotentRevision(existing, state, events);
    if (idempotent !== null) return this.answer({ success: true, nextExpectedRevision: idempotent, position: existing[existing.length - 1]?.position });
    this.check(streamName, state, existing);
    if (events.length === 0) {
      return this.answer({ success: true, nextExpectedRevision: existing.length === 0 ? -1n : BigInt(existing.length - 1) });
    }
    const written = this.write([{ stream: streamName, events: events.map(toPlain) }]);
    const last = written[written.length - 1];
    this.maybeSystemEvent();
    return this.answer({ success: true, nextExpectedRevision: last.revision, position: last.position });
  }

  private async multiStreamAppend(requests: AppendStreamRequest[]): Promise<MultiAppendResult> {
    await Promise.resolve();
    if (!this.multiStreamAppendSupported) throw new UnsupportedError('multiStreamAppend', '25.1');
    for (const request of requests) {
      for (const event of request.events) {
        const metadata = event.metadata as unknown;
        if (metadata == null) continue;
        if (typeof metadata !== 'object' || Array.isArray(metadata) || Object.values(metadata).some((value) => typeof value !== 'string')) {
          throw new Error('multiStreamAppend requires metadata to be a plain object with string keys and string values.');
        }
      }
    }
    // Checked all before anything is written: all or nothing. No idempotency by event id here,
    // which is the cautious reading of the v2 protocol: a repeated request conflicts.
    for (const request of requests) this.check(request.streamName, request.expectedState, this.streams.get(request.streamName) ?? []);
    const written = this.write(
      requests.map((request) => ({
        stream: request.streamName,
        events: request.events.map((event) => {
          const plain = toPlain(event);
          // The server stores the properties as JSON metadata, with the schema beside them.
          return { ...plain, metadata: { ...(plain.metadata as object), '$schema.format': 'Json', '$schema.name': event.type } };
        }),
      })),
    );
    this.maybeSystemEvent();
    const responses = requests.map((request) => ({
      streamName: request.streamName,
      revision: BigInt((this.streams.get(request.streamName) ?? []).length - 1),
    }));
    return this.answer({ position: written[written.length - 1].position.commit, responses });
  }

  private answer<T>(result: T): T {
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      throw new UnavailableError(undefined, 'simulated: the answer was lost');
    }
    return result;
  }

  private idempotentRevision(existing: readonly StoredRecord[], state: AppendStreamState, events: readonly EventData[]): bigint | null {
    if (events.length === 0) return null;
    const ids = events.map((event) => event.id.toLowerCase());
    let from: number | null = null;
    if (state === 'no_stream') from = 0;
    else if (typeof state === 'bigint') from = Number(state) + 1;
    else {
      const at = existing.findIndex((record) => record.id === ids[0]);
      from = at < 0 ? null : at;
    }
    if (from === null || from + ids.length > existing.length) return null;
    const matches = ids.every((id, index) => existing[from + index].id === id);
    return matches ? BigInt(from + ids.length - 1) : null;
  }

  private check(streamName: string, state: AppendStreamState, existing: readonly StoredRecord[]): void {
    const current = existing.length === 0 ? null : BigInt(existing.length - 1);
    const ok =
      state === 'any' ? true : state === 'no_stream' ? current === null : state === 'stream_exists' ? current !== null : current === state;
    if (ok) return;
    if (this.garbleNextConflict) {
      this.garbleNextConflict = false;
      throw new UnknownError(undefined, 'Could not recognize 9 FAILED_PRECONDITION');
    }
    throw new WrongExpectedVersionError(undefined, { streamName, expected: state, current: current ?? 'no_stream' });
  }

  private write(appends: readonly { stream: string; events: readonly { id?: string; type: string; data: unknown; metadata: unknown }[] }[]): StoredRecord[] {
    this.appends += 1;
    const eventCount = appends.reduce((sum, append) => sum + append.events.length, 0);
    // One commit record after the prepares: the events share the commit position, as KurrentDB's do.
    const commit = this.nextPosition + BigInt(eventCount) * positionGap;
    let prepare = this.nextPosition;
    const written: StoredRecord[] = [];
    for (const append of appends) {
      const stream = this.streams.get(append.stream) ?? [];
      this.streams.set(append.stream, stream);
      for (const event of append.events) {
        const record: StoredRecord = {
          streamId: append.stream,
          id: (event.id ?? randomishId(this.appends, written.length)).toLowerCase(),
          revision: BigInt(stream.length),
          type: event.type,
          dataText: JSON.stringify(event.data),
          metadataText: JSON.stringify(event.metadata ?? {}),
          created: new Date(),
          position: { commit, prepare },
        };
        prepare += positionGap;
        stream.push(record);
        this.log.push(record);
        written.push(record);
      }
    }
    this.nextPosition = commit + positionGap;
    for (const record of written) this.deliver(record);
    return written;
  }

  /** KurrentDB writes its own events between the clients' ones. */
  private maybeSystemEvent(): void {
    if (this.appends % 7 === 0) this.write([{ stream: '$stats-127.0.0.1:2113', events: [{ type: '$statsCollected', data: {}, metadata: {} }] }]);
  }

  private deliver(record: StoredRecord): void {
    if (this.held) {
      this.heldBack.push(record);
      return;
    }
    for (const subscription of this.subscriptions) {
      if (subscription.live && matches(subscription.eventFilter, record)) subscription.write(toResolved(record));
    }
  }

  // ---------------------------------------------------------------------------------------------

  private readStream(
    streamName: string,
    options: { fromRevision?: ReadRevision; direction?: 'forwards' | 'backwards'; maxCount?: number | bigint } = {},
  ): AsyncIterableIterator<ResolvedEvent> {
    const streams = this.streams;
    return (async function* () {
      await Promise.resolve();
      const stream = streams.get(streamName);
      if (stream === undefined) throw new StreamNotFoundError(undefined, streamName);
      const backwards = options.direction === 'backwards';
      const from = options.fromRevision ?? (backwards ? 'end' : 'start');
      const maxCount = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
      let selected = backwards
        ? [...stream].reverse().filter((record) => from === 'end' || from === 'start' || record.revision <= from)
        : stream.filter((record) => from === 'start' || (from !== 'end' && record.revision >= from));
      if (backwards && from === 'start') selected = selected.slice(-1);
      for (const record of selected.slice(0, maxCount)) yield toResolved(record) as ResolvedEvent;
    })();
  }

  private readAll(
    options: { fromPosition?: ReadPosition; direction?: 'forwards' | 'backwards'; maxCount?: number | bigint; filter?: Filter } = {},
  ): AsyncIterableIterator<AllStreamResolvedEvent> {
    const log = this.log;
    return (async function* () {
      await Promise.resolve();
      const backwards = options.direction === 'backwards';
      const from = options.fromPosition ?? (backwards ? 'end' : 'start');
      const maxCount = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
      const ordered = backwards ? [...log].reverse() : [...log];
      let yielded = 0;
      for (const record of ordered) {
        if (yielded >= maxCount) return;
        if (typeof from === 'object') {
          const order = comparePositions(record.position, from);
          if (backwards ? order >= 0 : order < 0) continue;
        }
        if (!matches(options.filter, record)) continue;
        yielded += 1;
        yield toResolved(record);
      }
    })();
  }

  private subscribeToAll(options: { fromPosition?: ReadPosition; filter?: Filter } = {}): AllStreamSubscription {
    const subscription = new SimulatedSubscription(options.filter, (done) => this.subscriptions.delete(done));
    this.subscriptions.add(subscription);
    setImmediate(() => {
      if (subscription.destroyed) return;
      const from = options.fromPosition ?? 'start';
      // History and going live in one turn: no append can fall between them.
      for (const record of from === 'end' ? [] : this.log) {
        if (typeof from === 'object' && comparePositions(record.position, from) <= 0) continue;
        if (this.held && this.heldBack.includes(record)) continue;
        if (matches(options.filter, record)) subscription.write(toResolved(record));
      }
      subscription.live = true;
      subscription.emit('caughtUp', {});
    });
    return subscription as unknown as AllStreamSubscription;
  }
}

function toPlain(event: EventData): { id: string; type: string; data: unknown; metadata: unknown } {
  return { id: event.id, type: event.type, data: event.data, metadata: event.metadata };
}

function toResolved(record: StoredRecord): AllStreamResolvedEvent {
  return {
    event: {
      streamId: record.streamId,
      id: record.id,
      revision: record.revision,
      type: record.type,
      isJson: true,
      created: record.created,
      data: JSON.parse(record.dataText) as Record<string, unknown>,
      metadata: JSON.parse(record.metadataText) as Record<string, unknown>,
      position: record.position,
    },
    commitPosition: record.position.commit,
  } as AllStreamResolvedEvent;
}

function matches(filter: Filter | undefined, record: StoredRecord): boolean {
  if (filter === undefined) return true;
  const subject = filter.filterOn === 'eventType' ? record.type : record.streamId;
  if ('regex' in filter) return new RegExp(filter.regex).test(subject);
  return filter.prefixes.some((prefix) => subject.startsWith(prefix));
}

function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

function randomishId(append: number, index: number): string {
  return `ffffffff-0000-4000-8000-${(append * 1000 + index).toString(16).padStart(12, '0')}`;
}
