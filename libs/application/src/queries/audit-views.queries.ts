import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { chinaDateOf, fundStreamName, refusalStreamName, type RegionRegistry } from '@earmark/domain';
import type { EventStore, RecordedEvent } from '@earmark/event-store';
import {
  computeFlags,
  computePerformance,
  defaultFlagThresholds,
  type Flag,
  type FlagThresholds,
  type PerformanceRow,
} from '@earmark/projections';
import { ApplicationError } from '../problem';
import { CLOCK, EVENT_STORE, readPageSize, REGION_REGISTRY, type Clock } from '../ports';
import { ReadScope, type Reader } from '../read-scope';

/**
 * The auditors' views are computed from the fund's events on each call rather than kept as read
 * models: they depend on the day asked about (a receipt becomes late with time, not with an event).
 */

async function readWholeStream(store: EventStore, streamName: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let fromVersion = 0n;
  for (;;) {
    const page = await store.readStream(streamName, { fromVersion, maxCount: readPageSize });
    events.push(...page);
    if (page.length < readPageSize) return events;
    fromVersion = page[page.length - 1].streamVersion + 1n;
  }
}

/** A program-year is known once anything was recorded or refused for it, as for the other views. */
async function readFund(store: EventStore, programCode: string, fiscalYear: number) {
  const fundEvents = await readWholeStream(store, fundStreamName(programCode, fiscalYear));
  const refusalEvents = await readWholeStream(store, refusalStreamName(programCode, fiscalYear));
  if (fundEvents.length === 0 && refusalEvents.length === 0) {
    throw new ApplicationError('not-found', `no program ${programCode} in ${fiscalYear}`);
  }
  return { fundEvents, refusalEvents };
}

/**
 * The day it is in China, for views that default to today: the day the decider checks dates
 * against and the flags date what has no date of its own by, so that a view taken between 16:00
 * and 24:00 UTC does not leave out what was recorded a moment ago.
 */
function today(clock: Clock): string {
  return chinaDateOf(clock.now().toISOString());
}

/** The flags about the regions the key covers. */
export class GetFlagsQuery extends Query<Flag[]> {
  constructor(
    readonly programCode: string,
    readonly fiscalYear: number,
    readonly reader: Reader,
    /** YYYY-MM-DD; today when absent. Only events effective by then count. */
    readonly asOf?: string,
    readonly thresholds: FlagThresholds = defaultFlagThresholds,
  ) {
    super();
  }
}

@QueryHandler(GetFlagsQuery)
export class GetFlagsHandler implements IQueryHandler<GetFlagsQuery> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REGION_REGISTRY) private readonly registry: RegionRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ programCode, fiscalYear, reader, asOf, thresholds }: GetFlagsQuery): Promise<Flag[]> {
    const { fundEvents, refusalEvents } = await readFund(this.store, programCode, fiscalYear);
    const flags = computeFlags({ fundEvents, refusalEvents, registry: this.registry, asOf: asOf ?? today(this.clock), thresholds });
    const scope = new ReadScope(this.registry, reader);
    return flags.filter((flag) => scope.coversRegionOrRoot(flag.regionCode));
  }
}

/** The performance rows of the 市(州) the key covers. */
export class GetPerformanceQuery extends Query<PerformanceRow[]> {
  constructor(
    readonly programCode: string,
    readonly fiscalYear: number,
    readonly reader: Reader,
    readonly thresholds: FlagThresholds = defaultFlagThresholds,
  ) {
    super();
  }
}

@QueryHandler(GetPerformanceQuery)
export class GetPerformanceHandler implements IQueryHandler<GetPerformanceQuery> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REGION_REGISTRY) private readonly registry: RegionRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ programCode, fiscalYear, reader, thresholds }: GetPerformanceQuery): Promise<PerformanceRow[]> {
    const { fundEvents } = await readFund(this.store, programCode, fiscalYear);
    // As of today: money still inside its pass-down window is not yet late.
    const rows = computePerformance({ fundEvents, registry: this.registry, thresholds, asOf: today(this.clock) });
    const scope = new ReadScope(this.registry, reader);
    return rows.filter((row) => scope.covers(row.regionCode));
  }
}

export const auditViewQueryHandlers = [GetFlagsHandler, GetPerformanceHandler];
