import { fenFromString, type Fen } from './money';
import { assertNever, type DisbursementKind, type FundEvent } from './messages';
import {
  allocatedFen,
  applyPosting,
  availableFen,
  emptyCounters,
  outstandingFen,
  postingsOf,
  settlementTermsOf,
  statusOf,
  type RegionYearCounters,
  type RegionYearStatus,
  type SettlementTerms,
} from './region-year';

/**
 * What the decider needs to know about one fund (one program in one fiscal year), folded from its
 * events. Its money arithmetic is region-year.ts's, shared with the projections.
 *
 * `evolveFund` updates the state in place: a fund may hold tens of thousands of disbursements,
 * and copying its maps per event would make loading it quadratic.
 */
export interface FundState {
  readonly programCode: string;
  readonly fiscalYear: number;
  subjects: { readonly incomeSubject: string; readonly expenditureSubject: string } | null;
  /** The funding root: the issuer of the fund's first allocation (the province). */
  rootRegionCode: string | null;
  /** Allocation and pass-down document numbers. Settlement and target documents are not unique per fund. */
  readonly documentNos: Set<string>;
  /** Only region-years that were ever funded (an allocation line or a pass-down) have an entry. */
  readonly regions: Map<string, RegionYear>;
  readonly disbursements: Map<string, DisbursementEntry>;
  /** The minimum per-person standard the notice's targets state, per 市(州) that has targets. */
  readonly minimumStandardFen: Map<string, Fen>;
}

export interface RegionYear {
  readonly counters: RegionYearCounters;
  /**
   * Net change of what it holds, per effective date: the books as of any day must hold no less
   * than zero too, so money is never spent on a day before it arrived.
   */
  readonly datedChangesFen: Map<string, Fen>;
  settlement: SettlementTerms | null;
  /** Kept after a reversal too: a voucher number is never recorded twice. */
  readonly voucherNos: Set<string>;
}

export interface DisbursementEntry {
  readonly regionCode: string;
  readonly kind: DisbursementKind;
  readonly amountFen: Fen;
  readonly voucherNo: string;
  readonly paidOn: string;
  readonly beneficiaries?: number;
  readonly toRegionCode?: string;
  readonly toParentRegionCode?: string;
  readonly afterSettlement: boolean;
  reversed: boolean;
}

export type { RegionYearStatus } from './region-year';

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
    preAllocatedFen: bigint;
    returnedBeforeFen: bigint;
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
    rootRegionCode: null,
    documentNos: new Set(),
    regions: new Map(),
    disbursements: new Map(),
    minimumStandardFen: new Map(),
  };
}

/** May update `state` in place for speed and returns it; the caller owns the state. */
export function evolveFund(state: FundState, event: FundEvent): FundState {
  if (event.data.programCode !== state.programCode || event.data.fiscalYear !== state.fiscalYear) {
    throw new Error(
      `event ${event.type} of ${event.data.programCode} ${event.data.fiscalYear} folded into ${state.programCode} ${state.fiscalYear}`,
    );
  }
  if (event.type === 'AllocationRecorded' && state.rootRegionCode === null) {
    state.rootRegionCode = event.data.issuerRegionCode;
  }
  for (const posting of postingsOf(event, state.rootRegionCode).regions) {
    const region = fundedRegionYear(state, posting.regionCode, posting.receipt !== null);
    applyPosting(region.counters, posting);
    const changedFen = (region.datedChangesFen.get(posting.effectiveOn) ?? 0n) + posting.availableDeltaFen;
    region.datedChangesFen.set(posting.effectiveOn, changedFen);
  }
  switch (event.type) {
    case 'AllocationRecorded': {
      const { data } = event;
      state.subjects ??= { incomeSubject: data.incomeSubject, expenditureSubject: data.expenditureSubject };
      state.documentNos.add(data.documentNo);
      return state;
    }
    case 'PassDownRecorded':
      state.documentNos.add(event.data.documentNo);
      return state;
    case 'DisbursementRecorded': {
      const { data } = event;
      existingRegionYear(state, data.regionCode).voucherNos.add(data.voucherNo);
      state.disbursements.set(data.disbursementId, {
        regionCode: data.regionCode,
        kind: data.kind,
        amountFen: fenFromString(data.amountFen),
        voucherNo: data.voucherNo,
        paidOn: data.paidOn,
        ...(data.beneficiaries === undefined ? {} : { beneficiaries: data.beneficiaries }),
        ...(data.toRegionCode === undefined ? {} : { toRegionCode: data.toRegionCode }),
        ...(data.toParentRegionCode === undefined ? {} : { toParentRegionCode: data.toParentRegionCode }),
        afterSettlement: data.afterSettlement,
        reversed: false,
      });
      return state;
    }
    case 'DisbursementReversed': {
      const entry = state.disbursements.get(event.data.disbursementId);
      if (!entry) throw new Error(`reversal of unknown disbursement ${event.data.disbursementId}`);
      entry.reversed = true;
      return state;
    }
    case 'RegionYearSettled': {
      const { data } = event;
      existingRegionYear(state, data.regionCode).settlement = settlementTermsOf(data);
      return state;
    }
    case 'PerformanceTargetsRecorded': {
      const standard = event.data.targets.find((target) => target.indicator === 'minimum-standard');
      const fen = standard === undefined ? null : minimumStandardFromText(standard.value);
      if (fen !== null) state.minimumStandardFen.set(event.data.regionCode, fen);
      return state;
    }
    case 'PerformanceActualReported':
      // The ledger reports performance actuals; no rule depends on them.
      return state;
    default:
      return assertNever(event);
  }
}

/**
 * Annex 2 states the minimum standard as text ("100元", "≥100元", "不低于100元"): the amount in 元
 * before 元, or null when the text names none.
 */
export function minimumStandardFromText(text: string): Fen | null {
  const match = /([0-9]{1,9})(?:\.([0-9]{1,2}))?\s*元/.exec(text.replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)));
  if (!match) return null;
  return BigInt(match[1]) * 100n + BigInt((match[2] ?? '').padEnd(2, '0'));
}

export function regionFigures(state: FundState, regionCode: string): RegionFigures {
  const region = state.regions.get(regionCode);
  const counters = region?.counters ?? emptyCounters();
  const settlement = region?.settlement ?? null;
  return {
    allocatedFen: allocatedFen(counters),
    receivedFen: counters.receivedFen,
    returnedInFen: counters.returnedInFen,
    passedDownFen: counters.passedDownFen,
    paidFen: counters.paidFen,
    beneficiaries: counters.beneficiaries,
    returnedFen: counters.returnedFen,
    availableFen: availableFen(counters),
    status: statusOf(counters, settlement),
    settlement: settlement === null ? null : { ...settlement, outstandingFen: outstandingFen(counters, settlement) },
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

/**
 * The least a region holds on any day from `on` onwards, in the books by effective date: what an
 * outflow dated `on` may take without leaving the books as of some day below zero.
 */
export function spendableFromFen(region: RegionYear, on: string): Fen {
  let onDayFen = 0n;
  const laterDays: [string, Fen][] = [];
  for (const [day, changeFen] of region.datedChangesFen) {
    if (day <= on) onDayFen += changeFen;
    else laterDays.push([day, changeFen]);
  }
  laterDays.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let lowestFen = onDayFen;
  let runningFen = onDayFen;
  for (const [, changeFen] of laterDays) {
    runningFen += changeFen;
    if (runningFen < lowestFen) lowestFen = runningFen;
  }
  return lowestFen;
}

/**
 * The settlement that closed a region's subtree: its own, or for a 区/县 the settlement of the 市
 * that funds it. Null while the region's money is open.
 */
export function closingSettlement(
  state: FundState,
  regionCode: string,
  fundingParentOf: (code: string) => string | null,
): { readonly regionCode: string; readonly terms: SettlementTerms } | null {
  let code: string | null = regionCode;
  for (let depth = 0; code !== null && code !== state.rootRegionCode && depth < 16; depth += 1) {
    const settlement = state.regions.get(code)?.settlement ?? null;
    if (settlement !== null) return { regionCode: code, terms: settlement };
    code = fundingParentOf(code);
  }
  return null;
}

function fundedRegionYear(state: FundState, regionCode: string, mayOpen: boolean): RegionYear {
  let region = state.regions.get(regionCode);
  if (!region) {
    // Events are decided against the state they follow: only a receipt opens a region's account.
    if (!mayOpen) throw new Error(`event touches region ${regionCode}, which holds no money in this fund`);
    region = { counters: emptyCounters(), datedChangesFen: new Map(), settlement: null, voucherNos: new Set() };
    state.regions.set(regionCode, region);
  }
  return region;
}

function existingRegionYear(state: FundState, regionCode: string): RegionYear {
  return fundedRegionYear(state, regionCode, false);
}
