import type { RegionRegistry } from '@earmark/domain';
import type { RecordedEvent } from '@earmark/event-store';
import { evaluatePerformance, type PerformanceRow } from '../performance/compute-performance';
import { compareText, evaluateFlags, evaluateFundRules, findRefusals, identifyRun } from './compute-flags';
import type { Finding, FlagRule, FlagThresholds, IdentifiedFlag } from './flag.types';
import type { FundAudit, FundAuditFold, Outflow } from './fund-audit-replay';

/** One run of a flag list: the flags of one rule about one region, in the list's order. */
export interface FlagSegment {
  readonly rule: FlagRule;
  /** As the flags give it: '' or whatever a refusal named for a refused attempt. */
  readonly regionCode: string;
  readonly flags: readonly IdentifiedFlag[];
}

/** Each list's runs, made once per list; held weakly, as long as the list. */
const segmentsByList = new WeakMap<readonly IdentifiedFlag[], readonly FlagSegment[]>();

/** The runs of a list in the list's order: kept when `FundJudge` made the list, else split once. */
export function flagSegments(flags: readonly IdentifiedFlag[]): readonly FlagSegment[] {
  let segments = segmentsByList.get(flags);
  if (segments === undefined) {
    segments = splitRuns(flags);
    segmentsByList.set(flags, segments);
  }
  return segments;
}

function splitRuns(flags: readonly IdentifiedFlag[]): FlagSegment[] {
  const segments: FlagSegment[] = [];
  let start = 0;
  for (let index = 1; index <= flags.length; index += 1) {
    const first = flags[start];
    const flag = flags[index];
    if (flag !== undefined && flag.rule === first.rule && flag.regionCode === first.regionCode) continue;
    segments.push({ rule: first.rule, regionCode: first.regionCode, flags: flags.slice(start, index) });
    start = index;
  }
  return segments;
}

/**
 * Runs laid end to end by native concatenation: copying a hundred thousand flags one push at a time
 * cost more than judging the group that changed. In slices, as a call takes only so many arguments
 * and refusals naming many regions make many runs.
 */
export function concatenated<T>(runs: readonly (readonly T[])[]): T[] {
  let all: T[] = [];
  for (let from = 0; from < runs.length; from += 8192) all = all.concat(...runs.slice(from, from + 8192));
  return all;
}

/** A judgement taken a group at a time: it yields after each group it judges, and returns the result. */
type Steps<T> = Generator<void, T, void>;

function toEnd<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

async function inTurns<T>(steps: Steps<T>, pause: () => Promise<void>): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await pause();
  }
}

/** What one group of regions was last judged to: its flags' runs and its performance rows. */
interface Judged<T> {
  readonly version: number;
  readonly value: T;
}

/**
 * Today's flags and performance rows of one fund, for one day and one set of thresholds, kept as a
 * projection of the fund's fold: after new events only the regions they touched are judged again.
 *
 * Every rule but the refusals' reads, for a region, only what the fold holds about the regions of
 * its 市(州): its own lots, outflows, postings and counters, its 市's targets and actuals, the
 * settlement of its funding parent, the subtree a settlement of it closes. So the regions are
 * judged in groups, a 市(州) with its counties (扩权县 included) and any other region alone, each
 * on the fold narrowed to the group; an event marks the groups of the regions it touched, and the
 * next call judges those groups again and keeps the others' flags as they were. The refusals are
 * judged apart: only the new ones, each finding depending on its refusal and the day alone, and the
 * runs of the regions they named laid out again. The list is the runs of every group, one per rule and region,
 * laid out in the list's order (rule, then region); within a run the group's order stands.
 *
 * Should a fund hold a region whose funding parent is in another group (a registry other than a
 * province of 市 and 县), or should the root itself be settled, grouping would not hold and the
 * whole fund is judged each time, as `evaluateFlags` does.
 *
 * `evaluateFlags` over the whole fold is what this must equal, flag for flag and id for id: the
 * property test of the fold holds it to a fresh replay after every batch.
 */
export class FundJudge {
  private readonly groupOfRegion = new Map<string, string>();
  private readonly members = new Map<string, string[]>();
  private flagsJudged: Judged<ReadonlyMap<string, readonly FlagSegment[]>> | null = null;
  /** The refusals judged so far: their findings and their run, per region the refusals named. */
  private refusalsJudged: { count: number; readonly findings: Map<string, Finding[]>; readonly runs: Map<string, FlagSegment> } | null = null;
  private list: Judged<IdentifiedFlag[]> & { readonly refusals: number } | null = null;
  private rowsJudged: Judged<ReadonlyMap<string, readonly PerformanceRow[]>> | null = null;
  private rows: Judged<PerformanceRow[]> | null = null;
  private pendingFlags: { readonly version: number; readonly refusals: number; readonly value: Promise<IdentifiedFlag[]> } | null = null;

  constructor(
    private readonly registry: RegionRegistry,
    readonly asOf: string,
    readonly thresholds: FlagThresholds,
  ) {}

  /** The flags of the fund as folded, with ids, in the list's order: `evaluateFlags`' list. */
  flags(fold: FundAuditFold, refusalEvents: readonly RecordedEvent[]): IdentifiedFlag[] {
    return toEnd(this.flagSteps(fold, refusalEvents));
  }

  /**
   * The same list, `pause` awaited between groups: the first judgement of a large fund judges every
   * group, and a service hands the event loop a turn meanwhile. Calls at the same version share one
   * judgement.
   */
  async flagsInTurns(fold: FundAuditFold, refusalEvents: readonly RecordedEvent[], pause: () => Promise<void>): Promise<IdentifiedFlag[]> {
    const version = fold.version;
    const refusals = refusalEvents.length;
    const pending = this.pendingFlags;
    if (pending !== null && pending.version === version && pending.refusals === refusals) return pending.value;
    const judging = { version, refusals, value: inTurns(this.flagSteps(fold, refusalEvents), pause) };
    this.pendingFlags = judging;
    try {
      return await judging.value;
    } finally {
      if (this.pendingFlags === judging) this.pendingFlags = null;
    }
  }

  /** The performance rows of the fund as folded: `evaluatePerformance`'s rows. */
  performance(fold: FundAuditFold): PerformanceRow[] {
    return toEnd(this.rowSteps(fold));
  }

  /** The same rows, `pause` awaited between groups. */
  async performanceInTurns(fold: FundAuditFold, pause: () => Promise<void>): Promise<PerformanceRow[]> {
    return inTurns(this.rowSteps(fold), pause);
  }

  private *flagSteps(fold: FundAuditFold, refusalEvents: readonly RecordedEvent[]): Steps<IdentifiedFlag[]> {
    const version = fold.version;
    if (this.list !== null && this.list.version === version && this.list.refusals === refusalEvents.length) return this.list.value;
    const audit = fold.audit;
    const flags = this.groupsHold(fold, audit) ? yield* this.assemble(fold, audit, refusalEvents) : this.whole(audit, refusalEvents);
    this.list = { version, refusals: refusalEvents.length, value: flags };
    return flags;
  }

  private *rowSteps(fold: FundAuditFold): Steps<PerformanceRow[]> {
    const version = fold.version;
    if (this.rows !== null && this.rows.version === version) return this.rows.value;
    const audit = fold.audit;
    let rows: PerformanceRow[];
    if (this.groupsHold(fold, audit)) {
      const byGroup = yield* this.judgeGroups(fold, audit, this.rowsJudged, (part) => evaluatePerformance(part, this.registry, this.thresholds, this.asOf));
      this.rowsJudged = { version, value: byGroup };
      // A group's rows are its 市(州)'s, whose code is the group's: the rows' order is the groups'.
      rows = [...byGroup.keys()].sort(compareText).flatMap((group) => byGroup.get(group) ?? []);
    } else {
      this.rowsJudged = null;
      rows = evaluatePerformance(audit, this.registry, this.thresholds, this.asOf);
    }
    this.rows = { version, value: rows };
    return rows;
  }

  /** Flags and rows held, for bounding a cache of judges. */
  get size(): number {
    return (this.list?.value.length ?? 0) + (this.rows?.value.length ?? 0);
  }

  private whole(audit: FundAudit, refusalEvents: readonly RecordedEvent[]): IdentifiedFlag[] {
    this.flagsJudged = null;
    this.refusalsJudged = null;
    return evaluateFlags({ audit, refusalEvents, registry: this.registry, asOf: this.asOf, thresholds: this.thresholds });
  }

  private *assemble(fold: FundAuditFold, audit: FundAudit, refusalEvents: readonly RecordedEvent[]): Steps<IdentifiedFlag[]> {
    const { registry, asOf, thresholds } = this;
    // Taken before judging: what a paused judgement folded meanwhile is judged again next time.
    const version = fold.version;
    const byGroup = yield* this.judgeGroups(fold, audit, this.flagsJudged, (part) =>
      splitRuns(evaluateFundRules({ audit: part, registry, asOf, thresholds })),
    );
    this.flagsJudged = { version, value: byGroup };
    // Refusals only arrive: the new ones are judged, and the runs of the regions they named laid out again.
    const refusals = (this.refusalsJudged ??= { count: 0, findings: new Map<string, Finding[]>(), runs: new Map<string, FlagSegment>() });
    if (refusals.count !== refusalEvents.length) {
      const named = new Set<string>();
      for (const finding of findRefusals({ audit, refusalEvents: refusalEvents.slice(refusals.count), registry, asOf, thresholds })) {
        const findings = refusals.findings.get(finding.regionCode);
        if (findings) findings.push(finding);
        else refusals.findings.set(finding.regionCode, [finding]);
        named.add(finding.regionCode);
      }
      for (const regionCode of named) {
        refusals.runs.set(regionCode, { rule: 'refused-attempt', regionCode, flags: identifyRun(refusals.findings.get(regionCode) ?? []) });
      }
      refusals.count = refusalEvents.length;
    }
    const segments: FlagSegment[] = [...refusals.runs.values()];
    for (const runs of byGroup.values()) for (const run of runs) segments.push(run);
    segments.sort((a, b) => compareText(a.rule, b.rule) || compareText(a.regionCode, b.regionCode));
    for (let index = 1; index < segments.length; index += 1) {
      const segment = segments[index];
      const previous = segments[index - 1];
      // Two groups with flags of one rule about one region would break the grouping's premise.
      if (previous.rule === segment.rule && previous.regionCode === segment.regionCode) return this.whole(audit, refusalEvents);
    }
    const flags = concatenated(segments.map((segment) => segment.flags));
    segmentsByList.set(flags, segments);
    return flags;
  }

  /**
   * Each group's judgement: kept from `before` for a group none of whose regions changed since,
   * judged again on the fold narrowed to the group otherwise, a step after each group judged.
   */
  private *judgeGroups<T>(
    fold: FundAuditFold,
    audit: FundAudit,
    before: Judged<ReadonlyMap<string, T>> | null,
    judge: (part: FundAudit) => T,
  ): Steps<Map<string, T>> {
    const stale = new Set<string>();
    const all = before === null || fold.rootFixedAt > before.version;
    for (const [regionCode, changedAt] of fold.regionsChanged) {
      if (all || changedAt > (before?.version ?? 0)) stale.add(this.groupOf(regionCode));
    }
    const judged = new Map<string, T>();
    // The groups as they stand now: a call that pauses may see regions filed meanwhile.
    for (const [group, members] of [...this.members]) {
      const kept = stale.has(group) ? undefined : before?.value.get(group);
      if (kept !== undefined) {
        judged.set(group, kept);
        continue;
      }
      judged.set(group, judge(narrowed(audit, members)));
      yield;
    }
    return judged;
  }

  /**
   * True when every region the fold holds can be judged within its group: its funding parent, whose
   * settlement closes it, is in its group or is the root, and the root is not settled (a
   * settlement of the root would close regions of every group). Also files new regions in groups.
   */
  private groupsHold(fold: FundAuditFold, audit: FundAudit): boolean {
    if (audit.rootRegionCode !== null && audit.settlements.has(audit.rootRegionCode)) return false;
    for (const regionCode of fold.regionsChanged.keys()) {
      const group = this.groupOf(regionCode);
      const parent = this.registry.fundingParentOf(regionCode);
      if (parent !== null && parent !== audit.rootRegionCode && this.groupOf(parent) !== group) return false;
    }
    return true;
  }

  /** A county's 市(州), a 市(州) itself; any other region is a group of its own. */
  private groupOf(regionCode: string): string {
    let group = this.groupOfRegion.get(regionCode);
    if (group === undefined) {
      group = this.registry.prefectureOf(regionCode) ?? regionCode;
      this.groupOfRegion.set(regionCode, group);
      const members = this.members.get(group);
      if (members) members.push(regionCode);
      else this.members.set(group, [regionCode]);
    }
    return group;
  }
}

/**
 * The fold narrowed to some regions: what it holds about them, the same objects (the rules keep
 * per-object judgements), the outflows merged back into log order.
 */
function narrowed(audit: FundAudit, regions: readonly string[]): FundAudit {
  const pick = <V>(map: ReadonlyMap<string, V>): Map<string, V> => {
    const picked = new Map<string, V>();
    for (const regionCode of regions) {
      const value = map.get(regionCode);
      if (value !== undefined) picked.set(regionCode, value);
    }
    return picked;
  };
  const outflowsByRegion = pick(audit.outflowsByRegion);
  const lists = [...outflowsByRegion.values()];
  // Each list is in log order and an event's outflows are all one region's: a stable sort of the
  // lists laid end to end (runs, which the sort merges) gives the log order.
  const outflows: readonly Outflow[] =
    lists.length === 0 ? [] : lists.length === 1 ? lists[0] : lists.flat().sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
  const inGroup = new Set(regions);
  return {
    fiscalYear: audit.fiscalYear,
    rootRegionCode: audit.rootRegionCode,
    lots: pick(audit.lots),
    outflows,
    outflowsByRegion,
    settlements: pick(audit.settlements),
    targets: pick(audit.targets),
    actuals: audit.actuals.filter((actual) => inGroup.has(actual.data.regionCode)),
    counters: pick(audit.counters),
    postings: pick(audit.postings),
  };
}
