import { assertNever, type FundEvent, type RegionYearSettled } from './messages';
import { fenFromString, type Fen } from './money';

/**
 * The arithmetic of one region in one fund, written once. The decider's state, the ledger
 * projection and the auditors' flags all fold the same postings through `applyPosting` and read
 * the same derived figures (`availableFen`, `netAllocatedFen`, `outstandingFen`, `statusOf`), so
 * that a balance shown is the balance the decider enforces. The offline verifier keeps its own
 * replay on purpose.
 */

/** Counters of one region-year. Money in 分; dates `YYYY-MM-DD`, '' while nothing happened. */
export interface RegionYearCounters {
  preAllocatedFen: Fen;
  /** Top-up lines received: only after settlement. */
  topUpReceivedFen: Fen;
  /** From pass-downs by the region that funds it. */
  receivedFen: Fen;
  /** Returns from the regions it funds. */
  returnedInFen: Fen;
  passedDownFen: Fen;
  paidFen: Fen;
  beneficiaries: number;
  /** Returns to the region that funds it (the root for a direct recipient). */
  returnedFen: Fen;
  /** Paid out or passed down once its subtree was closed by a settlement: spends top-up money only. */
  spentAfterSettlementFen: Fen;
  /** Returned once its subtree was closed: repays a claw-back. */
  returnedAfterSettlementFen: Fen;
  /** Passed down to it once its subtree was closed: top-up money handed on. */
  receivedAfterSettlementFen: Fen;
  /** The day money first reached it from above (an allocation line or a pass-down). */
  firstReceivedOn: string;
  /** The day top-up money first reached it after settlement. */
  firstTopUpOn: string;
  /** The latest effective date of anything that moved its money. */
  lastEffectiveOn: string;
}

export interface SettlementTerms {
  readonly documentNo: string;
  readonly settledOn: string;
  readonly entitledFen: Fen;
  readonly preAllocatedFen: Fen;
  readonly returnedBeforeFen: Fen;
  /** Net: pre-allocated less returned to the root before settlement. */
  readonly allocatedFen: Fen;
  /** entitled − allocated: positive, a top-up owed; negative, a claw-back owed. */
  readonly adjustmentFen: Fen;
}

export type RegionYearStatus = 'open' | 'settled' | 'reconciled';

type MoneyCounter = {
  [K in keyof RegionYearCounters]: RegionYearCounters[K] extends bigint ? K : never;
}[keyof RegionYearCounters];

/** One region's share of an event: counters to add to, and the day it happened. */
export interface RegionPosting {
  readonly regionCode: string;
  readonly deltas: Partial<Record<MoneyCounter, Fen>>;
  readonly beneficiaries: number;
  readonly effectiveOn: string;
  /** Money arrived from above: an allocation line or a pass-down. */
  readonly receipt: 'allocation' | 'top-up' | 'pass-down' | null;
  /** Signed change of what the region may still spend. */
  readonly availableDeltaFen: Fen;
}

/** What an event does to the program-year as a whole. */
export interface FundDeltas {
  allocatedFen: Fen;
  passedDownFen: Fen;
  paidFen: Fen;
  beneficiaries: number;
  /** Returned to the root: money that left the program-year's regions. */
  returnedToRootFen: Fen;
}

/** What an event changes in what the program-year's regions hold together. */
export function fundAvailableDeltaFen(fund: FundDeltas): Fen {
  return fund.allocatedFen - fund.paidFen - fund.returnedToRootFen;
}

export interface Postings {
  readonly regions: readonly RegionPosting[];
  readonly fund: FundDeltas;
}

export function emptyCounters(): RegionYearCounters {
  return {
    preAllocatedFen: 0n,
    topUpReceivedFen: 0n,
    receivedFen: 0n,
    returnedInFen: 0n,
    passedDownFen: 0n,
    paidFen: 0n,
    beneficiaries: 0,
    returnedFen: 0n,
    spentAfterSettlementFen: 0n,
    returnedAfterSettlementFen: 0n,
    receivedAfterSettlementFen: 0n,
    firstReceivedOn: '',
    firstTopUpOn: '',
    lastEffectiveOn: '',
  };
}

/**
 * Where a return lands: with the region that funds the returning one, unless that is the root,
 * where money came from and which holds no account in the fund: then it leaves the program-year.
 */
export function returnLandsWith(toParentRegionCode: string, rootRegionCode: string | null): string | null {
  return toParentRegionCode === rootRegionCode ? null : toParentRegionCode;
}

/**
 * The postings of a money event, from its data and the fund's root alone. Events that move no
 * money have none. A reversal undoes exactly what its original posted: it carries a copy of it.
 */
export function postingsOf(event: FundEvent, rootRegionCode: string | null): Postings {
  const fund: FundDeltas = { allocatedFen: 0n, passedDownFen: 0n, paidFen: 0n, beneficiaries: 0, returnedToRootFen: 0n };
  const regions: RegionPosting[] = [];
  const post = (
    regionCode: string,
    effectiveOn: string,
    deltas: RegionPosting['deltas'],
    extra: { beneficiaries?: number; receipt?: RegionPosting['receipt'] } = {},
  ): void => {
    regions.push({
      regionCode,
      deltas,
      beneficiaries: extra.beneficiaries ?? 0,
      effectiveOn,
      receipt: extra.receipt ?? null,
      availableDeltaFen: availableDelta(deltas),
    });
  };
  switch (event.type) {
    case 'AllocationRecorded': {
      const { data } = event;
      for (const line of data.lines) {
        const amountFen = fenFromString(line.amountFen);
        fund.allocatedFen += amountFen;
        if (data.kind === 'pre-allocation') {
          post(line.regionCode, data.issuedOn, { preAllocatedFen: amountFen }, { receipt: 'allocation' });
        } else {
          post(line.regionCode, data.issuedOn, { topUpReceivedFen: amountFen }, { receipt: 'top-up' });
        }
      }
      break;
    }
    case 'PassDownRecorded': {
      const { data } = event;
      const totalFen = fenFromString(data.totalFen);
      fund.passedDownFen += totalFen;
      post(data.regionCode, data.passedOn, {
        passedDownFen: totalFen,
        ...(data.afterSettlement ? { spentAfterSettlementFen: totalFen } : {}),
      });
      for (const line of data.lines) {
        const amountFen = fenFromString(line.amountFen);
        post(
          line.regionCode,
          data.passedOn,
          { receivedFen: amountFen, ...(data.afterSettlement ? { receivedAfterSettlementFen: amountFen } : {}) },
          { receipt: 'pass-down' },
        );
      }
      break;
    }
    case 'DisbursementRecorded':
    case 'DisbursementReversed': {
      const { data } = event;
      const sign = event.type === 'DisbursementRecorded' ? 1n : -1n;
      const amountFen = fenFromString(data.amountFen) * sign;
      const effectiveOn = event.type === 'DisbursementRecorded' ? event.data.paidOn : event.data.reversedOn;
      const after = data.afterSettlement;
      switch (data.kind) {
        case 'beneficiary-payment': {
          const persons = (data.beneficiaries ?? 0) * Number(sign);
          fund.paidFen += amountFen;
          fund.beneficiaries += persons;
          post(
            data.regionCode,
            effectiveOn,
            { paidFen: amountFen, ...(after ? { spentAfterSettlementFen: amountFen } : {}) },
            { beneficiaries: persons },
          );
          break;
        }
        case 'pass-down': {
          const toRegionCode = requireField(data.toRegionCode, 'toRegionCode');
          fund.passedDownFen += amountFen;
          post(data.regionCode, effectiveOn, {
            passedDownFen: amountFen,
            ...(after ? { spentAfterSettlementFen: amountFen } : {}),
          });
          post(
            toRegionCode,
            effectiveOn,
            { receivedFen: amountFen, ...(after ? { receivedAfterSettlementFen: amountFen } : {}) },
            { receipt: sign > 0n ? 'pass-down' : null },
          );
          break;
        }
        case 'return': {
          const parentCode = requireField(data.toParentRegionCode, 'toParentRegionCode');
          post(data.regionCode, effectiveOn, {
            returnedFen: amountFen,
            ...(after ? { returnedAfterSettlementFen: amountFen } : {}),
          });
          const landsWith = returnLandsWith(parentCode, rootRegionCode);
          if (landsWith === null) fund.returnedToRootFen += amountFen;
          else post(landsWith, effectiveOn, { returnedInFen: amountFen });
          break;
        }
        default:
          assertNever(data.kind);
      }
      break;
    }
    case 'RegionYearSettled':
    case 'PerformanceTargetsRecorded':
    case 'PerformanceActualReported':
      break;
    default:
      assertNever(event);
  }
  return { regions, fund };
}

/** Adds a posting to a region's counters, in place. */
export function applyPosting(counters: RegionYearCounters, posting: RegionPosting): void {
  for (const [name, deltaFen] of Object.entries(posting.deltas) as [MoneyCounter, Fen][]) {
    counters[name] += deltaFen;
  }
  counters.beneficiaries += posting.beneficiaries;
  if (posting.receipt !== null && (counters.firstReceivedOn === '' || posting.effectiveOn < counters.firstReceivedOn)) {
    counters.firstReceivedOn = posting.effectiveOn;
  }
  const topUpMoney = posting.receipt === 'top-up' || (posting.deltas.receivedAfterSettlementFen ?? 0n) > 0n;
  if (topUpMoney && (counters.firstTopUpOn === '' || posting.effectiveOn < counters.firstTopUpOn)) {
    counters.firstTopUpOn = posting.effectiveOn;
  }
  if (posting.effectiveOn > counters.lastEffectiveOn) counters.lastEffectiveOn = posting.effectiveOn;
}

/** What a posting changes in what the region may spend: the same rule as `availableFen`. */
function availableDelta(deltas: RegionPosting['deltas']): Fen {
  return availableFen({ ...emptyCounters(), ...deltas });
}

// ----------------------------------------------------------------------------------------------
// Derived figures.

/** Everything allocated to it by the root: pre-allocations and top-ups. */
export function allocatedFen(c: RegionYearCounters): Fen {
  return c.preAllocatedFen + c.topUpReceivedFen;
}

/** What it may still pass down, pay or return. */
export function availableFen(c: RegionYearCounters): Fen {
  return (
    c.preAllocatedFen + c.topUpReceivedFen + c.receivedFen + c.returnedInFen - c.passedDownFen - c.paidFen - c.returnedFen
  );
}

/** Returned before its subtree was closed by a settlement. */
export function returnedBeforeSettlementFen(c: RegionYearCounters): Fen {
  return c.returnedFen - c.returnedAfterSettlementFen;
}

/** What a settlement weighs the actuals against: pre-allocated, net of what went back before. */
export function netAllocatedFen(c: RegionYearCounters): Fen {
  return c.preAllocatedFen - returnedBeforeSettlementFen(c);
}

/** Top-up money that reached it after settlement and is not yet paid out or passed down. */
export function topUpLeftFen(c: RegionYearCounters): Fen {
  return c.topUpReceivedFen + c.receivedAfterSettlementFen - c.spentAfterSettlementFen;
}

/**
 * What a settlement still owes: positive, top-up the root has yet to send; negative, claw-back
 * the region has yet to return; 0 once reconciled (and before settlement).
 */
export function outstandingFen(c: RegionYearCounters, settlement: SettlementTerms | null): Fen {
  if (settlement === null) return 0n;
  if (settlement.adjustmentFen > 0n) return settlement.adjustmentFen - c.topUpReceivedFen;
  if (settlement.adjustmentFen < 0n) return settlement.adjustmentFen + c.returnedAfterSettlementFen;
  return 0n;
}

export function statusOf(c: RegionYearCounters, settlement: SettlementTerms | null): RegionYearStatus {
  if (settlement === null) return 'open';
  return outstandingFen(c, settlement) === 0n ? 'reconciled' : 'settled';
}

/** Entitlement: Σ persons × per-person standard. */
export function entitledFen(actuals: readonly { readonly persons: number; readonly perPersonFen: Fen }[]): Fen {
  return actuals.reduce((sum, actual) => sum + BigInt(actual.persons) * actual.perPersonFen, 0n);
}

/** The terms a recorded settlement states. */
export function settlementTermsOf(data: RegionYearSettled['data']): SettlementTerms {
  return {
    documentNo: data.documentNo,
    settledOn: data.settledOn,
    entitledFen: fenFromString(data.entitledFen),
    preAllocatedFen: fenFromString(data.preAllocatedFen),
    returnedBeforeFen: fenFromString(data.returnedBeforeFen),
    allocatedFen: fenFromString(data.allocatedFen),
    adjustmentFen: fenFromString(data.adjustmentFen),
  };
}

/** The terms a settlement records, from the counters it settles and the actuals it states. */
export function settlementTerms(
  c: RegionYearCounters,
  documentNo: string,
  settledOn: string,
  actualEntitledFen: Fen,
): SettlementTerms {
  const allocated = netAllocatedFen(c);
  return {
    documentNo,
    settledOn,
    entitledFen: actualEntitledFen,
    preAllocatedFen: c.preAllocatedFen,
    returnedBeforeFen: returnedBeforeSettlementFen(c),
    allocatedFen: allocated,
    adjustmentFen: actualEntitledFen - allocated,
  };
}

function requireField<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`event lacks ${name}`);
  return value;
}
