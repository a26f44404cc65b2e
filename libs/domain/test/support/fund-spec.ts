import { readFileSync } from 'fs';
import { join } from 'path';
import {
  decideFund,
  evolveFund,
  initialFundState,
  parseRegionsTsv,
  RegionRegistry,
  RuleError,
  type AllocationLine,
  type AllocationRecorded,
  type Actor,
  type DisbursementRecorded,
  type DisbursementReversed,
  type FundCommand,
  type FundEvent,
  type FundState,
  type RecordAllocation,
  type RecordDisbursement,
  type RegionYearSettled,
  type ReverseDisbursement,
  type RuleErrorCode,
  type SettleRegionYear,
} from '../../src';

/**
 * Given events / When command / Then events or refusal, for the fund decider (after Emmett's
 * DeciderSpecification). Every scenario starts from a fresh state; the registry is the shipped one.
 */

export const programCode = 'sc-pension-contribution-subsidy';
export const fiscalYear = 2024;
/** Late enough that every date of the scenarios (settlements in 2025) has already happened. */
export const now = '2025-12-31T08:00:00Z';
export const actor: Actor = { name: 'finance-sichuan', role: 'finance' };
const metadata = { actor, now, commandId: 'cmd-0001' };

export const registry = new RegionRegistry(
  parseRegionsTsv(readFileSync(join(__dirname, '..', '..', '..', '..', 'seeds', 'sichuan-regions.tsv'), 'utf8')),
);

export function foldFund(events: readonly FundEvent[]): FundState {
  let state = initialFundState(programCode, fiscalYear);
  for (const event of events) state = evolveFund(state, event);
  return state;
}

export function given(...events: FundEvent[]) {
  return {
    when(command: FundCommand) {
      const state = foldFund(events);
      const before = snapshot(state);
      const decide = (): FundEvent[] => {
        try {
          return decideFund(command, state, registry);
        } finally {
          expect(snapshot(state)).toEqual(before);
        }
      };
      return {
        /** Returns the state after the new events, for the figures a scenario wants to read. */
        then(expected: FundEvent[]): FundState {
          const decided = decide();
          expect(decided).toStrictEqual(expected);
          for (const event of decided) evolveFund(state, event);
          return state;
        },
        thenRefuses(expected: { code: RuleErrorCode; regionCode: string | null; detail?: string }): void {
          let caught: unknown;
          try {
            decide();
          } catch (error) {
            caught = error;
          }
          expect(caught).toBeInstanceOf(RuleError);
          const refusal = caught as RuleError;
          expect({ code: refusal.code, regionCode: refusal.regionCode }).toEqual({
            code: expected.code,
            regionCode: expected.regionCode,
          });
          if (expected.detail !== undefined) expect(refusal.detail).toBe(expected.detail);
        },
        /** A command the edge should never have let through: a plain Error, not a rule refusal. */
        thenFails(message: RegExp): void {
          let caught: unknown;
          try {
            decide();
          } catch (error) {
            caught = error;
          }
          expect(caught).toBeInstanceOf(Error);
          expect(caught).not.toBeInstanceOf(RuleError);
          expect((caught as Error).message).toMatch(message);
        },
      };
    },
  };
}

/** A structural copy, so that a scenario can tell whether decide touched the state. */
function snapshot(value: unknown): unknown {
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Map) return [...value.entries()].map(([k, v]) => [snapshot(k), snapshot(v)]);
  if (value instanceof Set) return [...value.values()].map(snapshot);
  if (Array.isArray(value)) return value.map(snapshot);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, snapshot(v)]));
  }
  return value;
}

// ----------------------------------------------------------------------------------------------
// Messages with the seed's values as defaults; a scenario states only what it is about.

export const seedSubjects = { incomeSubject: '1100299', expenditureSubject: '2083001' };

export function lines(...pairs: [string, string][]): AllocationLine[] {
  return pairs.map(([regionCode, amountFen]) => ({ regionCode, amountFen }));
}

type AllocationOverrides = Partial<RecordAllocation['data']> & { lines: readonly AllocationLine[] };

export function recordAllocation(overrides: AllocationOverrides): RecordAllocation {
  const totalFen = overrides.lines.reduce((sum, line) => sum + BigInt(line.amountFen), 0n).toString();
  return {
    type: 'RecordAllocation',
    data: {
      documentNo: '川财社〔2024〕2号',
      title: '关于预拨2024年困难群体养老保险个人缴费省级财政代缴资金的通知',
      kind: 'pre-allocation',
      programCode,
      programName: '困难群体养老保险个人缴费省级财政代缴资金',
      fiscalYear,
      issuedOn: '2024-01-18',
      issuerRegionCode: '510000',
      ...seedSubjects,
      totalFen,
      ...overrides,
    },
    metadata,
  };
}

export function allocationRecorded(overrides: AllocationOverrides): AllocationRecorded {
  return { type: 'AllocationRecorded', data: recordAllocation(overrides).data };
}

type DisbursementData = RecordDisbursement['data'];
type DisbursementOverrides = Partial<DisbursementData> &
  Pick<DisbursementData, 'disbursementId' | 'regionCode' | 'amountFen'>;

/** Defaults to a beneficiary payment; a pass-down or return drops the payment-only fields. */
export function recordDisbursement(overrides: DisbursementOverrides): RecordDisbursement {
  const kind = overrides.kind ?? 'beneficiary-payment';
  const paymentFields = kind === 'beneficiary-payment' ? { expenditureSubject: '2083001', beneficiaries: 1 } : {};
  return {
    type: 'RecordDisbursement',
    data: {
      programCode,
      fiscalYear,
      kind,
      paidOn: '2024-03-01',
      voucherNo: `V-${overrides.disbursementId}`,
      ...paymentFields,
      ...overrides,
    },
    metadata,
  };
}

export function disbursementRecorded(
  overrides: DisbursementOverrides & { afterSettlement?: boolean; toParentRegionCode?: string },
): DisbursementRecorded {
  const { afterSettlement = false, toParentRegionCode, ...command } = overrides;
  return {
    type: 'DisbursementRecorded',
    data: {
      ...recordDisbursement(command).data,
      ...(toParentRegionCode === undefined ? {} : { toParentRegionCode }),
      afterSettlement,
    },
  };
}

export function reverseDisbursement(disbursementId: string, reversedOn = '2024-03-05'): ReverseDisbursement {
  return {
    type: 'ReverseDisbursement',
    data: {
      programCode,
      fiscalYear,
      disbursementId,
      reason: 'voucher cancelled by the treasury',
      reversedOn,
    },
    metadata,
  };
}

export function settleRegionYear(
  regionCode: string,
  actuals: [persons: number, perPersonFen: string][],
): SettleRegionYear {
  return {
    type: 'SettleRegionYear',
    data: {
      programCode,
      fiscalYear,
      regionCode,
      documentNo: '川财社〔2025〕9号',
      settledOn: '2025-03-31',
      actuals: actuals.map(([persons, perPersonFen], i) => ({ category: `category-${i + 1}`, persons, perPersonFen })),
    },
    metadata,
  };
}

export function regionYearSettled(
  regionCode: string,
  figures: {
    actuals: [number, string][];
    entitledFen: string;
    preAllocatedFen?: string;
    returnedBeforeFen?: string;
    allocatedFen: string;
    adjustmentFen: string;
  },
): RegionYearSettled {
  const { actuals, entitledFen, preAllocatedFen, returnedBeforeFen = '0', allocatedFen, adjustmentFen } = figures;
  return {
    type: 'RegionYearSettled',
    data: {
      ...settleRegionYear(regionCode, actuals).data,
      entitledFen,
      preAllocatedFen: preAllocatedFen ?? allocatedFen,
      returnedBeforeFen,
      allocatedFen,
      adjustmentFen,
    },
  };
}

/** The top-up document that follows a settlement. */
export function topUp(lineList: AllocationLine[], documentNo = '川财社〔2025〕20号'): RecordAllocation {
  return recordAllocation({
    documentNo,
    kind: 'top-up',
    title: '补拨2024年困难群体养老保险个人缴费省级财政代缴资金',
    issuedOn: '2025-05-10',
    lines: lineList,
  });
}

/**
 * Four lines of 川财社〔2024〕2号 as the seed gives them (成都市 255.66, 自贡市 142.19, its 扩权县
 * 荣县 125.76, 攀枝花市 20.47 万元), recorded as one pre-allocation.
 */
export function seedPreAllocation(): AllocationRecorded {
  return allocationRecorded({
    lines: lines(['510100', '255660000'], ['510300', '142190000'], ['510321', '125760000'], ['510400', '20470000']),
  });
}

/** 成都市's settlement: 20,000 and 6,000 people at 100.00 each (the worked example's actuals). */
export function settleChengdu(): SettleRegionYear {
  return settleRegionYear('510100', [
    [20000, '10000'],
    [6000, '10000'],
  ]);
}

/** 成都市 settled: 26,000 people × 100.00 = 2,600,000.00 against 2,556,600.00 pre-allocated: 43,400.00 top-up owed. */
export function chengduSettled(): RegionYearSettled {
  return regionYearSettled('510100', {
    actuals: [
      [20000, '10000'],
      [6000, '10000'],
    ],
    entitledFen: '260000000',
    allocatedFen: '255660000',
    adjustmentFen: '4340000',
  });
}

/** 攀枝花市 settled: 2,000 people × 100.00 = 200,000.00 against 204,700.00 pre-allocated: 4,700.00 claw-back owed. */
export function panzhihuaSettled(): RegionYearSettled {
  return regionYearSettled('510400', {
    actuals: [[2000, '10000']],
    entitledFen: '20000000',
    allocatedFen: '20470000',
    adjustmentFen: '-470000',
  });
}

/** 成都市 passes 500,000.00 元 down to 成华区 (510104): the pass-down the return and reversal specs start from. */
export function chengduPassDown(overrides: Partial<DisbursementOverrides> = {}): DisbursementRecorded {
  return disbursementRecorded({
    disbursementId: 'd-1',
    regionCode: '510100',
    kind: 'pass-down',
    amountFen: '50000000',
    toRegionCode: '510104',
    ...overrides,
  });
}

/** 自贡市 settled exactly: 14,219 people × 100.00 = 1,421,900.00, as pre-allocated. */
export function zigongSettled(): RegionYearSettled {
  return regionYearSettled('510300', {
    actuals: [[14219, '10000']],
    entitledFen: '142190000',
    allocatedFen: '142190000',
    adjustmentFen: '0',
  });
}

/**
 * The DisbursementReversed that undoes `original` exactly: the original's region, kind, amount,
 * voucher, people and counterpart region copied, as the decider must copy them.
 */
export function reversalOf(original: DisbursementRecorded, reversedOn?: string): DisbursementReversed {
  const { disbursementId, regionCode, kind, amountFen, voucherNo, beneficiaries, toRegionCode, toParentRegionCode, afterSettlement } =
    original.data;
  return disbursementReversed(disbursementId, {
    regionCode,
    kind,
    amountFen,
    voucherNo,
    ...(beneficiaries === undefined ? {} : { beneficiaries }),
    ...(toRegionCode === undefined ? {} : { toRegionCode }),
    ...(toParentRegionCode === undefined ? {} : { toParentRegionCode }),
    afterSettlement,
    ...(reversedOn === undefined ? {} : { reversedOn }),
  });
}

export function disbursementReversed(
  disbursementId: string,
  original: Omit<DisbursementReversed['data'], keyof ReverseDisbursement['data'] | 'afterSettlement'> & {
    afterSettlement?: boolean;
    reversedOn?: string;
  },
): DisbursementReversed {
  const { reversedOn, ...copy } = original as typeof original & { reversedOn?: string };
  return {
    type: 'DisbursementReversed',
    data: { ...reverseDisbursement(disbursementId, reversedOn).data, afterSettlement: false, ...copy },
  };
}

export function topUpRecorded(lineList: AllocationLine[], documentNo?: string): AllocationRecorded {
  return { type: 'AllocationRecorded', data: topUp(lineList, documentNo).data };
}
