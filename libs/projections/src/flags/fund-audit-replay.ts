import {
  assertNever,
  fenFromString,
  type DisbursementKind,
  type FundEvent,
  type PerformanceActualReported,
  type PerformanceTargetsRecorded,
  type RegionYearSettled,
} from '@earmark/domain';
import type { RecordedEvent } from '@earmark/event-store';
import { effectiveDateOf } from './calendar';

/**
 * One fund replayed for auditors: every receipt of money kept as a lot with its date, and every
 * outflow drawn from the oldest lots first (FIFO by amount), so that one can say which money has
 * been held how long. Derived from the events alone, like every other read model.
 */

export type LotSource = 'pre-allocation' | 'top-up' | 'pass-down' | 'return';

export interface ReceiptLot {
  readonly regionCode: string;
  readonly receivedOn: string;
  readonly position: bigint;
  /** Orders lots of one event (an allocation's lines) among themselves. */
  readonly sequence: number;
  readonly source: LotSource;
  /** The document number of an allocation, the voucher of a pass-down or return. */
  readonly reference: string;
  /** The region the money came from: the issuer of an allocation, the payer of a pass-down or return. */
  readonly fromRegionCode: string;
  readonly amountFen: bigint;
  remainingFen: bigint;
}

export interface Draw {
  readonly lot: ReceiptLot;
  readonly amountFen: bigint;
}

export interface Outflow {
  readonly disbursementId: string;
  readonly regionCode: string;
  readonly kind: DisbursementKind;
  readonly paidOn: string;
  readonly position: bigint;
  readonly amountFen: bigint;
  readonly voucherNo: string;
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

/** A change of one region's balance on a date, for the balance at a given day. */
export interface BalanceMove {
  readonly regionCode: string;
  readonly on: string;
  readonly position: bigint;
  readonly deltaFen: bigint;
}

export interface FundAudit {
  readonly fiscalYear: number | null;
  /** Per region, in FIFO order: oldest receipt first. */
  readonly lots: ReadonlyMap<string, readonly ReceiptLot[]>;
  /** In log order. */
  readonly outflows: readonly Outflow[];
  readonly settlements: ReadonlyMap<string, SettlementFact>;
  /** The latest targets recorded per region. */
  readonly targets: ReadonlyMap<string, TargetsFact>;
  /** In log order. */
  readonly actuals: readonly ActualFact[];
  readonly moves: readonly BalanceMove[];
}

const fundEventTypes: ReadonlySet<string> = new Set<FundEvent['type']>([
  'AllocationRecorded',
  'DisbursementRecorded',
  'DisbursementReversed',
  'RegionYearSettled',
  'PerformanceTargetsRecorded',
  'PerformanceActualReported',
]);

/**
 * Replays the fund's events in log order, the order the decider checked them in. With `asOf`, only
 * events effective by that date count, as in the books-as-of view.
 */
export function replayFund(events: readonly RecordedEvent[], asOf: string | null): FundAudit {
  const replay = new Replay();
  const ordered = [...events].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
  for (const recorded of ordered) {
    if (!fundEventTypes.has(recorded.type)) continue;
    if (asOf !== null && effectiveDateOf(recorded) > asOf) continue;
    replay.apply(recorded);
  }
  return replay.result();
}

class Replay {
  private fiscalYear: number | null = null;
  private sequence = 0;
  private readonly lots = new Map<string, ReceiptLot[]>();
  /** Regions that hold an account in the fund: the decider credits a return only to one of these. */
  private readonly funded = new Set<string>();
  private readonly outflows: Outflow[] = [];
  private readonly outflowsById = new Map<string, Outflow>();
  private readonly settlements = new Map<string, SettlementFact>();
  private readonly targets = new Map<string, TargetsFact>();
  private readonly actuals: ActualFact[] = [];
  private readonly moves: BalanceMove[] = [];

  apply(recorded: RecordedEvent): void {
    const event = { type: recorded.type, data: recorded.data } as unknown as FundEvent;
    this.fiscalYear ??= event.data.fiscalYear;
    const position = recorded.position;
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
          });
          this.funded.add(line.regionCode);
        }
        return;
      }
      case 'DisbursementRecorded': {
        const { data } = event;
        const amountFen = fenFromString(data.amountFen);
        // After settlement a payment or pass-down may only spend top-up money (the decider's rule),
        // so it draws on top-up lots before anything older.
        const spendsTopUp = data.afterSettlement && data.kind !== 'return';
        const draws = this.draw(data.regionCode, amountFen, spendsTopUp ? (lot) => lot.source === 'top-up' : null);
        this.move(data.regionCode, data.paidOn, position, -amountFen);
        let landedAs: ReceiptLot | null = null;
        const landsWith =
          data.kind === 'pass-down'
            ? (data.toRegionCode ?? null)
            : data.kind === 'return' && data.toParentRegionCode !== undefined && this.funded.has(data.toParentRegionCode)
              ? data.toParentRegionCode
              : null;
        if (landsWith !== null) {
          landedAs = this.receive({
            regionCode: landsWith,
            receivedOn: data.paidOn,
            position,
            source: data.kind === 'pass-down' ? 'pass-down' : 'return',
            reference: data.voucherNo,
            fromRegionCode: data.regionCode,
            amountFen,
          });
          if (data.kind === 'pass-down') this.funded.add(landsWith);
        }
        const outflow: Outflow = {
          disbursementId: data.disbursementId,
          regionCode: data.regionCode,
          kind: data.kind,
          paidOn: data.paidOn,
          position,
          amountFen,
          voucherNo: data.voucherNo,
          beneficiaries: data.beneficiaries ?? null,
          toRegionCode: data.toRegionCode ?? null,
          afterSettlement: data.afterSettlement,
          draws,
          landedAs,
          reversed: false,
        };
        this.outflows.push(outflow);
        this.outflowsById.set(data.disbursementId, outflow);
        return;
      }
      case 'DisbursementReversed': {
        const { data } = event;
        const outflow = this.outflowsById.get(data.disbursementId);
        // Without its original (dated after the view's day) a reversal has nothing to undo yet.
        if (!outflow || outflow.reversed) return;
        // The money goes back into the very receipts it was paid from, with their original dates.
        for (const draw of outflow.draws) draw.lot.remainingFen += draw.amountFen;
        this.move(outflow.regionCode, data.reversedOn, position, outflow.amountFen);
        if (outflow.landedAs) {
          this.withdraw(outflow.landedAs, outflow.amountFen);
          this.move(outflow.landedAs.regionCode, data.reversedOn, position, -outflow.amountFen);
        }
        outflow.reversed = true;
        return;
      }
      case 'RegionYearSettled':
        this.settlements.set(event.data.regionCode, { position, data: event.data });
        return;
      case 'PerformanceTargetsRecorded':
        this.targets.set(event.data.regionCode, { position, data: event.data });
        return;
      case 'PerformanceActualReported': {
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
      lots: this.lots,
      outflows: this.outflows,
      settlements: this.settlements,
      targets: this.targets,
      actuals: this.actuals,
      moves: this.moves,
    };
  }

  private receive(lot: Omit<ReceiptLot, 'remainingFen' | 'sequence'>): ReceiptLot {
    const created: ReceiptLot = { ...lot, sequence: this.sequence++, remainingFen: lot.amountFen };
    const regionLots = this.lots.get(lot.regionCode) ?? [];
    regionLots.push(created);
    // A back-dated receipt recorded later is still older money: FIFO follows the effective date.
    regionLots.sort(fifoOrder);
    this.lots.set(lot.regionCode, regionLots);
    this.move(lot.regionCode, lot.receivedOn, lot.position, lot.amountFen);
    return created;
  }

  /**
   * Takes `amountFen` from the region's oldest lots (preferred ones first). A shortfall can only come
   * from a view as of a date that leaves out a receipt the outflow was decided against: the part
   * not covered is then drawn from nothing.
   */
  private draw(regionCode: string, amountFen: bigint, prefer: ((lot: ReceiptLot) => boolean) | null): Draw[] {
    const regionLots = this.lots.get(regionCode) ?? [];
    const ordered = prefer ? [...regionLots.filter(prefer), ...regionLots.filter((lot) => !prefer(lot))] : regionLots;
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
    const regionLots = this.lots.get(landed.regionCode) ?? [];
    let left = amountFen;
    for (const lot of [landed, ...[...regionLots].reverse().filter((other) => other !== landed)]) {
      if (left === 0n) break;
      const taken = lot.remainingFen < left ? lot.remainingFen : left;
      lot.remainingFen -= taken;
      left -= taken;
    }
  }

  private move(regionCode: string, on: string, position: bigint, deltaFen: bigint): void {
    this.moves.push({ regionCode, on, position, deltaFen });
  }
}

function fifoOrder(a: ReceiptLot, b: ReceiptLot): number {
  if (a.receivedOn !== b.receivedOn) return a.receivedOn < b.receivedOn ? -1 : 1;
  return a.sequence - b.sequence;
}

/** Lots of one region that still hold money, oldest first. */
export function unspentLots(audit: FundAudit, regionCode: string): ReceiptLot[] {
  return (audit.lots.get(regionCode) ?? []).filter((lot) => lot.remainingFen > 0n);
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
