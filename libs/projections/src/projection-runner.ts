import {
  isLedgerTablesProjection,
  type EventStore,
  type LedgerRebuildSink,
  type RecordedEvent,
  type StoreProjection,
  type Subscription,
} from '@earmark/event-store';
import { rebuildLedgerTables } from './ledger-rebuild';

/** Where a projection's documents and checkpoint are written, in one transaction per batch. */
export interface ProjectionSink {
  applyProjectionBatch(projection: StoreProjection, events: readonly RecordedEvent[]): Promise<unknown>;
  checkpoint(projection: string): Promise<bigint>;
  resetProjections(projections: readonly StoreProjection[]): Promise<void>;
  /** Events per rebuild page the sink works best with, when it differs from `rebuildPageSize`. */
  readonly rebuildPageSize?: number;
}

/** Events read from the log per page during a rebuild: bounds memory, keeps transactions large. */
export const rebuildPageSize = 5_000;
/** A page, its documents and their encodings must stay well inside a rebuild's memory budget. */
const maxRebuildPageSize = 20_000;

export interface RebuildReport {
  readonly events: number;
  readonly lastPosition: bigint;
  readonly elapsedMs: number;
}

const rebuildsTablesBeside = (sink: ProjectionSink): sink is ProjectionSink & LedgerRebuildSink =>
  typeof (sink as Partial<LedgerRebuildSink>).beginLedgerRebuild === 'function';

/**
 * Rebuilds projections from zero. The ledger tables, where the sink can build them beside the live
 * ones, are rebuilt as a stream and swapped in at the end (`rebuildLedgerTables`); other
 * projections have their documents and checkpoints dropped, then the whole log streamed through
 * them a page at a time, each page written with its checkpoint in one transaction. Nothing is
 * stamped with the wall clock, so the result equals the live one.
 */
export async function rebuildProjections(
  store: EventStore,
  sink: ProjectionSink,
  projections: readonly StoreProjection[],
  onProgress?: (position: bigint) => void,
): Promise<RebuildReport> {
  const pageSize = sink.rebuildPageSize ?? rebuildPageSize;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > maxRebuildPageSize) {
    throw new RangeError(`a rebuild page holds 1..${maxRebuildPageSize} events, not ${pageSize}`);
  }
  const started = Date.now();
  const streamed = rebuildsTablesBeside(sink) ? projections.filter(isLedgerTablesProjection) : [];
  const paged = projections.filter((projection) => !streamed.some((ledger) => ledger === projection));
  let events = 0;
  let after = 0n;
  for (const projection of streamed) {
    const report = await rebuildLedgerTables(store, sink as ProjectionSink & LedgerRebuildSink, projection, pageSize, onProgress);
    events = Math.max(events, report.events);
    after = report.lastPosition > after ? report.lastPosition : after;
  }
  if (paged.length > 0) {
    const report = await rebuildPaged(store, sink, paged, pageSize, onProgress);
    events = Math.max(events, report.events);
    after = report.lastPosition > after ? report.lastPosition : after;
  }
  return { events, lastPosition: after, elapsedMs: Date.now() - started };
}

async function rebuildPaged(
  store: EventStore,
  sink: ProjectionSink,
  projections: readonly StoreProjection[],
  pageSize: number,
  onProgress?: (position: bigint) => void,
): Promise<{ events: number; lastPosition: bigint }> {
  await sink.resetProjections(projections);
  let after = 0n;
  let events = 0;
  for (;;) {
    const page = await store.readAll({ afterPosition: after, maxCount: pageSize });
    if (page.length === 0) break;
    for (const projection of projections) await sink.applyProjectionBatch(projection, page);
    events += page.length;
    after = page[page.length - 1].position;
    onProgress?.(after);
  }
  return { events, lastPosition: after };
}

/**
 * Keeps projections up to date behind a store that cannot project inline (KurrentDB): a catch-up
 * subscription from the stored checkpoint, each delivered batch applied with its checkpoint in one
 * transaction of the read-model database.
 */
export class ProjectionRunner {
  private subscription: Subscription | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly sink: ProjectionSink,
    private readonly projections: readonly StoreProjection[],
    private readonly onError: (error: unknown) => void,
  ) {}

  async start(): Promise<void> {
    const checkpoints = await Promise.all(this.projections.map((p) => this.sink.checkpoint(p.name)));
    const from = checkpoints.reduce((min, c) => (c < min ? c : min), checkpoints[0] ?? 0n);
    this.subscription = this.store.subscribe({
      afterPosition: from,
      onEvents: async (events) => {
        for (const projection of this.projections) {
          const done = await this.sink.checkpoint(projection.name);
          const fresh = events.filter((event) => event.position > done);
          if (fresh.length > 0) await this.sink.applyProjectionBatch(projection, fresh);
        }
      },
      onError: this.onError,
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = null;
  }
}
