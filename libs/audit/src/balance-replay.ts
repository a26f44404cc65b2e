import { formatYuan, parseFundStreamName, type RegionRegistry } from '@earmark/domain';
import type { JsonObject, JsonValue, RecordedEvent } from '@earmark/event-store';
import { DisbursementIndex, type DisbursementFacts, type MovementKind } from './disbursement-index';

/**
 * A second, independent replay of the money, from the events alone. It shares no code with the
 * domain's decider, its fund state or its region-year arithmetic on purpose: an auditor trusts two
 * implementations that agree more than one implementation that agrees with itself. It reads the
 * registry (data, not logic) and the domain's money and stream-name helpers (formats, not rules).
 *
 * Double entry, per fund (stream `fund-<programCode>-<fiscalYear>`): every movement is a set of
 * postings that sum to zero, over three kinds of account:
 * - a region's holding: what it may still pass down, pay or return, never below zero;
 * - the funding root's source: negative by what it allocated, less what was returned to it;
 * - the beneficiaries' side: what left the fiscal chain as payments on behalf of people.
 *
 * Beside the postings it keeps, per region, the figures the v2 rules are stated in (DOMAIN.md
 * invariants 1-8): who may create money, what a settlement must say, what may still move in a
 * settled subtree, and which dates are possible.
 */
export interface FundBalances {
  readonly streamName: string;
  readonly programCode: string;
  readonly fiscalYear: number;
  readonly incomeSubject: string;
  readonly expenditureSubject: string;
  /** Per region, what it holds now, in 分. */
  readonly heldFen: ReadonlyMap<string, bigint>;
  /** The funding root's source account, in 分: ≤ 0 unless more came back than went out. */
  readonly sourceFen: ReadonlyMap<string, bigint>;
  /** Paid on behalf of beneficiaries, in 分. */
  readonly paidOutFen: bigint;
}

export interface BalanceReplayOptions {
  /**
   * Days after the fiscal year's last day during which a region whose money is still open may pay
   * or pass down (recorded and flagged late); later ones break the rules.
   */
  readonly latePaymentGraceDays?: number;
}

/** API.md's default grace period for payments after the fiscal year. */
export const defaultLatePaymentGraceDays = 90;

/** Money moves only through these event types, and only in fund streams. */
export const moneyEventTypes: ReadonlySet<string> = new Set([
  'AllocationRecorded',
  'PassDownRecorded',
  'DisbursementRecorded',
  'DisbursementReversed',
]);

/** Moves no money, but fixes the terms that every later movement in its subtree is held to. */
const settlementEventType = 'RegionYearSettled';

/**
 * Registries are a few levels deep; a walk up the parents that goes further has met a cycle in
 * the data and must stop rather than spin.
 */
const maxRegistryDepth = 16;

type Account =
  | { readonly kind: 'region'; readonly code: string }
  | { readonly kind: 'source'; readonly code: string }
  | { readonly kind: 'paid-out' };

interface Posting {
  readonly account: Account;
  readonly deltaFen: bigint;
}

interface SettlementRecord {
  readonly documentNo: string;
  readonly settledOn: string;
  /** entitled − allocated: positive, a top-up owed; negative, a claw-back owed. */
  readonly adjustmentFen: bigint;
}

/** One region's account in one fund. Dates are `YYYY-MM-DD`, '' while nothing happened. */
interface RegionAccount {
  heldFen: bigint;
  /** Net postings to its holding per effective date: the books as of any day. */
  readonly dated: Map<string, bigint>;
  /** The keys of `dated` in order, kept until a new day is added: most movements fall on a day already seen. */
  sortedDays: string[] | null;
  preAllocatedFen: bigint;
  firstPreAllocatedOn: string;
  /** The earliest day money reached it from above: an allocation line or a pass-down. */
  firstReceivedOn: string;
  /** The latest effective date of anything that moved its money. */
  lastEffectiveOn: string;
  /** Returned to its funding parent while its subtree was open, net of reversed returns. */
  returnedBeforeSettlementFen: bigint;
  /** Returned once its subtree was closed (repaying a claw-back), net of reversed returns. */
  returnedAfterSettlementFen: bigint;
  /** Top-up lines: only ever after its settlement. */
  topUpReceivedFen: bigint;
  /** Passed down to it once its subtree was closed: top-up money handed on. */
  receivedAfterSettlementFen: bigint;
  /** Paid out or passed down once its subtree was closed: may only spend top-up money. */
  spentAfterSettlementFen: bigint;
  /** The earliest day top-up money reached it after the settlement. */
  firstTopUpOn: string;
  settlement: SettlementRecord | null;
}

interface FundBooks {
  readonly streamName: string;
  readonly programCode: string;
  readonly fiscalYear: number;
  /** The issuer of the fund's first allocation: the only region that may create its money. */
  rootRegionCode: string | null;
  subjects: { readonly incomeSubject: string; readonly expenditureSubject: string } | null;
  /** Only regions money ever reached have an account. */
  readonly regions: Map<string, RegionAccount>;
  readonly sources: Map<string, bigint>;
  paidOutFen: bigint;
  /** Every disbursement, packed: ids and vouchers (once per region-year) and what a reversal needs. */
  readonly disbursements: DisbursementIndex;
}

/** The settlement whose subtree a region's money lies in. */
interface Closing {
  readonly regionCode: string;
  readonly account: RegionAccount;
  readonly settlement: SettlementRecord;
}

/** A payment, pass-down or return as the date and settlement rules see it. */
interface Movement {
  readonly regionCode: string;
  readonly payer: RegionAccount;
  readonly kind: MovementKind;
  readonly amountFen: bigint;
  readonly on: string;
  /** The date field's name, as the event spells it. */
  readonly field: string;
  /** How the reason names the event: `payment d-1`, `pass-down document 成财社〔2024〕5号`. */
  readonly label: string;
  readonly claimsAfterSettlement: boolean;
}

/** A rule the events break; the message is the reason after "position N: ". */
class Violation extends Error {}

export class BalanceReplay {
  private readonly funds = new Map<string, FundBooks>();
  /** Allocation and pass-down document numbers, across the ledger. */
  private readonly documentNos = new Set<string>();
  /** The running sum of every posting ever applied, all funds together: zero after each event. */
  private ledgerSumFen = 0n;
  private readonly latePaymentGraceDays: number;
  /** Per fiscal year, the last day of its grace period: every payment is compared with it. */
  private readonly lastPaymentDays = new Map<number, string>();

  constructor(
    private readonly registry: RegionRegistry,
    options: BalanceReplayOptions = {},
  ) {
    const graceDays = options.latePaymentGraceDays ?? defaultLatePaymentGraceDays;
    if (!Number.isSafeInteger(graceDays) || graceDays < 0) {
      throw new Error(`the late-payment grace period is a whole number of days, not ${graceDays}`);
    }
    this.latePaymentGraceDays = graceDays;
  }

  /**
   * Applies one event in position order. Returns null when the books still hold, or the reason
   * they do not (without the position prefix); after a non-null answer the replay is spent.
   */
  apply(event: RecordedEvent): string | null {
    try {
      this.applyOrThrow(event);
      return null;
    } catch (error) {
      if (error instanceof Violation) return error.message;
      throw error;
    }
  }

  /** The balances so far, one entry per fund that has seen an allocation. */
  balances(): FundBalances[] {
    return [...this.funds.values()]
      .filter((books) => books.subjects !== null)
      .map((books) => ({
        streamName: books.streamName,
        programCode: books.programCode,
        fiscalYear: books.fiscalYear,
        incomeSubject: books.subjects?.incomeSubject ?? '',
        expenditureSubject: books.subjects?.expenditureSubject ?? '',
        heldFen: new Map([...books.regions].map(([code, account]) => [code, account.heldFen])),
        sourceFen: new Map(books.sources),
        paidOutFen: books.paidOutFen,
      }));
  }

  /**
   * The sum over every account of every fund, added up afresh rather than taken from the running
   * total: zero when the books balance.
   */
  recountFen(): bigint {
    let total = 0n;
    for (const books of this.funds.values()) {
      for (const account of books.regions.values()) total += account.heldFen;
      for (const fen of books.sources.values()) total += fen;
      total += books.paidOutFen;
    }
    return total;
  }

  private applyOrThrow(event: RecordedEvent): void {
    const isMoney = moneyEventTypes.has(event.type);
    const isSettlement = event.type === settlementEventType;
    const fund = parseFundStreamName(event.streamName);
    if (fund === null) {
      if (isMoney) {
        throw new Violation(`${event.type} outside a fund stream (in ${event.streamName}) moves money nobody books`);
      }
      if (isSettlement) {
        throw new Violation(`${event.type} outside a fund stream (in ${event.streamName}) settles a region-year nobody books`);
      }
      return;
    }
    if (!isMoney && !isSettlement) return;
    const data = event.data;
    const programCode = text(data, 'programCode');
    const fiscalYear = data.fiscalYear;
    if (programCode !== fund.programCode || fiscalYear !== fund.fiscalYear) {
      throw new Violation(`${event.type} for ${programCode} ${String(fiscalYear)} is recorded in ${event.streamName}`);
    }
    const books = this.booksOf(event.streamName, fund.programCode, fund.fiscalYear);
    switch (event.type) {
      case 'AllocationRecorded':
        return this.allocation(books, data);
      case 'PassDownRecorded':
        return this.passDownDocument(books, data);
      case 'DisbursementRecorded':
        return this.disbursement(books, data);
      case 'DisbursementReversed':
        return this.reversal(books, data);
      case settlementEventType:
        return this.settlement(books, data);
      default:
        throw new Error(`fund event type ${event.type} has no replay`);
    }
  }

  // ----------------------------------------------------------------------------------------------
  // Allocation documents: the only way money enters a fund, and only from its root.

  private allocation(books: FundBooks, data: JsonObject): void {
    const documentNo = text(data, 'documentNo');
    const issuer = text(data, 'issuerRegionCode');
    const kind = text(data, 'kind');
    const issuedOn = day(data, 'issuedOn');
    const incomeSubject = text(data, 'incomeSubject');
    const expenditureSubject = text(data, 'expenditureSubject');
    const totalFen = fen(data, 'totalFen');
    if (this.documentNos.has(documentNo)) throw new Violation(`document ${documentNo} is recorded twice`);
    this.requireRegion(issuer);
    const root = books.rootRegionCode;
    if (root === null) {
      const registryRoot = this.registryRootOf(issuer);
      if (issuer !== registryRoot) {
        throw new Violation(
          `only the funding root creates money: ${issuer} issues ${documentNo}, but the registry's root above it is ${registryRoot ?? '(none)'}`,
        );
      }
    } else if (issuer !== root) {
      throw new Violation(
        `only the funding root creates money: ${issuer} issues ${documentNo}, but ${books.streamName}'s root is ${root}, the issuer of its first allocation`,
      );
    }
    if (kind !== 'pre-allocation' && kind !== 'top-up') throw new Violation(`document ${documentNo} is of unknown kind ${kind}`);

    const lines = this.documentLines(documentNo, data, totalFen, (regionCode) => {
      if (!this.isDirectRecipientOfRoot(issuer, regionCode)) {
        throw new Violation(`${regionCode} does not receive money from ${issuer} directly`);
      }
    });
    const subjects = books.subjects;
    if (subjects !== null && (subjects.incomeSubject !== incomeSubject || subjects.expenditureSubject !== expenditureSubject)) {
      throw new Violation(
        `document ${documentNo} uses subjects ${incomeSubject}/${expenditureSubject}, but ${books.streamName} is earmarked for ${subjects.incomeSubject}/${subjects.expenditureSubject}`,
      );
    }
    if (kind === 'pre-allocation') this.requirePreAllocationAllowed(books, documentNo, issuedOn, lines);
    else this.requireTopUpAllowed(books, documentNo, issuedOn, lines);

    books.rootRegionCode = issuer;
    books.subjects ??= { incomeSubject, expenditureSubject };
    this.post(
      books,
      [
        { account: { kind: 'source', code: issuer }, deltaFen: -totalFen },
        ...lines.map(({ regionCode, amountFen }) => ({ account: regionAccount(regionCode), deltaFen: amountFen })),
      ],
      issuedOn,
    );
    this.documentNos.add(documentNo);
    for (const { regionCode, amountFen } of lines) {
      const account = this.accountOf(books, regionCode);
      account.firstReceivedOn = earlierOf(account.firstReceivedOn, issuedOn);
      if (kind === 'pre-allocation') {
        account.preAllocatedFen += amountFen;
        account.firstPreAllocatedOn = earlierOf(account.firstPreAllocatedOn, issuedOn);
      } else {
        account.topUpReceivedFen += amountFen;
        account.firstTopUpOn = earlierOf(account.firstTopUpOn, issuedOn);
      }
    }
  }

  private requirePreAllocationAllowed(books: FundBooks, documentNo: string, issuedOn: string, lines: readonly Line[]): void {
    const earliest = `${books.fiscalYear - 1}-01-01`;
    const latest = `${books.fiscalYear}-12-31`;
    if (issuedOn < earliest || issuedOn > latest) {
      throw new Violation(
        `pre-allocation ${documentNo} is issued on ${issuedOn}, outside ${earliest}..${latest} (the fiscal year or the year before)`,
      );
    }
    for (const { regionCode } of lines) {
      const settlement = books.regions.get(regionCode)?.settlement ?? null;
      if (settlement !== null) {
        throw new Violation(
          `settled is closed: pre-allocation ${documentNo} gives ${regionCode} money after its settlement ${settlement.documentNo}; only a top-up may follow it`,
        );
      }
    }
  }

  private requireTopUpAllowed(books: FundBooks, documentNo: string, issuedOn: string, lines: readonly Line[]): void {
    const settledLines = lines.map(({ regionCode, amountFen }) => {
      const account = books.regions.get(regionCode);
      if (!account?.settlement) {
        throw new Violation(`a top-up follows a settlement: ${documentNo} gives ${regionCode} a top-up, but ${regionCode} is not settled`);
      }
      return { regionCode, amountFen, account, settlement: account.settlement };
    });
    for (const { regionCode, settlement } of settledLines) {
      if (issuedOn < settlement.settledOn) {
        throw new Violation(`top-up ${documentNo} is issued on ${issuedOn}, before ${regionCode}'s settlement on ${settlement.settledOn}`);
      }
    }
    for (const { regionCode, amountFen, account, settlement } of settledLines) {
      const owedFen = nonNegative(settlement.adjustmentFen - account.topUpReceivedFen);
      if (amountFen > owedFen) {
        throw new Violation(
          `top-up ${documentNo} gives ${regionCode} ${formatYuan(amountFen)} 元, but its outstanding top-up is ${formatYuan(owedFen)} 元`,
        );
      }
    }
  }

  // ----------------------------------------------------------------------------------------------
  // Movements: a 市's 下达 document, and single payments, pass-downs and returns.

  private passDownDocument(books: FundBooks, data: JsonObject): void {
    const regionCode = text(data, 'regionCode');
    const documentNo = text(data, 'documentNo');
    const passedOn = day(data, 'passedOn');
    const totalFen = fen(data, 'totalFen');
    const claimsAfterSettlement = flag(data, 'afterSettlement');
    if (books.subjects === null) throw new Violation(`${books.streamName} passes money down before any allocation`);
    this.requireRegion(regionCode);
    const payer = books.regions.get(regionCode);
    if (!payer) throw new Violation(`${regionCode} holds no account in ${books.streamName}`);
    if (this.documentNos.has(documentNo)) throw new Violation(`document ${documentNo} is recorded twice`);
    const lines = this.documentLines(documentNo, data, totalFen, (toRegionCode) =>
      this.requirePassDownTarget(regionCode, toRegionCode),
    );
    const closing = this.checkMovement(books, {
      regionCode,
      payer,
      kind: 'pass-down',
      amountFen: totalFen,
      on: passedOn,
      field: 'passedOn',
      label: `pass-down document ${documentNo}`,
      claimsAfterSettlement,
    });

    this.post(
      books,
      [
        { account: regionAccount(regionCode), deltaFen: -totalFen },
        ...lines.map((line) => ({ account: regionAccount(line.regionCode), deltaFen: line.amountFen })),
      ],
      passedOn,
    );
    this.documentNos.add(documentNo);
    if (closing !== null) payer.spentAfterSettlementFen += totalFen;
    for (const line of lines) this.receivePassDown(books, line.regionCode, line.amountFen, passedOn, closing !== null);
  }

  private disbursement(books: FundBooks, data: JsonObject): void {
    const disbursementId = text(data, 'disbursementId');
    const regionCode = text(data, 'regionCode');
    const kindText = text(data, 'kind');
    const amountFen = fen(data, 'amountFen');
    const voucherNo = text(data, 'voucherNo');
    const paidOn = day(data, 'paidOn');
    const claimsAfterSettlement = flag(data, 'afterSettlement');
    if (books.subjects === null) throw new Violation(`${books.streamName} pays out before any allocation`);
    this.requireRegion(regionCode);
    const payer = books.regions.get(regionCode);
    if (!payer) throw new Violation(`${regionCode} holds no account in ${books.streamName}`);
    if (books.disbursements.has(disbursementId)) throw new Violation(`disbursement ${disbursementId} is recorded twice`);
    if (books.disbursements.hasVoucher(regionCode, voucherNo)) throw new Violation(`voucher ${voucherNo} of ${regionCode} is recorded twice`);
    if (amountFen <= 0n) throw new Violation(`disbursement ${disbursementId} moves ${formatYuan(amountFen)} 元`);
    if (!isMovementKind(kindText)) throw new Violation(`disbursement ${disbursementId} is of unknown kind ${kindText}`);
    const kind = kindText;

    let counterpart: Account;
    let toRegionCode: string | undefined;
    let toParentRegionCode: string | undefined;
    let label: string;
    switch (kind) {
      case 'beneficiary-payment': {
        const subject = optionalText(data, 'expenditureSubject');
        if (subject !== books.subjects.expenditureSubject) {
          throw new Violation(
            `${regionCode} pays under subject ${subject ?? '(none)'}, but ${books.streamName} is earmarked for ${books.subjects.expenditureSubject}`,
          );
        }
        counterpart = { kind: 'paid-out' };
        label = `payment ${disbursementId}`;
        break;
      }
      case 'pass-down': {
        toRegionCode = text(data, 'toRegionCode');
        this.requirePassDownTarget(regionCode, toRegionCode);
        counterpart = regionAccount(toRegionCode);
        label = `pass-down ${disbursementId}`;
        break;
      }
      case 'return': {
        toParentRegionCode = text(data, 'toParentRegionCode');
        const parentCode = this.fundingParentOf(regionCode);
        if (toParentRegionCode !== parentCode) {
          throw new Violation(
            `${regionCode} returns money to ${toParentRegionCode}, but its money comes from ${parentCode ?? 'nowhere'}`,
          );
        }
        counterpart = this.returnAccount(books, toParentRegionCode);
        label = `return ${disbursementId}`;
        break;
      }
    }
    const closing = this.checkMovement(books, {
      regionCode,
      payer,
      kind,
      amountFen,
      on: paidOn,
      field: 'paidOn',
      label,
      claimsAfterSettlement,
    });

    const afterSettlement = closing !== null;
    this.post(
      books,
      [
        { account: regionAccount(regionCode), deltaFen: -amountFen },
        { account: counterpart, deltaFen: amountFen },
      ],
      paidOn,
    );
    books.disbursements.add(disbursementId, voucherNo, {
      regionCode,
      kind,
      amountFen,
      paidOn,
      ...(toRegionCode === undefined ? {} : { toRegionCode }),
      ...(toParentRegionCode === undefined ? {} : { toParentRegionCode }),
      afterSettlement,
    });
    switch (kind) {
      case 'beneficiary-payment':
        if (afterSettlement) payer.spentAfterSettlementFen += amountFen;
        break;
      case 'pass-down':
        if (afterSettlement) payer.spentAfterSettlementFen += amountFen;
        if (counterpart.kind === 'region') this.receivePassDown(books, counterpart.code, amountFen, paidOn, afterSettlement);
        break;
      case 'return':
        if (afterSettlement) payer.returnedAfterSettlementFen += amountFen;
        else payer.returnedBeforeSettlementFen += amountFen;
        break;
    }
  }

  private receivePassDown(books: FundBooks, regionCode: string, amountFen: bigint, on: string, afterSettlement: boolean): void {
    const account = this.accountOf(books, regionCode);
    account.firstReceivedOn = earlierOf(account.firstReceivedOn, on);
    if (!afterSettlement) return;
    account.receivedAfterSettlementFen += amountFen;
    account.firstTopUpOn = earlierOf(account.firstTopUpOn, on);
  }

  /**
   * The date and settlement rules every payment, pass-down and return is held to, in this order:
   * not before the money arrived; while open, payments and pass-downs within the fiscal year and
   * its grace period; in a closed subtree, not before the settlement (nor before the top-up money
   * it spends arrived) and only what the settlement still lets move; and the event must say
   * whether its subtree was closed. Returns the settlement that closed it, or null.
   */
  private checkMovement(books: FundBooks, movement: Movement): Closing | null {
    const { regionCode, payer, kind, amountFen, on, field, label } = movement;
    if (payer.firstReceivedOn !== '' && on < payer.firstReceivedOn) {
      throw new Violation(`${field} ${on} is before ${regionCode} first received money on ${payer.firstReceivedOn}`);
    }
    const closing = this.closingSettlement(books, regionCode);
    if (closing === null) {
      const lastDay = this.lastPaymentDayOf(books.fiscalYear);
      if (kind !== 'return' && on > lastDay) {
        throw new Violation(
          `${field} ${on} is past ${lastDay}, the end of ${books.fiscalYear}'s grace period of ${this.latePaymentGraceDays} days`,
        );
      }
    } else {
      const { settledOn } = closing.settlement;
      if (on < settledOn) throw new Violation(`${field} ${on} is before the settlement of ${closing.regionCode} on ${settledOn}`);
      if (kind !== 'return' && payer.firstTopUpOn !== '' && on < payer.firstTopUpOn) {
        throw new Violation(
          `${field} ${on} is before ${payer.firstTopUpOn}, the day top-up money first reached ${regionCode} after the settlement`,
        );
      }
      if (kind === 'return') this.requireClawBackReturn(regionCode, amountFen, closing);
      else {
        const leftFen = topUpLeftFen(payer);
        if (amountFen > leftFen) {
          throw new Violation(
            `settled is closed: after the settlement of ${closing.regionCode} on ${settledOn}, ${regionCode} may spend only top-up money received since (${formatYuan(leftFen)} 元 left); ${label} spends ${formatYuan(amountFen)} 元`,
          );
        }
      }
    }
    if (movement.claimsAfterSettlement !== (closing !== null)) {
      throw new Violation(
        `${label} says afterSettlement ${String(movement.claimsAfterSettlement)}, but ${regionCode}'s subtree ${closing === null ? 'is open' : `was closed by the settlement of ${closing.regionCode}`}`,
      );
    }
    return closing;
  }

  /**
   * After settlement money moves up only to repay the claw-back: the settled region returns at
   * most what it still owes; a region it funds returns only what the settled region still lacks
   * to repay it, so nothing comes up that could then neither be paid out nor returned.
   */
  private requireClawBackReturn(regionCode: string, amountFen: bigint, closing: Closing): void {
    const owedFen = clawBackOwedFen(closing.account);
    if (closing.regionCode === regionCode) {
      if (amountFen > owedFen) {
        throw new Violation(
          `settled is closed: the return of ${formatYuan(amountFen)} 元 exceeds ${regionCode}'s outstanding claw-back of ${formatYuan(owedFen)} 元`,
        );
      }
      return;
    }
    if (owedFen === 0n) {
      throw new Violation(
        `settled is closed: ${regionCode} returns ${formatYuan(amountFen)} 元 to ${closing.regionCode}, which owes no claw-back`,
      );
    }
    const neededFen = nonNegative(owedFen - closing.account.heldFen);
    if (amountFen > neededFen) {
      throw new Violation(
        `settled is closed: ${regionCode} returns ${formatYuan(amountFen)} 元, but ${closing.regionCode} needs only ${formatYuan(neededFen)} 元 more to repay its claw-back of ${formatYuan(owedFen)} 元`,
      );
    }
  }

  private reversal(books: FundBooks, data: JsonObject): void {
    const disbursementId = text(data, 'disbursementId');
    const reversedOn = day(data, 'reversedOn');
    const original = books.disbursements.get(disbursementId);
    if (!original) throw new Violation(`reverses disbursement ${disbursementId}, which ${books.streamName} never recorded`);
    if (original.reversed) throw new Violation(`disbursement ${disbursementId} is reversed twice`);
    // The reversal carries a copy of what it undoes; a copy that differs would let it undo
    // something other than what was recorded.
    const claimedVoucherNo = text(data, 'voucherNo');
    // The index keeps vouchers as keys only: the recorded one is looked up when the claim differs.
    const recordedVoucherNo = books.disbursements.voucherMatches(disbursementId, claimedVoucherNo)
      ? claimedVoucherNo
      : books.disbursements.voucherOf(disbursementId);
    const claims: [string, string | undefined, string | undefined][] = [
      ['regionCode', text(data, 'regionCode'), original.regionCode],
      ['kind', text(data, 'kind'), original.kind],
      ['amountFen', fen(data, 'amountFen').toString(), original.amountFen.toString()],
      ['voucherNo', claimedVoucherNo, recordedVoucherNo],
      ['toRegionCode', optionalText(data, 'toRegionCode'), original.toRegionCode],
      ['toParentRegionCode', optionalText(data, 'toParentRegionCode'), original.toParentRegionCode],
      ['afterSettlement', String(flag(data, 'afterSettlement')), String(original.afterSettlement)],
    ];
    for (const [field, claimed, recorded] of claims) {
      if (claimed !== recorded) {
        throw new Violation(
          `the reversal of ${disbursementId} says ${field} ${claimed ?? '(none)'}, the disbursement says ${recorded ?? '(none)'}`,
        );
      }
    }
    if (reversedOn < original.paidOn) {
      throw new Violation(`reversedOn ${reversedOn} is before ${disbursementId}'s own date ${original.paidOn}`);
    }
    const closing = this.closingSettlement(books, original.regionCode);
    if (closing !== null && !original.afterSettlement) {
      throw new Violation(
        `settled is closed: ${disbursementId} was recorded before the settlement of ${closing.regionCode}, which already counts it, so it cannot be reversed after`,
      );
    }

    const counterpart = this.counterpartOf(books, original);
    this.post(
      books,
      [
        { account: counterpart, deltaFen: -original.amountFen },
        { account: regionAccount(original.regionCode), deltaFen: original.amountFen },
      ],
      reversedOn,
    );
    books.disbursements.markReversed(disbursementId);
    const payer = this.accountOf(books, original.regionCode);
    const after = original.afterSettlement;
    switch (original.kind) {
      case 'beneficiary-payment':
        if (after) payer.spentAfterSettlementFen -= original.amountFen;
        break;
      case 'pass-down':
        if (after) {
          payer.spentAfterSettlementFen -= original.amountFen;
          if (counterpart.kind === 'region') this.accountOf(books, counterpart.code).receivedAfterSettlementFen -= original.amountFen;
        }
        break;
      case 'return':
        if (after) payer.returnedAfterSettlementFen -= original.amountFen;
        else payer.returnedBeforeSettlementFen -= original.amountFen;
        break;
    }
  }

  // ----------------------------------------------------------------------------------------------
  // Settlements: the arithmetic is recomputed from the replay's own figures, never trusted.

  private settlement(books: FundBooks, data: JsonObject): void {
    const regionCode = text(data, 'regionCode');
    const documentNo = text(data, 'documentNo');
    const settledOn = day(data, 'settledOn');
    const statedEntitledFen = fen(data, 'entitledFen');
    const statedAllocatedFen = fen(data, 'allocatedFen');
    const statedAdjustmentFen = fen(data, 'adjustmentFen');
    // Before settlements netted returns, a settlement stated only allocated: the pre-allocation,
    // with nothing returned. Those figures are still checked against the replay's own.
    const statedPreAllocatedFen = data.preAllocatedFen === undefined ? statedAllocatedFen : fen(data, 'preAllocatedFen');
    const statedReturnedBeforeFen = data.returnedBeforeFen === undefined ? 0n : fen(data, 'returnedBeforeFen');
    this.requireRegion(regionCode);
    const root = books.rootRegionCode;
    if (root !== null && !this.isDirectRecipientOfRoot(root, regionCode)) {
      throw new Violation(`${regionCode} is not a direct recipient of ${root}: only the root's recipients are settled`);
    }
    const account = books.regions.get(regionCode);
    if (root === null || !account || account.preAllocatedFen === 0n) {
      throw new Violation(`${regionCode} received no pre-allocation in ${books.streamName}: there is nothing to settle`);
    }
    if (account.settlement !== null) {
      throw new Violation(`${regionCode} is settled twice (first by ${account.settlement.documentNo})`);
    }
    const entitledFen = entitlementOf(documentNo, data.actuals);

    if (settledOn < account.firstPreAllocatedOn) {
      throw new Violation(`settledOn ${settledOn} is before ${regionCode}'s first pre-allocation on ${account.firstPreAllocatedOn}`);
    }
    const latestOn = this.latestDateInSubtree(books, regionCode);
    if (settledOn < latestOn) {
      throw new Violation(`settledOn ${settledOn} is before ${latestOn}, the latest date already recorded in ${regionCode}'s subtree`);
    }

    const what = `settlement ${documentNo} of ${regionCode}`;
    if (statedEntitledFen !== entitledFen) {
      throw new Violation(`${what} states entitled ${formatYuan(statedEntitledFen)} 元, its actuals come to ${formatYuan(entitledFen)} 元`);
    }
    if (statedPreAllocatedFen !== account.preAllocatedFen) {
      throw new Violation(
        `${what} states pre-allocations of ${formatYuan(statedPreAllocatedFen)} 元, but ${regionCode} was pre-allocated ${formatYuan(account.preAllocatedFen)} 元`,
      );
    }
    if (statedReturnedBeforeFen !== account.returnedBeforeSettlementFen) {
      throw new Violation(
        `${what} states ${formatYuan(statedReturnedBeforeFen)} 元 returned before it, but ${regionCode} returned ${formatYuan(account.returnedBeforeSettlementFen)} 元 to ${root} before settlement`,
      );
    }
    const allocatedFen = account.preAllocatedFen - account.returnedBeforeSettlementFen;
    if (statedAllocatedFen !== allocatedFen) {
      throw new Violation(
        `${what} states allocated ${formatYuan(statedAllocatedFen)} 元, but pre-allocated ${formatYuan(account.preAllocatedFen)} 元 less returned ${formatYuan(account.returnedBeforeSettlementFen)} 元 is ${formatYuan(allocatedFen)} 元`,
      );
    }
    const adjustmentFen = entitledFen - allocatedFen;
    if (statedAdjustmentFen !== adjustmentFen) {
      throw new Violation(
        `${what} states an adjustment of ${formatYuan(statedAdjustmentFen)} 元, but entitled ${formatYuan(entitledFen)} 元 less allocated ${formatYuan(allocatedFen)} 元 is ${formatYuan(adjustmentFen)} 元`,
      );
    }
    account.settlement = { documentNo, settledOn, adjustmentFen };
  }

  private lastPaymentDayOf(fiscalYear: number): string {
    let lastDay = this.lastPaymentDays.get(fiscalYear);
    if (lastDay === undefined) {
      lastDay = addDays(`${fiscalYear}-12-31`, this.latePaymentGraceDays);
      this.lastPaymentDays.set(fiscalYear, lastDay);
    }
    return lastDay;
  }

  /** The settled region and the regions it funds: its registry children the root does not pay directly. */
  private latestDateInSubtree(books: FundBooks, regionCode: string): string {
    let latest = books.regions.get(regionCode)?.lastEffectiveOn ?? '';
    for (const child of this.registry.childrenOf(regionCode)) {
      if (child.directFromProvince) continue;
      latest = laterOf(latest, books.regions.get(child.code)?.lastEffectiveOn ?? '');
    }
    return latest;
  }

  // ----------------------------------------------------------------------------------------------

  /** Checks then applies: nothing moves unless the whole event keeps the books sound. */
  private post(books: FundBooks, postings: readonly Posting[], effectiveOn: string): void {
    let eventSumFen = 0n;
    const after = new Map<string, bigint>();
    for (const { account, deltaFen } of postings) {
      eventSumFen += deltaFen;
      if (account.kind !== 'region') continue;
      const before = after.get(account.code) ?? books.regions.get(account.code)?.heldFen ?? 0n;
      after.set(account.code, before + deltaFen);
    }
    for (const [regionCode, heldFen] of after) {
      if (heldFen < 0n) throw new Violation(`${regionCode} would hold ${formatYuan(heldFen)} 元`);
    }
    for (const { account, deltaFen } of postings) {
      if (account.kind === 'region' && deltaFen < 0n) this.requireDatedBalance(books, account.code, effectiveOn, postings);
    }
    for (const { account, deltaFen } of postings) {
      switch (account.kind) {
        case 'region': {
          const region = this.accountOf(books, account.code);
          region.heldFen += deltaFen;
          const onTheDay = region.dated.get(effectiveOn);
          if (onTheDay === undefined) region.sortedDays = null;
          region.dated.set(effectiveOn, (onTheDay ?? 0n) + deltaFen);
          region.lastEffectiveOn = laterOf(region.lastEffectiveOn, effectiveOn);
          break;
        }
        case 'source':
          books.sources.set(account.code, (books.sources.get(account.code) ?? 0n) + deltaFen);
          break;
        case 'paid-out':
          books.paidOutFen += deltaFen;
          break;
      }
    }
    this.ledgerSumFen += eventSumFen;
    if (this.ledgerSumFen !== 0n) {
      throw new Violation(`the accounts sum to ${formatYuan(this.ledgerSumFen)} 元 instead of zero`);
    }
  }

  /**
   * Nothing is paid before the money arrived: with this event's postings added, the region's
   * books as of `effectiveOn` and of every later day it moved hold no less than zero.
   */
  private requireDatedBalance(books: FundBooks, regionCode: string, effectiveOn: string, postings: readonly Posting[]): void {
    let eventFen = 0n;
    for (const { account, deltaFen } of postings) {
      if (account.kind === 'region' && account.code === regionCode) eventFen += deltaFen;
    }
    const account = books.regions.get(regionCode);
    // The days in order, with this event's day among them: the books as of each day from it on.
    let asOfFen = 0n;
    let counted = false;
    if (account !== undefined) {
      for (const day of sortedDaysOf(account)) {
        if (!counted && day > effectiveOn) {
          asOfFen += eventFen;
          counted = true;
          if (asOfFen < 0n) throw notYetArrived(regionCode, asOfFen, effectiveOn, effectiveOn);
        }
        asOfFen += account.dated.get(day) ?? 0n;
        if (day === effectiveOn) {
          asOfFen += eventFen;
          counted = true;
        }
        if (day >= effectiveOn && asOfFen < 0n) throw notYetArrived(regionCode, asOfFen, day, effectiveOn);
      }
    }
    if (!counted) {
      asOfFen += eventFen;
      if (asOfFen < 0n) throw notYetArrived(regionCode, asOfFen, effectiveOn, effectiveOn);
    }
  }

  /**
   * A document's lines: at least one, each an object naming a known region once, with an amount
   * above zero that `checkTarget` accepts, and together equal to the stated total.
   */
  private documentLines(documentNo: string, data: JsonObject, totalFen: bigint, checkTarget: (regionCode: string) => void): Line[] {
    const lines = data.lines;
    if (!Array.isArray(lines) || lines.length === 0) throw new Violation(`document ${documentNo} has no lines`);
    const seen = new Set<string>();
    let linesFen = 0n;
    const parsed = lines.map((line) => {
      if (!isObject(line)) throw new Violation(`document ${documentNo} has a line that is not an object`);
      const regionCode = text(line, 'regionCode');
      const amountFen = fen(line, 'amountFen');
      this.requireRegion(regionCode);
      if (seen.has(regionCode)) throw new Violation(`document ${documentNo} names ${regionCode} twice`);
      seen.add(regionCode);
      if (amountFen <= 0n) throw new Violation(`document ${documentNo} gives ${regionCode} ${formatYuan(amountFen)} 元`);
      checkTarget(regionCode);
      linesFen += amountFen;
      return { regionCode, amountFen };
    });
    if (linesFen !== totalFen) {
      throw new Violation(
        `document ${documentNo}'s lines sum to ${formatYuan(linesFen)} 元, its total says ${formatYuan(totalFen)} 元`,
      );
    }
    return parsed;
  }

  /** A region passes money only to its own child that the root does not pay directly. */
  private requirePassDownTarget(regionCode: string, toRegionCode: string): void {
    const child = this.registry.get(toRegionCode);
    if (!child || child.parentCode !== regionCode) {
      throw new Violation(`${regionCode} passes money to ${toRegionCode}, which is not its child`);
    }
    if (child.directFromProvince) {
      throw new Violation(`${regionCode} passes money to ${toRegionCode}, which the province pays directly`);
    }
  }

  /**
   * The settlement that closed a region's money: its own, or that of a region above it on the
   * funding path (a 区/县's 市). The root itself is never settled.
   */
  private closingSettlement(books: FundBooks, regionCode: string): Closing | null {
    let code: string | null = regionCode;
    for (let depth = 0; code !== null && code !== books.rootRegionCode && depth < maxRegistryDepth; depth += 1) {
      const account = books.regions.get(code);
      if (account?.settlement) return { regionCode: code, account, settlement: account.settlement };
      code = this.fundingParentOf(code);
    }
    return null;
  }

  /**
   * A return lands with the region that funds the payer, unless that is the root: the root holds
   * no account in the fund, so the money leaves the program and goes back to its source.
   */
  /** Where a disbursement's money went, as it was booked: undoing it takes it back from there. */
  private counterpartOf(books: FundBooks, original: DisbursementFacts): Account {
    switch (original.kind) {
      case 'beneficiary-payment':
        return { kind: 'paid-out' };
      case 'pass-down':
        return regionAccount(original.toRegionCode ?? '');
      case 'return':
        // The root is fixed by the fund's first allocation, so this is the account booked then.
        return this.returnAccount(books, original.toParentRegionCode ?? '');
    }
  }

  private returnAccount(books: FundBooks, parentCode: string): Account {
    if (parentCode === books.rootRegionCode) return { kind: 'source', code: parentCode };
    return regionAccount(parentCode);
  }

  /** A child of the root, or a county below it that the registry marks as paid by the province. */
  private isDirectRecipientOfRoot(rootCode: string, regionCode: string): boolean {
    const region = this.registry.get(regionCode);
    if (!region) return false;
    if (region.parentCode === rootCode) return true;
    return region.directFromProvince && this.registryRootOf(regionCode) === rootCode;
  }

  /** The province for a region it pays directly, otherwise the parent. */
  private fundingParentOf(regionCode: string): string | null {
    const region = this.registry.get(regionCode);
    if (!region || region.parentCode === null) return null;
    if (!region.directFromProvince) return region.parentCode;
    return this.registryRootOf(regionCode);
  }

  /** The region with no parent above `regionCode` (the province), or null for broken data. */
  private registryRootOf(regionCode: string): string | null {
    let region = this.registry.get(regionCode);
    for (let depth = 0; region && depth < maxRegistryDepth; depth += 1) {
      if (region.parentCode === null) return region.code;
      region = this.registry.get(region.parentCode);
    }
    return null;
  }

  private requireRegion(code: string): void {
    if (!this.registry.has(code)) throw new Violation(`region ${code} is not in the registry`);
  }

  /** A region's account, opened by the first money that reaches it. */
  private accountOf(books: FundBooks, regionCode: string): RegionAccount {
    let account = books.regions.get(regionCode);
    if (!account) {
      account = {
        heldFen: 0n,
        dated: new Map(),
        sortedDays: null,
        preAllocatedFen: 0n,
        firstPreAllocatedOn: '',
        firstReceivedOn: '',
        lastEffectiveOn: '',
        returnedBeforeSettlementFen: 0n,
        returnedAfterSettlementFen: 0n,
        topUpReceivedFen: 0n,
        receivedAfterSettlementFen: 0n,
        spentAfterSettlementFen: 0n,
        firstTopUpOn: '',
        settlement: null,
      };
      books.regions.set(regionCode, account);
    }
    return account;
  }

  private booksOf(streamName: string, programCode: string, fiscalYear: number): FundBooks {
    let books = this.funds.get(streamName);
    if (!books) {
      books = {
        streamName,
        programCode,
        fiscalYear,
        rootRegionCode: null,
        subjects: null,
        regions: new Map(),
        sources: new Map(),
        paidOutFen: 0n,
        disbursements: new DisbursementIndex(),
      };
      this.funds.set(streamName, books);
    }
    return books;
  }
}

interface Line {
  readonly regionCode: string;
  readonly amountFen: bigint;
}

const regionAccount = (code: string): Account => ({ kind: 'region', code });

const isMovementKind = (kind: string): kind is MovementKind =>
  kind === 'beneficiary-payment' || kind === 'pass-down' || kind === 'return';

function notYetArrived(regionCode: string, heldFen: bigint, day: string, effectiveOn: string): Violation {
  return new Violation(`${regionCode} would hold ${formatYuan(heldFen)} 元 in the books as of ${day}: money spent on ${effectiveOn} had not arrived`);
}

function sortedDaysOf(account: RegionAccount): string[] {
  account.sortedDays ??= [...account.dated.keys()].sort();
  return account.sortedDays;
}

/** Top-up money that reached a region after its subtree was closed and is not yet spent. */
function topUpLeftFen(account: RegionAccount): bigint {
  return account.topUpReceivedFen + account.receivedAfterSettlementFen - account.spentAfterSettlementFen;
}

/** What a settled region still has to return: 0 unless its settlement claws money back. */
function clawBackOwedFen(settled: RegionAccount): bigint {
  const adjustmentFen = settled.settlement?.adjustmentFen ?? 0n;
  return adjustmentFen < 0n ? nonNegative(-adjustmentFen - settled.returnedAfterSettlementFen) : 0n;
}

/** Σ persons × per-person standard over well-formed actuals, each category once. */
function entitlementOf(documentNo: string, actuals: JsonValue | undefined): bigint {
  if (!Array.isArray(actuals) || actuals.length === 0) throw new Violation(`settlement ${documentNo} states no actuals`);
  const categories = new Set<string>();
  let entitledFen = 0n;
  for (const actual of actuals) {
    if (!isObject(actual)) throw new Violation(`settlement ${documentNo} has an actual that is not an object`);
    const category = text(actual, 'category');
    if (categories.has(category)) throw new Violation(`settlement ${documentNo} names category ${category} twice`);
    categories.add(category);
    const persons = actual.persons;
    if (typeof persons !== 'number' || !Number.isSafeInteger(persons) || persons < 0) {
      throw new Violation(`settlement ${documentNo} counts ${String(persons)} persons in category ${category}`);
    }
    const perPersonFen = fen(actual, 'perPersonFen');
    if (perPersonFen <= 0n) {
      throw new Violation(`settlement ${documentNo} settles category ${category} at ${formatYuan(perPersonFen)} 元 a person`);
    }
    entitledFen += BigInt(persons) * perPersonFen;
  }
  return entitledFen;
}

const nonNegative = (fenAmount: bigint): bigint => (fenAmount > 0n ? fenAmount : 0n);

/** Dates as `YYYY-MM-DD` sort as text; '' stands for "none yet". */
const earlierOf = (a: string, b: string): string => (a === '' || b < a ? b : a);
const laterOf = (a: string, b: string): string => (b > a ? b : a);

const dayMs = 86_400_000;

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * dayMs).toISOString().slice(0, 10);
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(data: JsonObject, field: string): string {
  const value = data[field];
  if (typeof value !== 'string' || value === '') throw new Violation(`${field} is missing or not a string`);
  return value;
}

function optionalText(data: JsonObject, field: string): string | undefined {
  return data[field] === undefined || data[field] === null ? undefined : text(data, field);
}

/** Logs written before a flag existed read it as false: everything then was before settlement. */
function flag(data: JsonObject, field: string): boolean {
  const value = data[field];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new Violation(`${field} is not true or false`);
  return value;
}

/**
 * Days already found real. A log's dates repeat (a million payments fall on a few hundred days),
 * and the check below costs two date parses; the set stops growing at a bound, so that a log of
 * many distinct days only checks them afresh.
 */
const realDays = new Set<string>();
const maxRememberedDays = 4096;

/** A real calendar day written `YYYY-MM-DD`: the only form the rules compare as text. */
function day(data: JsonObject, field: string): string {
  const value = data[field];
  if (typeof value === 'string' && realDays.has(value)) return value;
  const isDay =
    typeof value === 'string' &&
    /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value) &&
    !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) &&
    new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
  if (!isDay) throw new Violation(`${field} is not a date`);
  if (realDays.size < maxRememberedDays) realDays.add(value);
  return value;
}

/** Money in events is a base-10 integer string of 分; anything else is not money. */
function fen(data: JsonObject, field: string): bigint {
  const value = data[field];
  if (typeof value !== 'string' || !/^-?(0|[1-9][0-9]*)$/.test(value)) {
    throw new Violation(`${field} is not an integer number of 分`);
  }
  return BigInt(value);
}
