import {
  applyPosting,
  assertNever,
  decodeFundEvent,
  emptyCounters,
  fenFromString,
  postingsOf,
  returnLandsWith,
  settlementTermsOf,
  type DisbursementKind,
  type FundEvent,
  type PerformanceActualReported,
  type PerformanceTargetsRecorded,
  type RegionPosting,
  type RegionRegistry,
  type RegionYearCounters,
  type RegionYearSettled,
  type SettlementTerms,
} from '@earmark/domain';
import type { RecordedEvent } from '@earmark/event-store';
import { effectiveDateOfDecoded } from './calendar';

/**
 * One fund replayed for auditors. Balances are region-year.ts's: every event's postings are folded
 * into each region's counters exactly as the decider and the ledger fold them. On top of that,
 * every receipt of money is kept as a lot with its date and every outflow drawn from the oldest
 * lots first (FIFO by amount), so that one can say which money has been held how long; balances
 * alone cannot.
 */

export type LotSource = 'pre-allocation' | 'top-up' | 'pass-down' | 'return';

export interface ReceiptLot {
  readonly regionCode: string;
  readonly receivedOn: string;
  readonly position: bigint;
  /** Orders lots of one event (an allocation's lines) among themselves. */
  readonly sequence: number;
  readonly source: LotSource;
  /** The document number of an allocation or a 下达 document, the voucher of a pass-down or return. */
  readonly reference: string;
  /** The region the money came from: the issuer of an allocation, the payer of a pass-down or return. */
  readonly fromRegionCode: string;
  readonly amountFen: bigint;
  /** Money that reached the region after its subtree was settled: a top-up, or a top-up passed down. */
  readonly topUpMoney: boolean;
  remainingFen: bigint;
}

export interface Draw {
  readonly lot: ReceiptLot;
  readonly amountFen: bigint;
}

/** Money leaving a region: a disbursement, or one line of a 市's 下达 document. */
export interface Outflow {
  /** The disbursement's id; null for a line of a 下达 document, which cannot be reversed. */
  readonly disbursementId: string | null;
  readonly regionCode: string;
  readonly kind: DisbursementKind;
  readonly paidOn: string;
  readonly position: bigint;
  readonly amountFen: bigint;
  /** The voucher of a disbursement; for a line of a 下达 document, the document's number. */
  readonly voucherNo: string;
  /** True for a line of a 下达 document (PassDownRecorded). */
  readonly fromDocument: boolean;
  readonly beneficiaries: number | null;
  readonly toRegionCode: string | null;
  readonly afterSettlement: boolean;
  /** The lots it was paid from, oldest first. */
  readonly draws: Draw[];
  /** What the money became where it landed: the district's lot of a pass-down, the city's of a return. */
  readonly landedAs: ReceiptLot | null;
  reversed: boolean;
}

export interface SettlementFact {
  readonly position: bigint;
  readonly data: RegionYearSettled['data'];
  readonly terms: SettlementTerms;
}

export interface TargetsFact {
  readonly position: bigint;
  readonly data: PerformanceTargetsRecorded['data'];
}

export interface ActualFact {
  readonly position: bigint;
  readonly actor: string;
  readonly data: PerformanceActualReported['data'];
}

/** One region's share of an event, with the event's place in the log. */
export interface LoggedPosting {
  readonly position: bigint;
  readonly posting: RegionPosting;
}

export interface FundAudit {
  readonly fiscalYear: number | null;
  /** The funding root: the issuer of the fund's first allocation. */
  readonly rootRegionCode: string | null;
  /** Per region, in FIFO order: oldest receipt first. */
  readonly lots: ReadonlyMap<string, readonly ReceiptLot[]>;
  /** In log order; a 下达 document gives one outflow per line. */
  readonly outflows: readonly Outflow[];
  /** The same outflows per paying region, each list in log order. */
  readonly outflowsByRegion: ReadonlyMap<string, readonly Outflow[]>;
  readonly settlements: ReadonlyMap<string, SettlementFact>;
  /** The latest targets recorded per region. */
  readonly targets: ReadonlyMap<string, TargetsFact>;
  /** In log order. */
  readonly actuals: readonly ActualFact[];
  /** Per region that ever held money: its counters as of the view's day. */
  readonly counters: ReadonlyMap<string, RegionYearCounters>;
  /** Per region, its postings in log order, for figures as of an earlier day. */
  readonly postings: ReadonlyMap<string, readonly LoggedPosting[]>;
}

/**
 * Replays the fund's events in log order, the order the decider checked them in. With `asOf`, only
 * events effective by that date count, as in the books-as-of view.
 */
export function replayFund(events: readonly RecordedEvent[], asOf: string | null): FundAudit {
  const ordered = [...events].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
  const decoded = ordered.flatMap((recorded) => {
    const event = decodeFundEvent(recorded);
    return event === null ? [] : [{ recorded, event }];
  });
  // The root is fixed by the first allocation in the log, whatever day the view is taken on, as the
  // decider fixes it: a return to it leaves the fund even in a view that leaves that allocation out.
  const first = decoded.find(({ event }) => event.type === 'AllocationRecorded');
  const replay = new Replay(first?.event.type === 'AllocationRecorded' ? first.event.data.issuerRegionCode : null);
  for (const { recorded, event } of decoded) {
    if (asOf !== null && effectiveDateOfDecoded(event, recorded.recordedAt) > asOf) continue;
    replay.apply(recorded, event);
  }
  return replay.result();
}

/**
 * The same replay kept and fed event by event, in log order, as the fund's stream grows: each
 * event is folded once, so catching up costs what arrived since. It holds every event (no day
 * filter), so it stands for the fund as of any day on or after `latestEffectiveOn`; a view of an
 * earlier day replays (`replayFund`). The root is fixed by the first allocation folded, as
 * `replayFund` fixes it by the first in the log: nothing before that allocation moves money.
 */
export class FundAuditFold {
  private readonly replay = new Replay(null);
  private latest: string | null = null;
  private lastPosition = -1n;
  private folded = 0;

  /** Events must come in log order, each once. */
  apply(recorded: RecordedEvent): void {
    if (recorded.position <= this.lastPosition) {
      throw new Error(`event at position ${recorded.position} folded after ${this.lastPosition}: the fold takes the log in order`);
    }
    this.lastPosition = recorded.position;
    this.folded += 1;
    const event = decodeFundEvent(recorded);
    if (event === null) return;
    if (event.type === 'AllocationRecorded') this.replay.fixRoot(event.data.issuerRegionCode);
    const effectiveOn = effectiveDateOfDecoded(event, recorded.recordedAt);
    if (this.latest === null || effectiveOn > this.latest) this.latest = effectiveOn;
    this.replay.apply(recorded, event);
  }

  /** The latest effective date folded; null before any event. */
  get latestEffectiveOn(): string | null {
    return this.latest;
  }

  /** The fund as folded so far. Live: read it before folding more. */
  get audit(): FundAudit {
    return this.replay.result();
  }

  get eventsFolded(): number {
    return this.folded;
  }

  /** Counts the fund events applied so far: what `regionsChanged` marks are taken on. */
  get version(): number {
    return this.replay.version;
  }

  /**
   * Per region the fold holds anything of (lots, outflows, postings, a settlement, targets, an
   * actual), the `version` at which the last event touching it was applied.
   */
  get regionsChanged(): ReadonlyMap<string, number> {
    return this.replay.changed;
  }

  /** The `version` at which the root was fixed; 0 while none is. */
  get rootFixedAt(): number {
    return this.replay.rootFixedAt;
  }
}

class Replay {
  /** Events applied. */
  version = 0;
  /** Per region, the version of the last event that touched it. */
  readonly changed = new Map<string, number>();
  rootFixedAt = 0;
  private fiscalYear: number | null = null;
  private sequence = 0;
  private readonly lots = new Map<string, ReceiptLot[]>();
  private readonly outflows: Outflow[] = [];
  private readonly outflowsById = new Map<string, Outflow>();
  private readonly outflowsByRegion = new Map<string, Outflow[]>();
  private readonly settlements = new Map<string, SettlementFact>();
  private readonly targets = new Map<string, TargetsFact>();
  private readonly actuals: ActualFact[] = [];
  private readonly counters = new Map<string, RegionYearCounters>();
  private readonly postings = new Map<string, LoggedPosting[]>();

  constructor(private rootRegionCode: string | null) {}

  /** The first allocation's issuer; later allocations leave it as it is. */
  fixRoot(regionCode: string): void {
    if (this.rootRegionCode !== null) return;
    this.rootRegionCode = regionCode;
    this.rootFixedAt = this.version + 1;
  }

  apply(recorded: RecordedEvent, event: FundEvent): void {
    this.version += 1;
    this.fiscalYear ??= event.data.fiscalYear;
    const position = recorded.position;
    for (const posting of postingsOf(event, this.rootRegionCode).regions) {
      this.touch(posting.regionCode);
      let counters = this.counters.get(posting.regionCode);
      if (!counters) {
        counters = emptyCounters();
        this.counters.set(posting.regionCode, counters);
      }
      applyPosting(counters, posting);
      const logged = this.postings.get(posting.regionCode) ?? [];
      logged.push({ position, posting });
      this.postings.set(posting.regionCode, logged);
    }
    switch (event.type) {
      case 'AllocationRecorded': {
        const { data } = event;
        for (const line of data.lines) {
          this.receive({
            regionCode: line.regionCode,
            receivedOn: data.issuedOn,
            position,
            source: data.kind,
            reference: data.documentNo,
            fromRegionCode: data.issuerRegionCode,
            amountFen: fenFromString(line.amountFen),
            topUpMoney: data.kind === 'top-up',
          });
        }
        return;
      }
      case 'PassDownRecorded': {
        const { data } = event;
        for (const line of data.lines) {
          const amountFen = fenFromString(line.amountFen);
          this.pushOutflow({
            disbursementId: null,
            regionCode: data.regionCode,
            kind: 'pass-down',
            paidOn: data.passedOn,
            position,
            amountFen,
            voucherNo: data.documentNo,
            fromDocument: true,
            beneficiaries: null,
            toRegionCode: line.regionCode,
            afterSettlement: data.afterSettlement,
            draws: this.draw(data.regionCode, amountFen, data.afterSettlement),
            landedAs: this.receive({
              regionCode: line.regionCode,
              receivedOn: data.passedOn,
              position,
              source: 'pass-down',
              reference: data.documentNo,
              fromRegionCode: data.regionCode,
              amountFen,
              topUpMoney: data.afterSettlement,
            }),
            reversed: false,
          });
        }
        return;
      }
      case 'DisbursementRecorded': {
        const { data } = event;
        const amountFen = fenFromString(data.amountFen);
        const draws = this.draw(data.regionCode, amountFen, data.afterSettlement && data.kind !== 'return');
        const landsWith =
          data.kind === 'pass-down'
            ? (data.toRegionCode ?? null)
            : data.kind === 'return'
              ? returnLandsWith(data.toParentRegionCode ?? '', this.rootRegionCode)
              : null;
        const landedAs =
          landsWith === null
            ? null
            : this.receive({
                regionCode: landsWith,
                receivedOn: data.paidOn,
                position,
                source: data.kind === 'pass-down' ? 'pass-down' : 'return',
                reference: data.voucherNo,
                fromRegionCode: data.regionCode,
                amountFen,
                topUpMoney: data.kind === 'pass-down' && data.afterSettlement,
              });
        const outflow: Outflow = {
          disbursementId: data.disbursementId,
          regionCode: data.regionCode,
          kind: data.kind,
          paidOn: data.paidOn,
          position,
          amountFen,
          voucherNo: data.voucherNo,
          fromDocument: false,
          beneficiaries: data.beneficiaries ?? null,
          toRegionCode: data.toRegionCode ?? null,
          afterSettlement: data.afterSettlement,
          draws,
          landedAs,
          reversed: false,
        };
        this.pushOutflow(outflow);
        this.outflowsById.set(data.disbursementId, outflow);
        return;
      }
      case 'DisbursementReversed': {
        const outflow = this.outflowsById.get(event.data.disbursementId);
        // Without its original in view a reversal has no lots to put back.
        if (!outflow || outflow.reversed) return;
        // The money goes back into the very receipts it was paid from, with their original dates.
        // The lots drawn on are the payer's, touched with the outflow below.
        for (const draw of outflow.draws) draw.lot.remainingFen += draw.amountFen;
        if (outflow.landedAs) this.withdraw(outflow.landedAs, outflow.amountFen);
        outflow.reversed = true;
        this.touch(outflow.regionCode);
        return;
      }
      case 'RegionYearSettled': {
        const { data } = event;
        this.touch(data.regionCode);
        this.settlements.set(data.regionCode, {
          position,
          data,
          terms: settlementTermsOf(data),
        });
        return;
      }
      case 'PerformanceTargetsRecorded':
        this.touch(event.data.regionCode);
        this.targets.set(event.data.regionCode, { position, data: event.data });
        return;
      case 'PerformanceActualReported': {
        this.touch(event.data.regionCode);
        const actor = recorded.metadata['actor'];
        this.actuals.push({ position, actor: typeof actor === 'string' ? actor : 'unknown', data: event.data });
        return;
      }
      default:
        assertNever(event);
    }
  }

  result(): FundAudit {
    return {
      fiscalYear: this.fiscalYear,
      rootRegionCode: this.rootRegionCode,
      lots: this.lots,
      outflows: this.outflows,
      outflowsByRegion: this.outflowsByRegion,
      settlements: this.settlements,
      targets: this.targets,
      actuals: this.actuals,
      counters: this.counters,
      postings: this.postings,
    };
  }

  private touch(regionCode: string): void {
    this.changed.set(regionCode, this.version);
  }

  private pushOutflow(outflow: Outflow): void {
    this.touch(outflow.regionCode);
    this.outflows.push(outflow);
    const list = this.outflowsByRegion.get(outflow.regionCode);
    if (list) list.push(outflow);
    else this.outflowsByRegion.set(outflow.regionCode, [outflow]);
  }

  private receive(lot: Omit<ReceiptLot, 'remainingFen' | 'sequence'>): ReceiptLot {
    this.touch(lot.regionCode);
    const created: ReceiptLot = { ...lot, sequence: this.sequence++, remainingFen: lot.amountFen };
    const regionLots = this.lots.get(lot.regionCode) ?? [];
    regionLots.push(created);
    // A back-dated receipt recorded later is still older money: FIFO follows the effective date.
    regionLots.sort(fifoOrder);
    this.lots.set(lot.regionCode, regionLots);
    return created;
  }

  /**
   * Takes `amountFen` from the region's oldest lots. After settlement a payment or pass-down may
   * only spend top-up money (the decider's rule), so it draws on top-up money first: the top-up
   * lots, and for a district what its city passed down after the settlement. A shortfall can only
   * come from a view as of a date that leaves out a receipt the outflow was decided against: the
   * part not covered is then drawn from nothing.
   */
  private draw(regionCode: string, amountFen: bigint, spendsTopUp: boolean): Draw[] {
    const regionLots = this.lots.get(regionCode) ?? [];
    const ordered = spendsTopUp
      ? [...regionLots.filter((lot) => lot.topUpMoney), ...regionLots.filter((lot) => !lot.topUpMoney)]
      : regionLots;
    const draws: Draw[] = [];
    let left = amountFen;
    for (const lot of ordered) {
      if (left === 0n) break;
      if (lot.remainingFen === 0n) continue;
      const taken = lot.remainingFen < left ? lot.remainingFen : left;
      lot.remainingFen -= taken;
      left -= taken;
      draws.push({ lot, amountFen: taken });
    }
    return draws;
  }

  /** Undoes a receipt: from the lot it created first, then from the region's newest money. */
  private withdraw(landed: ReceiptLot, amountFen: bigint): void {
    this.touch(landed.regionCode);
    const regionLots = this.lots.get(landed.regionCode) ?? [];
    let left = amountFen;
    for (const lot of [landed, ...[...regionLots].reverse().filter((other) => other !== landed)]) {
      if (left === 0n) break;
      const taken = lot.remainingFen < left ? lot.remainingFen : left;
      lot.remainingFen -= taken;
      left -= taken;
    }
  }
}

function fifoOrder(a: ReceiptLot, b: ReceiptLot): number {
  if (a.receivedOn !== b.receivedOn) return a.receivedOn < b.receivedOn ? -1 : 1;
  return a.sequence - b.sequence;
}

// ----------------------------------------------------------------------------------------------
// Reading the replay.

/** A region's counters as of the view's day; empty for a region that never held money. */
export function countersOf(audit: FundAudit, regionCode: string): RegionYearCounters {
  return audit.counters.get(regionCode) ?? emptyCounters();
}

/**
 * A region and the regions it funds: a 市's 区/县, never the 扩权县 the province pays directly.
 * The subtree a settlement of the region closes (DOMAIN.md invariant 4).
 */
export function fundedSubtree(registry: RegionRegistry, regionCode: string): string[] {
  return [regionCode, ...registry.childrenOf(regionCode).filter((child) => !child.directFromProvince).map((child) => child.code)];
}

/** True for a region with someone below it to pass money down to. */
export function fundsOthers(registry: RegionRegistry, regionCode: string): boolean {
  return fundedSubtree(registry, regionCode).length > 1;
}

/** The settlement that closed a region's subtree (its own, or its city's), if in view. */
export function closingSettlementOf(audit: FundAudit, registry: RegionRegistry, regionCode: string): SettlementFact | null {
  const own = audit.settlements.get(regionCode);
  if (own) return own;
  const parent = registry.fundingParentOf(regionCode);
  if (parent === null || parent === audit.rootRegionCode) return null;
  return audit.settlements.get(parent) ?? null;
}

/**
 * Walks a region's counters through the given days (ascending): `visit` sees the counters as they
 * stood at the end of each day. The counters object is reused between calls.
 */
export function forEachDay(
  postings: readonly LoggedPosting[],
  days: readonly string[],
  visit: (day: string, counters: RegionYearCounters) => void,
): void {
  const byDate = [...postings].sort((a, b) =>
    a.posting.effectiveOn !== b.posting.effectiveOn
      ? a.posting.effectiveOn < b.posting.effectiveOn
        ? -1
        : 1
      : a.position < b.position
        ? -1
        : a.position > b.position
          ? 1
          : 0,
  );
  const counters = emptyCounters();
  let next = 0;
  for (const day of days) {
    while (next < byDate.length && byDate[next].posting.effectiveOn <= day) {
      applyPosting(counters, byDate[next].posting);
      next += 1;
    }
    visit(day, counters);
  }
}

/** The first receipt that reached a region: the event that opened its account. */
export function firstReceiptOf(audit: FundAudit, regionCode: string): ReceiptLot | null {
  let first: ReceiptLot | null = null;
  for (const lot of audit.lots.get(regionCode) ?? []) {
    if (lot.source === 'return') continue;
    if (first === null || lot.position < first.position) first = lot;
  }
  return first;
}

/** For each lot, the outflows still standing that were paid from it. */
export function outflowsByLot(audit: FundAudit): Map<ReceiptLot, Outflow[]> {
  const byLot = new Map<ReceiptLot, Outflow[]>();
  for (const outflow of audit.outflows) {
    if (outflow.reversed) continue;
    for (const draw of outflow.draws) {
      const list = byLot.get(draw.lot) ?? [];
      list.push(outflow);
      byLot.set(draw.lot, list);
    }
  }
  return byLot;
}

/** How a receipt reads in a flag's detail. */
export function describeLot(lot: ReceiptLot): string {
  switch (lot.source) {
    case 'pre-allocation':
      return `pre-allocation ${lot.reference}`;
    case 'top-up':
      return `top-up ${lot.reference}`;
    case 'pass-down':
      return `pass-down ${lot.reference} from ${lot.fromRegionCode}`;
    case 'return':
      return `return ${lot.reference} from ${lot.fromRegionCode}`;
    default:
      return assertNever(lot.source);
  }
}

/** How an outflow's reference reads in a flag's detail. */
export function describeReference(outflow: Outflow): string {
  return outflow.fromDocument ? `document ${outflow.voucherNo}` : `voucher ${outflow.voucherNo}`;
}
