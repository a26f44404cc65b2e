import { addDays, chinaDateOf, laterOf } from './calendar';
import { defaultFundPolicy, maxLinesPerDocument, maxSettlementCategories, type FundPolicy } from './fund-policy';
import { fenFromString, fenToString, formatYuan, formatYuanGrouped, type Fen } from './money';
import {
  assertNever,
  RuleError,
  type AllocationRecorded,
  type DisbursementRecorded,
  type DisbursementReversed,
  type FundCommand,
  type FundEvent,
  type PassDownRecorded,
  type RecordAllocation,
  type RecordDisbursement,
  type RecordPassDown,
  type RegionYearSettled,
  type ReverseDisbursement,
  type SettleRegionYear,
} from './messages';
import {
  availableFen,
  entitledFen,
  outstandingFen,
  returnLandsWith,
  settlementTerms,
  topUpLeftFen,
} from './region-year';
import type { RegionRegistry } from './regions';
import { closingSettlement, spendableFromFen, type FundState, type RegionYear } from './fund.state';

export {
  closingSettlement,
  evolveFund,
  findDisbursement,
  fundSubjects,
  hasDocument,
  initialFundState,
  minimumStandardFromText,
  regionFigures,
  type FundState,
  type RegionFigures,
  type RegionYearStatus,
} from './fund.state';
export {
  defaultFundPolicy,
  maxFiscalYear,
  maxLinesPerDocument,
  maxSettlementCategories,
  minFiscalYear,
  programCodePattern,
  type FundPolicy,
} from './fund-policy';

/**
 * Pure: never mutates state. Throws RuleError (from messages.ts) when a rule refuses the command,
 * and a plain Error when the command could not have passed the edge (a programmer error).
 * Each command's rules are checked in a fixed, documented order, so that the same command always
 * gets the same refusal. "Today" is the day in China at the command's `now`.
 */
export function decideFund(
  command: FundCommand,
  state: FundState,
  registry: RegionRegistry,
  policy: FundPolicy = defaultFundPolicy,
): FundEvent[] {
  if (command.data.programCode !== state.programCode || command.data.fiscalYear !== state.fiscalYear) {
    throw new Error(
      `${command.type} for ${command.data.programCode} ${command.data.fiscalYear} decided against ${state.programCode} ${state.fiscalYear}`,
    );
  }
  const ctx: DecideContext = { state, registry, policy, today: chinaDateOf(command.metadata.now) };
  switch (command.type) {
    case 'RecordAllocation':
      return [decideAllocation(command, ctx)];
    case 'RecordDisbursement':
      return [decideDisbursement(command, ctx)];
    case 'RecordPassDown':
      return [decidePassDown(command, ctx)];
    case 'ReverseDisbursement':
      return [decideReversal(command, ctx)];
    case 'SettleRegionYear':
      return [decideSettlement(command, ctx)];
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

interface DecideContext {
  readonly state: FundState;
  readonly registry: RegionRegistry;
  readonly policy: FundPolicy;
  readonly today: string;
}

/** The program's funding root: fixed by its first allocation; before that, the registry's root. */
export function fundRootOf(state: FundState, registry: RegionRegistry, issuerRegionCode: string): string | null {
  return state.rootRegionCode ?? registry.provinceOf(issuerRegionCode)?.code ?? null;
}

// ----------------------------------------------------------------------------------------------

/**
 * Refusals, in order: duplicate-document, unknown-region (issuer, then lines), issuer-not-root,
 * not-a-recipient, total-mismatch, earmark-violation, date-out-of-range; then for a
 * pre-allocation year-settled, for a top-up not-settled, date-out-of-range (before the
 * settlement) and adjustment-exceeded.
 */
function decideAllocation(command: RecordAllocation, ctx: DecideContext): AllocationRecorded {
  const { state, registry } = ctx;
  const { data } = command;
  const issuer = data.issuerRegionCode;
  const lines = wellFormedLines(data.lines, 'allocation');

  if (state.documentNos.has(data.documentNo)) {
    throw new RuleError('duplicate-document', `document ${data.documentNo} is already recorded`, issuer);
  }
  requireKnownRegion(registry, issuer);
  for (const line of lines) requireKnownRegion(registry, line.regionCode);
  // Only the root creates money: a 市 hands on what it holds, it never issues new money.
  const root = fundRootOf(state, registry, issuer);
  if (issuer !== root) {
    throw new RuleError(
      'issuer-not-root',
      `${issuer} is not the funding root of ${describeFund(state)} (${root ?? 'none'}): only the root issues allocation documents`,
      issuer,
    );
  }
  for (const line of lines) {
    if (!registry.isDirectRecipient(issuer, line.regionCode)) {
      throw new RuleError(
        'not-a-recipient',
        `${line.regionCode} does not receive money from ${issuer} directly`,
        line.regionCode,
      );
    }
  }
  requireTotal(lines, data.totalFen, issuer);
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
  requireNotFuture(ctx, data.issuedOn, 'issuedOn', issuer);
  switch (data.kind) {
    case 'pre-allocation': {
      const earliest = `${state.fiscalYear - 1}-01-01`;
      const latest = `${state.fiscalYear}-12-31`;
      if (data.issuedOn < earliest || data.issuedOn > latest) {
        throw new RuleError(
          'date-out-of-range',
          `a pre-allocation for ${state.fiscalYear} is issued between ${earliest} and ${latest}, not on ${data.issuedOn}`,
          issuer,
        );
      }
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
    }
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
        const settledOn = heldRegionYear(state, line.regionCode).settlement?.settledOn ?? '';
        if (data.issuedOn < settledOn) {
          throw new RuleError(
            'date-out-of-range',
            `a top-up follows the settlement of ${line.regionCode} on ${settledOn}, it cannot be issued on ${data.issuedOn}`,
            line.regionCode,
          );
        }
      }
      for (const line of lines) {
        const region = heldRegionYear(state, line.regionCode);
        const owedFen = positive(outstandingFen(region.counters, region.settlement));
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

// ----------------------------------------------------------------------------------------------

/**
 * Refusals, in order: unknown-region, no-allocation, duplicate-voucher, earmark-violation,
 * not-a-child-region, then in a closed subtree year-settled or adjustment-exceeded, then
 * date-out-of-range, and last insufficient-funds.
 */
function decideDisbursement(command: RecordDisbursement, ctx: DecideContext): DisbursementRecorded {
  const { state, registry } = ctx;
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
    throw new RuleError('duplicate-voucher', `voucher ${data.voucherNo} is already recorded for ${regionCode}`, regionCode);
  }
  if (data.kind === 'beneficiary-payment' && data.expenditureSubject !== state.subjects?.expenditureSubject) {
    throw new RuleError(
      'earmark-violation',
      `the fund pays under ${state.subjects?.expenditureSubject ?? 'no subject yet'}, not ${data.expenditureSubject ?? 'no subject'}`,
      regionCode,
    );
  }
  if (data.kind === 'pass-down' && !registry.isPassDownTarget(regionCode, data.toRegionCode ?? '')) {
    throw new RuleError('not-a-child-region', `${data.toRegionCode} is not a child of ${regionCode} that ${regionCode} pays`, regionCode);
  }
  const closed = closingSettlement(state, regionCode, (code) => registry.fundingParentOf(code));
  if (closed !== null) requireClosedMovementAllowed(ctx, data.kind, amountFen, region, regionCode, closed.regionCode);
  requireMovementDate(ctx, region, closed?.terms.settledOn ?? null, data.kind, data.paidOn, 'paidOn', regionCode);
  requireFunds(region, amountFen, regionCode, data.paidOn);

  const afterSettlement = closed !== null;
  if (data.kind !== 'return') return { type: 'DisbursementRecorded', data: { ...data, afterSettlement } };
  const toParentRegionCode = registry.fundingParentOf(regionCode);
  if (toParentRegionCode === null) throw new Error(`${regionCode} has no region to return money to`);
  return { type: 'DisbursementRecorded', data: { ...data, toParentRegionCode, afterSettlement } };
}

/**
 * Refusals, in order: unknown-region (the payer, then lines), no-allocation, duplicate-document,
 * not-a-child-region, total-mismatch, year-settled (in a closed subtree), date-out-of-range,
 * insufficient-funds.
 */
function decidePassDown(command: RecordPassDown, ctx: DecideContext): PassDownRecorded {
  const { state, registry } = ctx;
  const { data } = command;
  const regionCode = data.regionCode;
  const lines = wellFormedLines(data.lines, 'pass-down');
  requireKnownRegion(registry, regionCode);
  for (const line of lines) requireKnownRegion(registry, line.regionCode);
  const region = state.regions.get(regionCode);
  if (!region) {
    throw new RuleError('no-allocation', `${regionCode} has received no money in ${describeFund(state)}`, regionCode);
  }
  if (state.documentNos.has(data.documentNo)) {
    throw new RuleError('duplicate-document', `document ${data.documentNo} is already recorded`, regionCode);
  }
  for (const line of lines) {
    if (!registry.isPassDownTarget(regionCode, line.regionCode)) {
      throw new RuleError('not-a-child-region', `${line.regionCode} is not a child of ${regionCode} that ${regionCode} pays`, regionCode);
    }
  }
  const totalFen = requireTotal(lines, data.totalFen, regionCode);
  const closed = closingSettlement(state, regionCode, (code) => registry.fundingParentOf(code));
  if (closed !== null) requireClosedMovementAllowed(ctx, 'pass-down', totalFen, region, regionCode, closed.regionCode);
  requireMovementDate(ctx, region, closed?.terms.settledOn ?? null, 'pass-down', data.passedOn, 'passedOn', regionCode);
  requireFunds(region, totalFen, regionCode, data.passedOn);
  return { type: 'PassDownRecorded', data: { ...data, afterSettlement: closed !== null } };
}

/**
 * The dates money may move on (API.md): not in the future, not before the region first received
 * money; while open, payments and pass-downs no later than the year's end plus the grace period;
 * in a closed subtree, not before the settlement, and top-up money not before it arrived.
 */
function requireMovementDate(
  ctx: DecideContext,
  region: RegionYear,
  settledOn: string | null,
  kind: RecordDisbursement['data']['kind'],
  on: string,
  field: string,
  regionCode: string,
): void {
  requireNotFuture(ctx, on, field, regionCode);
  const firstReceivedOn = region.counters.firstReceivedOn;
  if (on < firstReceivedOn) {
    throw new RuleError(
      'date-out-of-range',
      `${field} ${on} is before ${regionCode} first received money for ${describeFund(ctx.state)} on ${firstReceivedOn}`,
      regionCode,
    );
  }
  if (settledOn === null) {
    if (kind === 'return') return;
    const lastDay = addDays(`${ctx.state.fiscalYear}-12-31`, ctx.policy.latePaymentGraceDays);
    if (on > lastDay) {
      throw new RuleError(
        'date-out-of-range',
        `${field} ${on} is past ${lastDay}, the end of ${ctx.state.fiscalYear}'s grace period of ${ctx.policy.latePaymentGraceDays} days`,
        regionCode,
      );
    }
    return;
  }
  const follows = kind === 'return' ? settledOn : laterOf(settledOn, region.counters.firstTopUpOn);
  if (on < follows) {
    throw new RuleError(
      'date-out-of-range',
      `${field} ${on} is before ${follows}: after settlement money moves only on or after what it follows`,
      regionCode,
    );
  }
}

/**
 * Settled is closed, for the settled region and every region it funds: money moves only upward
 * towards an outstanding claw-back, or as top-up money received after the settlement.
 */
function requireClosedMovementAllowed(
  ctx: DecideContext,
  kind: RecordDisbursement['data']['kind'],
  amountFen: Fen,
  region: RegionYear,
  regionCode: string,
  settledRegionCode: string,
): void {
  const fiscalYear = ctx.state.fiscalYear;
  switch (kind) {
    case 'return': {
      const settled = heldRegionYear(ctx.state, settledRegionCode);
      const owedFen = -outstandingFen(settled.counters, settled.settlement);
      if (owedFen <= 0n) {
        throw new RuleError(
          'year-settled',
          `${settledRegionCode} ${fiscalYear} is settled and owes no claw-back: nothing may be returned`,
          regionCode,
        );
      }
      // A 区/县 returns only what its 市 still lacks to repay the claw-back, so nothing comes up
      // that the 市 could then neither pay nor return.
      const neededFen = settledRegionCode === regionCode ? owedFen : positive(owedFen - availableFen(settled.counters));
      if (amountFen > neededFen) {
        throw new RuleError(
          'adjustment-exceeded',
          settledRegionCode === regionCode
            ? `the claw-back outstanding is ${formatYuan(owedFen)} 元, the return is ${formatYuan(amountFen)} 元`
            : `${settledRegionCode} needs ${formatYuan(neededFen)} 元 more to repay its claw-back of ${formatYuan(owedFen)} 元, the return is ${formatYuan(amountFen)} 元`,
          regionCode,
        );
      }
      return;
    }
    case 'beneficiary-payment':
    case 'pass-down': {
      const leftFen = topUpLeftFen(region.counters);
      if (amountFen > leftFen) {
        throw new RuleError(
          'year-settled',
          leftFen <= 0n
            ? settledRegionCode === regionCode
              ? `${regionCode} ${fiscalYear} is settled and holds no top-up money to pay out or pass down`
              : `${settledRegionCode} ${fiscalYear} is settled and ${regionCode} holds no top-up money to pay out or pass down`
            : `${settledRegionCode} ${fiscalYear} is settled: only ${formatYuan(leftFen)} 元 of top-up money is left to pay out or pass down`,
          regionCode,
        );
      }
      return;
    }
    default:
      assertNever(kind);
  }
}

/**
 * No overdraft, today and in the books as of the outflow's date and every day after it: money
 * that arrives on 1 June cannot pay a voucher dated 1 March.
 */
function requireFunds(region: RegionYear, amountFen: Fen, regionCode: string, on: string): void {
  const heldFen = availableFen(region.counters);
  if (amountFen > heldFen) throw new RuleError('insufficient-funds', `available ${formatYuan(heldFen)} 元`, regionCode);
  const datedFen = spendableFromFen(region, on);
  if (amountFen > datedFen) {
    throw new RuleError(
      'insufficient-funds',
      `available ${formatYuan(datedFen < 0n ? 0n : datedFen)} 元 on ${on} and every day after it (${formatYuan(heldFen)} 元 in all: the rest arrives later)`,
      regionCode,
    );
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
      if (data.toRegionCode !== undefined) throw new Error('a beneficiary payment names no region to pass money to');
      return;
    case 'pass-down':
      if (data.toRegionCode === undefined) throw new Error('a pass-down names the region it goes to');
      return;
    case 'return':
      if (data.toRegionCode !== undefined) throw new Error('a return goes to the region that funds the payer, named by the ledger');
      return;
    default:
      assertNever(data.kind);
  }
}

// ----------------------------------------------------------------------------------------------

/**
 * Refusals, in order: not-found, already-reversed, date-out-of-range, year-settled,
 * insufficient-funds (in the region the money went to: the district of a pass-down, the city of a
 * return).
 */
function decideReversal(command: ReverseDisbursement, ctx: DecideContext): DisbursementReversed {
  const { state, registry } = ctx;
  const { data } = command;
  const entry = state.disbursements.get(data.disbursementId);
  if (!entry) {
    throw new RuleError('not-found', `no disbursement ${data.disbursementId} in ${describeFund(state)}`, null);
  }
  const regionCode = entry.regionCode;
  if (entry.reversed) {
    throw new RuleError('already-reversed', `disbursement ${data.disbursementId} is already reversed`, regionCode);
  }
  requireNotFuture(ctx, data.reversedOn, 'reversedOn', regionCode);
  if (data.reversedOn < entry.paidOn) {
    throw new RuleError(
      'date-out-of-range',
      `reversedOn ${data.reversedOn} is before the disbursement's own date ${entry.paidOn}`,
      regionCode,
    );
  }
  const closed = closingSettlement(state, regionCode, (code) => registry.fundingParentOf(code));
  if (!entry.afterSettlement && closed !== null) {
    throw new RuleError(
      'year-settled',
      `${closed.regionCode} ${state.fiscalYear} was settled after this disbursement: the settlement already counts it`,
      regionCode,
    );
  }
  // Money goes back where it came from, so the region it went to must still hold it.
  const holderCode =
    entry.kind === 'pass-down'
      ? entry.toRegionCode
      : entry.kind === 'return'
        ? (returnLandsWith(entry.toParentRegionCode ?? '', state.rootRegionCode) ?? undefined)
        : undefined;
  if (holderCode !== undefined) requireFunds(heldRegionYear(state, holderCode), entry.amountFen, holderCode, data.reversedOn);
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
      afterSettlement: entry.afterSettlement,
    },
  };
}

// ----------------------------------------------------------------------------------------------

/**
 * Refusals, in order: unknown-region, no-allocation, year-settled, below-minimum-standard,
 * date-out-of-range (in the future, before the notice, or before anything already recorded in
 * the region's subtree).
 */
function decideSettlement(command: SettleRegionYear, ctx: DecideContext): RegionYearSettled {
  const { state, registry } = ctx;
  const { data } = command;
  const regionCode = data.regionCode;
  const actuals = wellFormedActuals(data.actuals);
  requireKnownRegion(registry, regionCode);
  const region = state.regions.get(regionCode);
  if (!region || region.counters.preAllocatedFen === 0n) {
    throw new RuleError(
      'no-allocation',
      `${regionCode} received no pre-allocation in ${describeFund(state)}: there is nothing to settle`,
      regionCode,
    );
  }
  if (region.settlement !== null) {
    throw new RuleError('year-settled', `${regionCode} ${state.fiscalYear} is already settled by ${region.settlement.documentNo}`, regionCode);
  }
  const prefecture = registry.prefectureOf(regionCode);
  const minimumFen = (prefecture === null ? undefined : state.minimumStandardFen.get(prefecture)) ?? 1n;
  for (const actual of actuals) {
    if (actual.perPersonFen < minimumFen) {
      throw new RuleError(
        'below-minimum-standard',
        `category ${actual.category} is settled at ${formatYuan(actual.perPersonFen)} 元 a person, below the program's minimum of ${formatYuan(minimumFen)} 元`,
        regionCode,
      );
    }
  }
  requireNotFuture(ctx, data.settledOn, 'settledOn', regionCode);
  let latestOn = region.counters.lastEffectiveOn;
  for (const child of registry.childrenOf(regionCode)) {
    const childYear = child.directFromProvince ? undefined : state.regions.get(child.code);
    if (childYear) latestOn = laterOf(latestOn, childYear.counters.lastEffectiveOn);
  }
  if (data.settledOn < latestOn) {
    throw new RuleError(
      'date-out-of-range',
      `settledOn ${data.settledOn} is before ${latestOn}, the latest date already recorded in ${regionCode}'s subtree`,
      regionCode,
    );
  }
  const terms = settlementTerms(region.counters, data.documentNo, data.settledOn, entitledFen(actuals));
  return {
    type: 'RegionYearSettled',
    data: {
      ...data,
      entitledFen: fenToString(terms.entitledFen),
      preAllocatedFen: fenToString(terms.preAllocatedFen),
      returnedBeforeFen: fenToString(terms.returnedBeforeFen),
      allocatedFen: fenToString(terms.allocatedFen),
      adjustmentFen: fenToString(terms.adjustmentFen),
    },
  };
}

function wellFormedActuals(actuals: SettleRegionYear['data']['actuals']) {
  if (actuals.length < 1 || actuals.length > maxSettlementCategories) {
    throw new Error(`a settlement states 1 to ${maxSettlementCategories} categories, not ${actuals.length}`);
  }
  const seen = new Set<string>();
  return actuals.map((actual) => {
    if (seen.has(actual.category)) throw new Error(`settlement names category ${actual.category} twice`);
    seen.add(actual.category);
    if (!Number.isSafeInteger(actual.persons) || actual.persons < 0) {
      throw new Error(`settlement actual ${actual.category} has ${actual.persons} persons`);
    }
    const perPersonFen = fenFromString(actual.perPersonFen);
    if (perPersonFen < 0n) throw new Error(`settlement actual ${actual.category} has a negative standard`);
    return { category: actual.category, persons: actual.persons, perPersonFen };
  });
}

// ----------------------------------------------------------------------------------------------

function wellFormedLines(lines: RecordAllocation['data']['lines'], what: string): { regionCode: string; amountFen: Fen }[] {
  if (lines.length < 1 || lines.length > maxLinesPerDocument) {
    throw new Error(`a ${what} has 1 to ${maxLinesPerDocument} lines, not ${lines.length}`);
  }
  const seen = new Set<string>();
  return lines.map((line) => {
    const amountFen = fenFromString(line.amountFen);
    if (amountFen <= 0n) throw new Error(`${what} line for ${line.regionCode} is not positive`);
    if (seen.has(line.regionCode)) throw new Error(`${what} names ${line.regionCode} twice`);
    seen.add(line.regionCode);
    return { regionCode: line.regionCode, amountFen };
  });
}

function requireTotal(lines: readonly { amountFen: Fen }[], totalText: string, regionCode: string): Fen {
  const linesFen = lines.reduce((sum, line) => sum + line.amountFen, 0n);
  const totalFen = fenFromString(totalText);
  if (linesFen !== totalFen) {
    const differenceFen = linesFen > totalFen ? linesFen - totalFen : totalFen - linesFen;
    throw new RuleError(
      'total-mismatch',
      `lines sum to ${formatYuanGrouped(linesFen)} 元, total says ${formatYuanGrouped(totalFen)} 元: differs by ${formatYuanGrouped(differenceFen)} 元`,
      regionCode,
    );
  }
  return totalFen;
}

function requireNotFuture(ctx: DecideContext, on: string, field: string, regionCode: string): void {
  if (on > ctx.today) {
    throw new RuleError('date-out-of-range', `${field} ${on} is in the future (today is ${ctx.today} in China)`, regionCode);
  }
}

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

const positive = (fen: Fen): Fen => (fen > 0n ? fen : 0n);

function describeFund(state: FundState): string {
  return `${state.programCode} ${state.fiscalYear}`;
}
