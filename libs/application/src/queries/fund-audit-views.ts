import { Inject, Injectable } from '@nestjs/common';
import {
  decodeFlagActionRecorded,
  flagHandlingStreamName,
  fundStreamName,
  initialFlagState,
  refusalStreamName,
  type FlagActionRecorded,
  type FlagState,
  type RegionRegistry,
} from '@earmark/domain';
import { eventLoopSliceMs, pauseEvery, type EventStore, type RecordedEvent } from '@earmark/event-store';
import {
  computeIdentifiedFlags,
  computePerformance,
  concatenated,
  flagSegments,
  FundAuditFold,
  FundJudge,
  parseFlagId,
  type FlagSegment,
  type FlagThresholds,
  type IdentifiedFlag,
  type PerformanceRow,
} from '@earmark/projections';
import { ApplicationError } from '../problem';
import { EVENT_STORE, LEDGER_SETTINGS, REGION_REGISTRY, type LedgerSettings } from '../ports';
import { keepRecent } from './keep-recent';
import { ReplayTurns, streamPages } from './replay-turns';

/**
 * A flag as the list gives it: the finding, and where its handling stands. `resolved` is true for a
 * flag whose cause is gone (today's rules no longer find it) but whose handling is not archived yet:
 * it stays listed, from the last step's record of it, until an auditor archives it.
 */
export type HandledFlag = IdentifiedFlag & { readonly state: FlagState; readonly resolved: boolean };

/** Where one flag's handling stands: its state and the last step, with the flag as it was then. */
export interface FlagHandling {
  readonly state: FlagState;
  readonly last: FlagActionRecorded['data'];
}

/**
 * Each standing flag with the state it was last listed in. A judged list after a new event holds
 * mostly the flags of the list before (`identify` keeps them), so a fund of a hundred thousand flags
 * would otherwise copy all of them on every event to add two fields. Flags are never changed once
 * made. Held weakly: it goes with the flag.
 */
const listedWithState = new WeakMap<IdentifiedFlag, HandledFlag>();

function withState(flag: IdentifiedFlag, state: FlagState): HandledFlag {
  const kept = listedWithState.get(flag);
  if (kept !== undefined && kept.state === state) return kept;
  const made: HandledFlag = { ...flag, state, resolved: false };
  listedWithState.set(flag, made);
  return made;
}

/**
 * Where each flag of a handled list stands, found from its id without a map of the whole list: the
 * runs of one rule and region (`segmentKey`), each with its first index, and the resolved flags
 * after them. Held weakly, as long as the list.
 */
interface HandledPlaces {
  readonly runs: ReadonlyMap<string, readonly { readonly start: number; readonly flags: readonly HandledFlag[] }[]>;
  readonly resolved: ReadonlyMap<string, number>;
}

const placesOfList = new WeakMap<readonly HandledFlag[], HandledPlaces>();

/** Where the flag `id` stands in a list `handledFlags` gave; undefined when it is not in it. */
export function placeOfFlag(flags: readonly HandledFlag[], id: string): number | undefined {
  const places = placesOfList.get(flags);
  if (places === undefined) {
    const index = flags.findIndex((flag) => flag.id === id);
    return index < 0 ? undefined : index;
  }
  const resolved = places.resolved.get(id);
  if (resolved !== undefined) return resolved;
  const parts = parseFlagId(id);
  if (parts === null) return undefined;
  for (const run of places.runs.get(segmentKey(parts.rule, parts.regionCode)) ?? []) {
    const index = run.flags.findIndex((flag) => flag.id === id);
    if (index >= 0) return run.start + index;
  }
  return undefined;
}

/** A run's rule and region as a flag id spells them: a region that is not a code reads `-`. */
function segmentKey(rule: string, regionCode: string): string {
  return `${rule}:${/^[0-9]{6}$/.test(regionCode) ? regionCode : '-'}`;
}

/** Each run's flag ids, made when a resolved flag is looked for in it; held weakly. */
const idsOfRun = new WeakMap<readonly IdentifiedFlag[], ReadonlySet<string>>();

function idsOf(flags: readonly IdentifiedFlag[]): ReadonlySet<string> {
  let ids = idsOfRun.get(flags);
  if (ids === undefined) {
    ids = new Set(flags.map((flag) => flag.id));
    idsOfRun.set(flags, ids);
  }
  return ids;
}

/** Views kept per fund for its current version: one per (day, thresholds) asked. */
const maxCachedViewsPerFund = 16;
/**
 * Rows (flags or performance rows) kept per fund and kind, over all its views: a fund paid per
 * person may hold a flag per payment, so the count of views alone does not bound the memory. The
 * newest view is kept whatever its size.
 */
const maxCachedRowsPerFund = 250_000;
/**
 * Funds kept folded, the most recently asked; one asked again after being dropped folds anew.
 */
const maxFundsKept = 8;
/**
 * Events kept folded over all those funds. A fold and the views judged on it hold about 3 KiB an
 * event (a fund of 100,000 payments grew the heap by some 320 MiB), so eight large funds would
 * come near Node's heap limit: past this many events the least recently asked funds are dropped.
 * The fund just asked is kept whatever its size.
 */
export const maxEventsKept = 500_000;

/**
 * The auditors' views kept as projections. Per fund, the replay of its events (FundAuditFold) is
 * kept in memory and caught up from the fund's stream on each call: only the events after the
 * version already folded are read, so a call costs what arrived since the last one. The rules are
 * judged on it at the day asked (flags depend on the day, not only on events: a receipt becomes
 * late with time), and each judged list is kept until the fund's next event, so that a repeated
 * call costs a lookup.
 *
 * The fold holds every event, so it stands for any day on or after the latest effective date it
 * holds; an earlier day cannot take events back out and is replayed from the stream as before
 * (and kept the same way).
 */
@Injectable()
export class FundAuditViews {
  private readonly funds = new Map<string, FundFold>();
  /** `maxEventsKept`, as a field so that a test can hold fewer. */
  protected readonly eventsKept: number = maxEventsKept;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REGION_REGISTRY) private readonly registry: RegionRegistry,
    private readonly turns: ReplayTurns,
    @Inject(LEDGER_SETTINGS) private readonly settings: Pick<LedgerSettings, 'replayMaxFundEvents'>,
  ) {}

  /** Every flag of the fund as of `asOf`, in the list's order, with ids. */
  async flags(programCode: string, fiscalYear: number, asOf: string, thresholds: FlagThresholds): Promise<IdentifiedFlag[]> {
    return this.judged(await this.caughtUp(programCode, fiscalYear), asOf, thresholds);
  }

  private async judged(fund: FundFold, asOf: string, thresholds: FlagThresholds): Promise<IdentifiedFlag[]> {
    const key = `${asOf}|${thresholdsKey(thresholds)}`;
    if (fund.covers(asOf)) return this.judgeOf(fund, key, asOf, thresholds, (judge, pause) => judge.flagsInTurns(fund.fold, fund.refusals, pause));
    const kept = fund.flags.get(key);
    if (kept) return kept;
    const flags = await this.turns.run(async () =>
      computeIdentifiedFlags({
        fundEvents: await this.readFolded(fund),
        refusalEvents: fund.refusals,
        registry: this.registry,
        asOf,
        thresholds,
      }),
    );
    return remember(fund.flags, key, flags);
  }

  /**
   * A view of the fold judged by the fund's judge for the day and thresholds: the judge keeps what
   * no event changed since its last call. Judges are kept like views, the one just asked first.
   */
  private async judgeOf<V>(
    fund: FundFold,
    key: string,
    asOf: string,
    thresholds: FlagThresholds,
    view: (judge: FundJudge, pause: () => Promise<void>) => Promise<V>,
  ): Promise<V> {
    const judge = fund.judges.get(key) ?? new FundJudge(this.registry, asOf, thresholds);
    // Kept at once, so that a caller arriving while the first judgement pauses shares it.
    fund.judges.set(key, judge);
    const value = await view(judge, pauseEvery(eventLoopSliceMs));
    keepRecent(fund.judges, key, judge, { maxEntries: maxCachedViewsPerFund, maxSize: maxCachedRowsPerFund, sizeOf: (kept) => kept.size });
    return value;
  }

  /**
   * The flags with their handling state. Today's list (`asOf` absent) also holds the resolved
   * flags: those with handling steps, not archived, that the rules no longer find. A past day's
   * list holds what the rules found then, each with its handling state as it is now.
   */
  async handledFlags(
    programCode: string,
    fiscalYear: number,
    today: string,
    asOf: string | undefined,
    thresholds: FlagThresholds,
  ): Promise<HandledFlag[]> {
    return (await this.handledAt(await this.caughtUp(programCode, fiscalYear), today, asOf, thresholds)).flags;
  }

  /** The handled list, and the handling stream's version its states were read at. */
  private async handledAt(
    fund: FundFold,
    today: string,
    asOf: string | undefined,
    thresholds: FlagThresholds,
  ): Promise<{ flags: HandledFlag[]; handlingVersion: bigint }> {
    const judged = await this.judged(fund, asOf ?? today, thresholds);
    // Read before anything else awaits. Listing a large list pauses (below), and a handling step
    // folded meanwhile may show in it: a state is never older than this version, and a step
    // appended expecting this version after a newer one is refused as a conflict, not lost.
    const handlingVersion = fund.nextHandlingVersion;
    const withResolved = asOf === undefined || asOf >= today;
    const kept = fund.handled.get(judged);
    if (kept && kept.handlingVersion === handlingVersion && kept.withResolved === withResolved) return { flags: kept.flags, handlingVersion };
    // Run by run (one rule, one region): a run no event and no handling step changed is listed as
    // it was, so that a list after one payment costs that payment's runs, not the whole fund.
    const listedRuns: (readonly HandledFlag[])[] = [];
    const runs = new Map<string, { start: number; flags: readonly HandledFlag[] }[]>();
    const segments = new Map<string, FlagSegment[]>();
    let start = 0;
    // Listing every flag anew (the first call on a fund, or after a handling step on many runs)
    // copies each with its state: a hundred thousand flags hold the event loop for some 400 ms.
    const pause = pauseEvery(eventLoopSliceMs);
    for (const segment of flagSegments(judged)) {
      await pause();
      const key = segmentKey(segment.rule, segment.regionCode);
      const listed = fund.handledRun(segment, key);
      const run = { start, flags: listed };
      start += listed.length;
      listedRuns.push(listed);
      const sameKey = runs.get(key);
      if (sameKey) sameKey.push(run);
      else runs.set(key, [run]);
      const sameKeySegments = segments.get(key);
      if (sameKeySegments) sameKeySegments.push(segment);
      else segments.set(key, [segment]);
    }
    const flags = concatenated(listedRuns);
    const resolvedPlaces = new Map<string, number>();
    if (withResolved) {
      const resolved: HandledFlag[] = [];
      for (const [id, handling] of fund.handling) {
        if (handling.state === 'archived') continue;
        const parts = parseFlagId(id);
        const standing = parts !== null && (segments.get(segmentKey(parts.rule, parts.regionCode)) ?? []).some((segment) => idsOf(segment.flags).has(id));
        if (standing) continue;
        const last = handling.last;
        resolved.push({
          id,
          rule: last.rule as IdentifiedFlag['rule'],
          regionCode: last.regionCode,
          severity: last.severity as IdentifiedFlag['severity'],
          detail: last.detail,
          since: last.since,
          threshold: last.threshold,
          evidence: [],
          state: handling.state,
          resolved: true,
        });
      }
      resolved.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      for (const flag of resolved) {
        resolvedPlaces.set(flag.id, flags.length);
        flags.push(flag);
      }
    }
    placesOfList.set(flags, { runs, resolved: resolvedPlaces });
    fund.handled.set(judged, { handlingVersion, withResolved, flags });
    return { flags, handlingVersion };
  }

  /**
   * One flag of the fund as today's list gives it, and the version of the fund's handling stream
   * its state was read at (-1 when the stream is empty): a step appended expecting that version
   * cannot pass alongside another step on the same state.
   */
  async flagToHandle(
    programCode: string,
    fiscalYear: number,
    today: string,
    flagId: string,
    thresholds: FlagThresholds,
  ): Promise<{ flag: HandledFlag; handlingVersion: bigint } | null> {
    const { flags, handlingVersion } = await this.handledAt(await this.caughtUp(programCode, fiscalYear), today, undefined, thresholds);
    const place = placeOfFlag(flags, flagId);
    return place === undefined ? null : { flag: flags[place], handlingVersion: handlingVersion - 1n };
  }

  /** The performance rows as of `asOf`. */
  async performance(programCode: string, fiscalYear: number, asOf: string, thresholds: FlagThresholds): Promise<PerformanceRow[]> {
    const fund = await this.caughtUp(programCode, fiscalYear);
    const key = `${asOf}|${thresholdsKey(thresholds)}`;
    if (fund.covers(asOf)) return this.judgeOf(fund, key, asOf, thresholds, (judge, pause) => judge.performanceInTurns(fund.fold, pause));
    const kept = fund.performance.get(key);
    if (kept) return kept;
    const rows = await this.turns.run(async () =>
      computePerformance({ fundEvents: await this.readFolded(fund), registry: this.registry, thresholds, asOf }),
    );
    return remember(fund.performance, key, rows);
  }

  /**
   * The fund caught up with its streams. A program-year is known once anything was recorded or
   * refused for it, as for the other views; an unknown one is not kept.
   */
  private async caughtUp(programCode: string, fiscalYear: number): Promise<FundFold> {
    const name = fundStreamName(programCode, fiscalYear);
    const fund =
      this.funds.get(name) ??
      new FundFold(name, refusalStreamName(programCode, fiscalYear), flagHandlingStreamName(programCode, fiscalYear));
    // Kept at once, so that a caller arriving before the first fold ends waits for it.
    this.funds.set(name, fund);
    await this.turns.catchUp(this.funds, name, fund, () => fund.nextFundVersion === 0n, () => this.catchUp(fund));
    if (fund.fold.eventsFolded === 0 && fund.refusals.length === 0) {
      if (this.funds.get(name) === fund) this.funds.delete(name);
      throw new ApplicationError('not-found', `no program ${programCode} in ${fiscalYear}`);
    }
    return keepRecent(this.funds, name, fund, { maxEntries: maxFundsKept, maxSize: this.eventsKept, sizeOf: (kept) => kept.fold.eventsFolded });
  }

  /** Funds kept folded, for a test. */
  get fundsKept(): number {
    return this.funds.size;
  }

  /**
   * The three streams are read side by side: they are independent, and on a server store each read
   * is a round trip, so a call that finds nothing new waits for one, not three in a row.
   */
  private async catchUp(fund: FundFold): Promise<void> {
    const [fundMoved, refusalsMoved] = await Promise.all([this.catchUpFund(fund), this.catchUpRefusals(fund), this.catchUpHandling(fund)]);
    if (fundMoved || refusalsMoved) {
      fund.flags.clear();
      fund.performance.clear();
    }
  }

  private async catchUpFund(fund: FundFold): Promise<boolean> {
    let moved = false;
    // streamPages gives the event loop its turns between pages, the fold's work included.
    for await (const page of streamPages(this.store, fund.fundStream, fund.nextFundVersion, this.settings.replayMaxFundEvents)) {
      for (const recorded of page) fund.fold.apply(recorded);
      fund.nextFundVersion = page[page.length - 1]!.streamVersion + 1n;
      moved = true;
    }
    return moved;
  }

  private async catchUpRefusals(fund: FundFold): Promise<boolean> {
    let moved = false;
    for await (const page of streamPages(this.store, fund.refusalStream, fund.nextRefusalVersion)) {
      fund.refusals.push(...page);
      fund.nextRefusalVersion = page[page.length - 1]!.streamVersion + 1n;
      moved = true;
    }
    return moved;
  }

  private async catchUpHandling(fund: FundFold): Promise<void> {
    for await (const page of streamPages(this.store, fund.handlingStream, fund.nextHandlingVersion)) {
      for (const recorded of page) {
        const step = decodeFlagActionRecorded(recorded.type, recorded.data);
        if (step === null) continue;
        fund.handling.set(step.data.flagId, { state: step.data.toState, last: step.data });
        const parts = parseFlagId(step.data.flagId);
        if (parts !== null) fund.handlingChanged.set(segmentKey(parts.rule, parts.regionCode), recorded.streamVersion);
      }
      fund.nextHandlingVersion = page[page.length - 1]!.streamVersion + 1n;
    }
  }

  /** The fund's events up to the version folded, for a replay as of an earlier day. */
  private async readFolded(fund: FundFold): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    for await (const page of streamPages(this.store, fund.fundStream, 0n)) {
      for (const recorded of page) {
        if (recorded.streamVersion >= fund.nextFundVersion) return events;
        events.push(recorded);
      }
    }
    return events;
  }
}

class FundFold {
  readonly fold = new FundAuditFold();
  nextFundVersion = 0n;
  /** The refused attempts, in log order: few, and judged each by its own day. */
  readonly refusals: RecordedEvent[] = [];
  nextRefusalVersion = 0n;
  /**
   * Lists replayed for a day before the fold's latest effective date, by day and thresholds;
   * cleared when the fund moves.
   */
  readonly flags = new Map<string, IdentifiedFlag[]>();
  readonly performance = new Map<string, PerformanceRow[]>();
  /** The fold's judges, by day and thresholds: kept as the fund moves, they judge what changed. */
  readonly judges = new Map<string, FundJudge>();
  /** Each flag's handling, by flag id, folded from the handling stream. */
  readonly handling = new Map<string, FlagHandling>();
  nextHandlingVersion = 0n;
  /** Per run (`segmentKey`), the handling stream's version of the last step on one of its flags. */
  readonly handlingChanged = new Map<string, bigint>();
  /** Per run of a judged list, its flags with their states, as of the handling version they were listed at. */
  private readonly handledRuns = new WeakMap<readonly IdentifiedFlag[], { readonly listedAt: bigint; readonly flags: readonly HandledFlag[] }>();
  /** Per judged list, the list with handling states, as of the handling version it was made at. */
  readonly handled = new WeakMap<
    readonly IdentifiedFlag[],
    { readonly handlingVersion: bigint; readonly withResolved: boolean; readonly flags: HandledFlag[] }
  >();
  catchingUp: Promise<void> | null = null;

  constructor(
    readonly fundStream: string,
    readonly refusalStream: string,
    readonly handlingStream: string,
  ) {}

  /** A run's flags with their states; listed again only after a handling step on one of them. */
  handledRun(segment: FlagSegment, key: string): readonly HandledFlag[] {
    const kept = this.handledRuns.get(segment.flags);
    const changedAt = this.handlingChanged.get(key);
    if (kept !== undefined && (changedAt === undefined || changedAt < kept.listedAt)) return kept.flags;
    const flags = segment.flags.map((flag) => withState(flag, this.handling.get(flag.id)?.state ?? initialFlagState));
    this.handledRuns.set(segment.flags, { listedAt: this.nextHandlingVersion, flags });
    return flags;
  }

  /** True when the fold stands for the fund as of `day`: nothing folded is effective after it. */
  covers(day: string): boolean {
    const latest = this.fold.latestEffectiveOn;
    return latest === null || latest <= day;
  }
}

/** Keeps a judged list; the lists judged longest ago go first, the one just judged stays. */
function remember<V extends readonly unknown[]>(views: Map<string, V>, key: string, view: V): V {
  return keepRecent(views, key, view, { maxEntries: maxCachedViewsPerFund, maxSize: maxCachedRowsPerFund, sizeOf: (kept) => kept.length });
}

function thresholdsKey(thresholds: FlagThresholds): string {
  return [
    thresholds.latePassDownDays,
    thresholds.clawbackOpenDays,
    thresholds.enrolmentRateMinPercent,
    thresholds.onTimeRateMinPercent,
    thresholds.minimumStandardFen,
    thresholds.satisfactionMinPercent,
  ].join(',');
}
