import { fenFromString, type Fen } from './money';
import { assertNever, type DisbursementKind, type FundEvent } from './messages';

/**
 * What the decider needs to know about one fund (one program in one fiscal year), folded from its
 * events. Opaque outside the domain: read it through the functions below.
 *
 * `evolveFund` updates the state in place: a fund may hold tens of thousands of disbursements,
 * and copying its maps per event would make loading it quadratic.
 */
export interface FundState {
  readonly programCode: string;
  readonly fiscalYear: number;
  subjects: { readonly incomeSubject: string; readonly expenditureSubject: string } | null;
  /** Allocation document numbers. Settlement and target documents are not unique per fund. */
  readonly documentNos: Set<string>;
  /** Only region-years that were ever funded (an allocation line or a pass-down) have an entry. */
  readonly regions: Map<string, RegionYear>;
  readonly disbursements: Map<string, DisbursementEntry>;
}

export interface RegionYear {
  allocatedFen: Fen;
  /** The pre-allocation part of `allocatedFen`: what a settlement weighs the actuals against. */
  preAllocatedFen: Fen;
  receivedFen: Fen;
  returnedInFen: Fen;
  passedDownFen: Fen;
  paidFen: Fen;
  beneficiaries: number;
  returnedFen: Fen;
  settlement: Settlement | null;
  /** Top-up lines received; top-ups are accepted only after settlement. */
  topUpReceivedFen: Fen;
  /** Paid out or passed down after settlement, net of reversals: spends top-up money only. */
  spentAfterSettlementFen: Fen;
  /** Returned after settlement, net of reversals: repays the claw-back. */
  returnedAfterSettlementFen: Fen;
  /** Kept after a reversal too: a voucher number is never recorded twice. */
  readonly voucherNos: Set<string>;
}

interface Settlement {
  readonly documentNo: string;
  readonly settledOn: string;
  readonly entitledFen: Fen;
  readonly allocatedFen: Fen;
  readonly adjustmentFen: Fen;
}

export interface DisbursementEntry {
  readonly regionCode: string;
  readonly kind: DisbursementKind;
  readonly amountFen: Fen;
  readonly voucherNo: string;
  readonly beneficiaries?: number;
  readonly toRegionCode?: string;
  readonly toParentRegionCode?: string;
  /**
   * Whether the return grew the parent's `returnedIn`, so that its reversal takes back exactly
   * what the return gave. A return to a region that holds no account in the fund (the province,
   * where the money came from) leaves the fund's counters.
   */
  readonly creditedParent: boolean;
  readonly afterSettlement: boolean;
  reversed: boolean;
}

export type RegionYearStatus = 'open' | 'settled' | 'reconciled';

export interface RegionFigures {
  allocatedFen: bigint;
  receivedFen: bigint;
  returnedInFen: bigint;
  passedDownFen: bigint;
  paidFen: bigint;
  beneficiaries: number;
  returnedFen: bigint;
  availableFen: bigint;
  status: RegionYearStatus;
  settlement: null | {
    documentNo: string;
    settledOn: string;
    entitledFen: bigint;
    allocatedFen: bigint;
    adjustmentFen: bigint;
    outstandingFen: bigint;
  };
}

export function initialFundState(programCode: string, fiscalYear: number): FundState {
  return {
    programCode,
    fiscalYear,
    subjects: null,
    documentNos: new Set(),
    regions: new Map(),
    disbursements: new Map(),
  };
}

/** May update `state` in place for speed and returns it; the caller owns the state. */
export function evolveFund(state: FundState, event: FundEvent): FundState {
  if (event.data.programCode !== state.programCode || event.data.fiscalYear !== state.fiscalYear) {
    throw new Error(
      `event ${event.type} of ${event.data.programCode} ${event.data.fiscalYear} folded into ${state.programCode} ${state.fiscalYear}`,
    );
  }
  switch (event.type) {
    case 'AllocationRecorded': {
      const { data } = event;
      if (state.subjects === null) {
        state.subjects = { incomeSubject: data.incomeSubject, expenditureSubject: data.expenditureSubject };
      }
      state.documentNos.add(data.documentNo);
      for (const line of data.lines) {
        const region = fundedRegionYear(state, line.regionCode);
        const amountFen = fenFromString(line.amountFen);
        region.allocatedFen += amountFen;
        if (data.kind === 'pre-allocation') region.preAllocatedFen += amountFen;
        else region.topUpReceivedFen += amountFen;
      }
      return state;
    }
    case 'DisbursementRecorded': {
      const { data } = event;
      const region = existingRegionYear(state, data.regionCode);
      const amountFen = fenFromString(data.amountFen);
      region.voucherNos.add(data.voucherNo);
      let creditedParent = false;
      switch (data.kind) {
        case 'beneficiary-payment':
          region.paidFen += amountFen;
          region.beneficiaries += data.beneficiaries ?? 0;
          if (data.afterSettlement) region.spentAfterSettlementFen += amountFen;
          break;
        case 'pass-down':
          region.passedDownFen += amountFen;
          fundedRegionYear(state, requireField(data.toRegionCode, 'toRegionCode')).receivedFen += amountFen;
          if (data.afterSettlement) region.spentAfterSettlementFen += amountFen;
          break;
        case 'return': {
          region.returnedFen += amountFen;
          const parent = state.regions.get(requireField(data.toParentRegionCode, 'toParentRegionCode'));
          if (parent) {
            parent.returnedInFen += amountFen;
            creditedParent = true;
          }
          if (data.afterSettlement) region.returnedAfterSettlementFen += amountFen;
          break;
        }
        default:
          assertNever(data.kind);
      }
      state.disbursements.set(data.disbursementId, {
        regionCode: data.regionCode,
        kind: data.kind,
        amountFen,
        voucherNo: data.voucherNo,
        ...(data.beneficiaries === undefined ? {} : { beneficiaries: data.beneficiaries }),
        ...(data.toRegionCode === undefined ? {} : { toRegionCode: data.toRegionCode }),
        ...(data.toParentRegionCode === undefined ? {} : { toParentRegionCode: data.toParentRegionCode }),
        creditedParent,
        afterSettlement: data.afterSettlement,
        reversed: false,
      });
      return state;
    }
    case 'DisbursementReversed': {
      const entry = state.disbursements.get(event.data.disbursementId);
      if (!entry) throw new Error(`reversal of unknown disbursement ${event.data.disbursementId}`);
      // The original's own record is undone, not the event's copy of it: they are the same by
      // construction, and the record also knows what the original did to the parent.
      const region = existingRegionYear(state, entry.regionCode);
      switch (entry.kind) {
        case 'beneficiary-payment':
          region.paidFen -= entry.amountFen;
          region.beneficiaries -= entry.beneficiaries ?? 0;
          if (entry.afterSettlement) region.spentAfterSettlementFen -= entry.amountFen;
          break;
        case 'pass-down':
          region.passedDownFen -= entry.amountFen;
          existingRegionYear(state, requireField(entry.toRegionCode, 'toRegionCode')).receivedFen -= entry.amountFen;
          if (entry.afterSettlement) region.spentAfterSettlementFen -= entry.amountFen;
          break;
        case 'return':
          region.returnedFen -= entry.amountFen;
          if (entry.creditedParent) {
            existingRegionYear(state, requireField(entry.toParentRegionCode, 'toParentRegionCode')).returnedInFen -=
              entry.amountFen;
          }
          if (entry.afterSettlement) region.returnedAfterSettlementFen -= entry.amountFen;
          break;
        default:
          assertNever(entry.kind);
      }
      entry.reversed = true;
      return state;
    }
    case 'RegionYearSettled': {
      const { data } = event;
      existingRegionYear(state, data.regionCode).settlement = {
        documentNo: data.documentNo,
        settledOn: data.settledOn,
        entitledFen: fenFromString(data.entitledFen),
        allocatedFen: fenFromString(data.allocatedFen),
        adjustmentFen: fenFromString(data.adjustmentFen),
      };
      return state;
    }
    case 'PerformanceTargetsRecorded':
    case 'PerformanceActualReported':
      // No rule depends on them: the ledger reports performance, it does not refuse on it.
      return state;
    default:
      return assertNever(event);
  }
}

export function regionFigures(state: FundState, regionCode: string): RegionFigures {
  const region = state.regions.get(regionCode);
  if (!region) {
    return {
      allocatedFen: 0n,
      receivedFen: 0n,
      returnedInFen: 0n,
      passedDownFen: 0n,
      paidFen: 0n,
      beneficiaries: 0,
      returnedFen: 0n,
      availableFen: 0n,
      status: 'open',
      settlement: null,
    };
  }
  const outstandingFen = outstandingAdjustmentFen(region);
  return {
    allocatedFen: region.allocatedFen,
    receivedFen: region.receivedFen,
    returnedInFen: region.returnedInFen,
    passedDownFen: region.passedDownFen,
    paidFen: region.paidFen,
    beneficiaries: region.beneficiaries,
    returnedFen: region.returnedFen,
    availableFen: availableFen(region),
    status: region.settlement === null ? 'open' : outstandingFen === 0n ? 'reconciled' : 'settled',
    settlement:
      region.settlement === null
        ? null
        : {
            documentNo: region.settlement.documentNo,
            settledOn: region.settlement.settledOn,
            entitledFen: region.settlement.entitledFen,
            allocatedFen: region.settlement.allocatedFen,
            adjustmentFen: region.settlement.adjustmentFen,
            outstandingFen,
          },
  };
}

export function fundSubjects(state: FundState): { incomeSubject: string; expenditureSubject: string } | null {
  return state.subjects === null ? null : { ...state.subjects };
}

export function hasDocument(state: FundState, documentNo: string): boolean {
  return state.documentNos.has(documentNo);
}

export function findDisbursement(
  state: FundState,
  disbursementId: string,
): { regionCode: string; kind: DisbursementKind; amountFen: bigint; reversed: boolean } | null {
  const entry = state.disbursements.get(disbursementId);
  return entry
    ? { regionCode: entry.regionCode, kind: entry.kind, amountFen: entry.amountFen, reversed: entry.reversed }
    : null;
}

// ----------------------------------------------------------------------------------------------
// Derived figures, shared with the decider so that a rule and the figure it reports agree.

export function availableFen(region: RegionYear): Fen {
  return (
    region.allocatedFen +
    region.receivedFen +
    region.returnedInFen -
    region.passedDownFen -
    region.paidFen -
    region.returnedFen
  );
}

/**
 * What the settlement still owes: positive, top-up the province has yet to send; negative,
 * claw-back the region has yet to return; 0 before settlement and once reconciled.
 */
export function outstandingAdjustmentFen(region: RegionYear): Fen {
  const settlement = region.settlement;
  if (settlement === null) return 0n;
  if (settlement.adjustmentFen > 0n) return settlement.adjustmentFen - region.topUpReceivedFen;
  if (settlement.adjustmentFen < 0n) return settlement.adjustmentFen + region.returnedAfterSettlementFen;
  return 0n;
}

/** Top-up money received after settlement and not yet paid out or passed down. */
export function topUpLeftFen(region: RegionYear): Fen {
  return region.topUpReceivedFen - region.spentAfterSettlementFen;
}

function fundedRegionYear(state: FundState, regionCode: string): RegionYear {
  let region = state.regions.get(regionCode);
  if (!region) {
    region = {
      allocatedFen: 0n,
      preAllocatedFen: 0n,
      receivedFen: 0n,
      returnedInFen: 0n,
      passedDownFen: 0n,
      paidFen: 0n,
      beneficiaries: 0,
      returnedFen: 0n,
      settlement: null,
      topUpReceivedFen: 0n,
      spentAfterSettlementFen: 0n,
      returnedAfterSettlementFen: 0n,
      voucherNos: new Set(),
    };
    state.regions.set(regionCode, region);
  }
  return region;
}

/** Events are decided against the state they follow, so the region-year they touch exists. */
function existingRegionYear(state: FundState, regionCode: string): RegionYear {
  const region = state.regions.get(regionCode);
  if (!region) throw new Error(`event touches region ${regionCode}, which holds no money in this fund`);
  return region;
}

function requireField<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`event lacks ${name}`);
  return value;
}
