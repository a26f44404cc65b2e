import { fenFromString, fenToString, formatYuan, formatYuanGrouped, type Fen } from './money';
import {
  assertNever,
  RuleError,
  type AllocationRecorded,
  type DisbursementRecorded,
  type DisbursementReversed,
  type FundCommand,
  type FundEvent,
  type RecordAllocation,
  type RecordDisbursement,
  type RegionYearSettled,
  type ReverseDisbursement,
  type SettleRegionYear,
} from './messages';
import type { RegionRegistry } from './regions';
import {
  availableFen,
  outstandingAdjustmentFen,
  topUpLeftFen,
  type FundState,
  type RegionYear,
} from './fund.state';

export {
  evolveFund,
  findDisbursement,
  fundSubjects,
  hasDocument,
  initialFundState,
  regionFigures,
  type FundState,
  type RegionFigures,
  type RegionYearStatus,
} from './fund.state';

/** API.md's bound on a document; the edge enforces it first, the domain still refuses to exceed it. */
export const maxLinesPerDocument = 5_000;

/**
 * Pure: never mutates state. Throws RuleError (from messages.ts) when a rule refuses the command,
 * and a plain Error when the command could not have passed the edge (a programmer error).
 * Each command's rules are checked in a fixed, documented order, so that the same command always
 * gets the same refusal.
 */
export function decideFund(command: FundCommand, state: FundState, registry: RegionRegistry): FundEvent[] {
  if (command.data.programCode !== state.programCode || command.data.fiscalYear !== state.fiscalYear) {
    throw new Error(
      `${command.type} for ${command.data.programCode} ${command.data.fiscalYear} decided against ${state.programCode} ${state.fiscalYear}`,
    );
  }
  switch (command.type) {
    case 'RecordAllocation':
      return [decideAllocation(command, state, registry)];
    case 'RecordDisbursement':
      return [decideDisbursement(command, state, registry)];
    case 'ReverseDisbursement':
      return [decideReversal(command, state)];
    case 'SettleRegionYear':
      return [decideSettlement(command, state, registry)];
    case 'RecordPerformanceTargets':
      requireKnownRegion(registry, command.data.regionCode);
      return [{ type: 'PerformanceTargetsRecorded', data: command.data }];
    case 'ReportPerformanceActual':
      requireKnownRegion(registry, command.data.regionCode);
      return [{ type: 'PerformanceActualReported', data: command.data }];
    default:
      return assertNever(command);
  }
}

// ----------------------------------------------------------------------------------------------

/**
 * Refusals, in order: duplicate-document, unknown-region (issuer, then lines), not-a-recipient,
 * total-mismatch, earmark-violation; then for a pre-allocation year-settled, for a top-up
 * not-settled and adjustment-exceeded.
 */
function decideAllocation(command: RecordAllocation, state: FundState, registry: RegionRegistry): AllocationRecorded {
  const { data } = command;
  const issuer = data.issuerRegionCode;
  const lines = data.lines.map((line) => ({ regionCode: line.regionCode, amountFen: fenFromString(line.amountFen) }));
  assertWellFormedLines(lines);

  if (state.documentNos.has(data.documentNo)) {
    throw new RuleError('duplicate-document', `document ${data.documentNo} is already recorded`, issuer);
  }
  requireKnownRegion(registry, issuer);
  for (const line of lines) requireKnownRegion(registry, line.regionCode);
  for (const line of lines) {
    if (!registry.isDirectRecipient(issuer, line.regionCode)) {
      throw new RuleError(
        'not-a-recipient',
        `${line.regionCode} does not receive money from ${issuer} directly`,
        line.regionCode,
      );
    }
  }
  const linesFen = lines.reduce((sum, line) => sum + line.amountFen, 0n);
  const totalFen = fenFromString(data.totalFen);
  if (linesFen !== totalFen) {
    const differenceFen = linesFen > totalFen ? linesFen - totalFen : totalFen - linesFen;
    throw new RuleError(
      'total-mismatch',
      `lines sum to ${formatYuanGrouped(linesFen)} 元, total says ${formatYuanGrouped(totalFen)} 元: differs by ${formatYuanGrouped(differenceFen)} 元`,
      issuer,
    );
  }
  const subjects = state.subjects;
  if (
    subjects !== null &&
    (subjects.incomeSubject !== data.incomeSubject || subjects.expenditureSubject !== data.expenditureSubject)
  ) {
    throw new RuleError(
      'earmark-violation',
      `the fund's subjects are ${subjects.incomeSubject}/${subjects.expenditureSubject}, the document says ${data.incomeSubject}/${data.expenditureSubject}`,
      issuer,
    );
  }
  switch (data.kind) {
    case 'pre-allocation':
      for (const line of lines) {
        if (state.regions.get(line.regionCode)?.settlement) {
          throw new RuleError(
            'year-settled',
            `${line.regionCode} ${state.fiscalYear} is settled: only a top-up may reach it now`,
            line.regionCode,
          );
        }
      }
      break;
    case 'top-up':
      for (const line of lines) {
        if (!state.regions.get(line.regionCode)?.settlement) {
          throw new RuleError(
            'not-settled',
            `${line.regionCode} ${state.fiscalYear} is not settled: a top-up follows a settlement`,
            line.regionCode,
          );
        }
      }
      for (const line of lines) {
        const outstandingFen = outstandingAdjustmentFen(heldRegionYear(state, line.regionCode));
        const owedFen = outstandingFen > 0n ? outstandingFen : 0n;
        if (line.amountFen > owedFen) {
          throw new RuleError(
            'adjustment-exceeded',
            `${line.regionCode} is owed a top-up of ${formatYuan(owedFen)} 元, the line gives ${formatYuan(line.amountFen)} 元`,
            line.regionCode,
          );
        }
      }
      break;
    default:
      assertNever(data.kind);
  }
  return { type: 'AllocationRecorded', data };
}

function assertWellFormedLines(lines: readonly { regionCode: string; amountFen: Fen }[]): void {
  if (lines.length < 1 || lines.length > maxLinesPerDocument) {
    throw new Error(`an allocation has 1 to ${maxLinesPerDocument} lines, not ${lines.length}`);
  }
  const seen = new Set<string>();
  for (const line of lines) {
    if (line.amountFen <= 0n) throw new Error(`allocation line for ${line.regionCode} is not positive`);
    if (seen.has(line.regionCode)) throw new Error(`allocation names ${line.regionCode} twice`);
    seen.add(line.regionCode);
  }
}

// ----------------------------------------------------------------------------------------------

/**
 * Refusals, in order: unknown-region, no-allocation, duplicate-voucher, earmark-violation,
 * not-a-child-region, then for a settled region-year year-settled or adjustment-exceeded, and
 * last insufficient-funds.
 */
function decideDisbursement(
  command: RecordDisbursement,
  state: FundState,
  registry: RegionRegistry,
): DisbursementRecorded {
  const { data } = command;
  const regionCode = data.regionCode;
  const amountFen = fenFromString(data.amountFen);
  assertWellFormedDisbursement(command, amountFen, state);

  requireKnownRegion(registry, regionCode);
  const region = state.regions.get(regionCode);
  if (!region) {
    throw new RuleError('no-allocation', `${regionCode} has received no money in ${describeFund(state)}`, regionCode);
  }
  if (region.voucherNos.has(data.voucherNo)) {
    throw new RuleError(
      'duplicate-voucher',
      `voucher ${data.voucherNo} is already recorded for ${regionCode}`,
      regionCode,
    );
  }
  if (data.kind === 'beneficiary-payment' && data.expenditureSubject !== state.subjects?.expenditureSubject) {
    throw new RuleError(
      'earmark-violation',
      `the fund pays under ${state.subjects?.expenditureSubject ?? 'no subject yet'}, not ${data.expenditureSubject ?? 'no subject'}`,
      regionCode,
    );
  }
  if (data.kind === 'pass-down' && !registry.isPassDownTarget(regionCode, data.toRegionCode ?? '')) {
    throw new RuleError(
      'not-a-child-region',
      `${data.toRegionCode} is not a child of ${regionCode} that ${regionCode} pays`,
      regionCode,
    );
  }
  const afterSettlement = region.settlement !== null;
  if (afterSettlement) requireSettledMovementAllowed(data.kind, amountFen, region, regionCode, state.fiscalYear);
  const heldFen = availableFen(region);
  if (amountFen > heldFen) {
    throw new RuleError('insufficient-funds', `available ${formatYuan(heldFen)} 元`, regionCode);
  }

  if (data.kind !== 'return') return { type: 'DisbursementRecorded', data: { ...data, afterSettlement } };
  const toParentRegionCode = registry.fundingParentOf(regionCode);
  if (toParentRegionCode === null) throw new Error(`${regionCode} has no region to return money to`);
  return { type: 'DisbursementRecorded', data: { ...data, toParentRegionCode, afterSettlement } };
}

/** Settled is closed: only the settlement's own top-up or claw-back may move money now. */
function requireSettledMovementAllowed(
  kind: RecordDisbursement['data']['kind'],
  amountFen: Fen,
  region: RegionYear,
  regionCode: string,
  fiscalYear: number,
): void {
  switch (kind) {
    case 'return': {
      const outstandingFen = outstandingAdjustmentFen(region);
      if (outstandingFen >= 0n) {
        throw new RuleError(
          'year-settled',
          `${regionCode} ${fiscalYear} is settled and owes no claw-back: nothing may be returned`,
          regionCode,
        );
      }
      if (amountFen > -outstandingFen) {
        throw new RuleError(
          'adjustment-exceeded',
          `the claw-back outstanding is ${formatYuan(-outstandingFen)} 元, the return is ${formatYuan(amountFen)} 元`,
          regionCode,
        );
      }
      return;
    }
    case 'beneficiary-payment':
    case 'pass-down': {
      const leftFen = topUpLeftFen(region);
      if (leftFen <= 0n) {
        throw new RuleError(
          'year-settled',
          `${regionCode} ${fiscalYear} is settled and holds no top-up money to pay out or pass down`,
          regionCode,
        );
      }
      if (amountFen > leftFen) {
        throw new RuleError(
          'year-settled',
          `${regionCode} ${fiscalYear} is settled: only ${formatYuan(leftFen)} 元 of top-up money is left to pay out or pass down`,
          regionCode,
        );
      }
      return;
    }
    default:
      assertNever(kind);
  }
}

function assertWellFormedDisbursement(command: RecordDisbursement, amountFen: Fen, state: FundState): void {
  const { data } = command;
  if (amountFen <= 0n) throw new Error(`disbursement ${data.disbursementId} is not positive`);
  if (state.disbursements.has(data.disbursementId)) {
    throw new Error(`disbursement id ${data.disbursementId} is already taken`);
  }
  switch (data.kind) {
    case 'beneficiary-payment':
      if (data.expenditureSubject === undefined) throw new Error('a beneficiary payment names its expenditure subject');
      if (data.beneficiaries === undefined || !Number.isSafeInteger(data.beneficiaries) || data.beneficiaries < 1) {
        throw new Error('a beneficiary payment is for a whole number of people, at least one');
      }
      return;
    case 'pass-down':
      if (data.toRegionCode === undefined) throw new Error('a pass-down names the region it goes to');
      return;
    case 'return':
      return;
    default:
      assertNever(data.kind);
  }
}

// ----------------------------------------------------------------------------------------------

/**
 * Refusals, in order: not-found, already-reversed, year-settled, insufficient-funds (in the region
 * the money went to: the district of a pass-down, the city of a return).
 */
function decideReversal(command: ReverseDisbursement, state: FundState): DisbursementReversed {
  const { data } = command;
  const entry = state.disbursements.get(data.disbursementId);
  if (!entry) {
    throw new RuleError('not-found', `no disbursement ${data.disbursementId} in ${describeFund(state)}`, null);
  }
  const regionCode = entry.regionCode;
  if (entry.reversed) {
    throw new RuleError('already-reversed', `disbursement ${data.disbursementId} is already reversed`, regionCode);
  }
  const region = heldRegionYear(state, regionCode);
  if (!entry.afterSettlement && region.settlement !== null) {
    throw new RuleError(
      'year-settled',
      `${regionCode} ${state.fiscalYear} was settled after this disbursement: the settlement already counts it`,
      regionCode,
    );
  }
  // Money goes back where it came from, so the region it went to must still hold it.
  const holderCode =
    entry.kind === 'pass-down'
      ? entry.toRegionCode
      : entry.kind === 'return' && entry.creditedParent
        ? entry.toParentRegionCode
        : undefined;
  if (holderCode !== undefined) {
    const heldFen = availableFen(heldRegionYear(state, holderCode));
    if (entry.amountFen > heldFen) {
      throw new RuleError('insufficient-funds', `available ${formatYuan(heldFen)} 元`, holderCode);
    }
  }
  return {
    type: 'DisbursementReversed',
    data: {
      ...data,
      regionCode,
      kind: entry.kind,
      amountFen: fenToString(entry.amountFen),
      voucherNo: entry.voucherNo,
      ...(entry.beneficiaries === undefined ? {} : { beneficiaries: entry.beneficiaries }),
      ...(entry.toRegionCode === undefined ? {} : { toRegionCode: entry.toRegionCode }),
      ...(entry.toParentRegionCode === undefined ? {} : { toParentRegionCode: entry.toParentRegionCode }),
    },
  };
}

// ----------------------------------------------------------------------------------------------

/** Refusals, in order: unknown-region, no-allocation, year-settled. */
function decideSettlement(command: SettleRegionYear, state: FundState, registry: RegionRegistry): RegionYearSettled {
  const { data } = command;
  const regionCode = data.regionCode;
  requireKnownRegion(registry, regionCode);
  const region = state.regions.get(regionCode);
  if (!region || region.preAllocatedFen === 0n) {
    throw new RuleError(
      'no-allocation',
      `${regionCode} received no pre-allocation in ${describeFund(state)}: there is nothing to settle`,
      regionCode,
    );
  }
  if (region.settlement !== null) {
    throw new RuleError(
      'year-settled',
      `${regionCode} ${state.fiscalYear} is already settled by ${region.settlement.documentNo}`,
      regionCode,
    );
  }
  let entitledFen = 0n;
  for (const actual of data.actuals) {
    if (!Number.isSafeInteger(actual.persons) || actual.persons < 0) {
      throw new Error(`settlement actual ${actual.category} has ${actual.persons} persons`);
    }
    const perPersonFen = fenFromString(actual.perPersonFen);
    if (perPersonFen < 0n) throw new Error(`settlement actual ${actual.category} has a negative standard`);
    entitledFen += BigInt(actual.persons) * perPersonFen;
  }
  const allocatedFen = region.preAllocatedFen;
  return {
    type: 'RegionYearSettled',
    data: {
      ...data,
      entitledFen: fenToString(entitledFen),
      allocatedFen: fenToString(allocatedFen),
      adjustmentFen: fenToString(entitledFen - allocatedFen),
    },
  };
}

// ----------------------------------------------------------------------------------------------

function requireKnownRegion(registry: RegionRegistry, regionCode: string): void {
  if (!registry.has(regionCode)) {
    throw new RuleError('unknown-region', `region ${regionCode} is not in the registry`, regionCode);
  }
}

/** The decider reaches a region-year through a fact that proves it was funded. */
function heldRegionYear(state: FundState, regionCode: string): RegionYear {
  const region = state.regions.get(regionCode);
  if (!region) throw new Error(`region ${regionCode} holds no money in ${describeFund(state)}`);
  return region;
}

function describeFund(state: FundState): string {
  return `${state.programCode} ${state.fiscalYear}`;
}
