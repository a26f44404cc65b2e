import { formatYuan, parseFundStreamName, type RegionRegistry } from '@earmark/domain';
import type { JsonObject, JsonValue, RecordedEvent } from '@earmark/event-store';

/**
 * A second, independent replay of the money, from the events alone. It shares no code with the
 * domain's decider or state on purpose: an auditor trusts two implementations that agree more
 * than one implementation that agrees with itself. It reads the registry (data, not logic) and the
 * domain's money and stream-name helpers (formats, not rules).
 *
 * Double entry, per fund (stream `fund-<programCode>-<fiscalYear>`): every movement is a set of
 * postings that sum to zero, over three kinds of account:
 * - a region's holding: what it may still pass down, pay or return, never below zero;
 * - an issuer's source: negative by what it allocated, less what was returned to it;
 * - the beneficiaries' side: what left the fiscal chain as payments on behalf of people.
 */
export interface FundBalances {
  readonly streamName: string;
  readonly programCode: string;
  readonly fiscalYear: number;
  readonly incomeSubject: string;
  readonly expenditureSubject: string;
  /** Per region, what it holds now, in 分. */
  readonly heldFen: ReadonlyMap<string, bigint>;
  /** Per issuing region, its source account, in 分: ≤ 0 unless more came back than went out. */
  readonly sourceFen: ReadonlyMap<string, bigint>;
  /** Paid on behalf of beneficiaries, in 分. */
  readonly paidOutFen: bigint;
}

/** Money moves only through these event types, and only in fund streams. */
export const moneyEventTypes: ReadonlySet<string> = new Set([
  'AllocationRecorded',
  'DisbursementRecorded',
  'DisbursementReversed',
]);

type Account =
  | { readonly kind: 'region'; readonly code: string }
  | { readonly kind: 'source'; readonly code: string }
  | { readonly kind: 'paid-out' };

interface Posting {
  readonly account: Account;
  readonly deltaFen: bigint;
}

interface DisbursementRecord {
  readonly regionCode: string;
  readonly kind: string;
  readonly amountFen: bigint;
  readonly voucherNo: string;
  readonly toRegionCode?: string;
  readonly toParentRegionCode?: string;
  /** Where the money went: undoing it takes it back from there. */
  readonly counterpart: Account;
  reversed: boolean;
}

interface FundBooks {
  readonly streamName: string;
  readonly programCode: string;
  readonly fiscalYear: number;
  subjects: { readonly incomeSubject: string; readonly expenditureSubject: string } | null;
  readonly held: Map<string, bigint>;
  readonly sources: Map<string, bigint>;
  paidOutFen: bigint;
  readonly disbursements: Map<string, DisbursementRecord>;
  /** `${regionCode}\u0000${voucherNo}`: a voucher number is recorded once per region-year. */
  readonly vouchers: Set<string>;
}

/** A rule the events break; the message is the reason after "position N: ". */
class Violation extends Error {}

export class BalanceReplay {
  private readonly funds = new Map<string, FundBooks>();
  private readonly documentNos = new Set<string>();
  /** The running sum of every posting ever applied, all funds together: zero after each event. */
  private ledgerSumFen = 0n;

  constructor(private readonly registry: RegionRegistry) {}

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
        heldFen: new Map(books.held),
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
      for (const fen of books.held.values()) total += fen;
      for (const fen of books.sources.values()) total += fen;
      total += books.paidOutFen;
    }
    return total;
  }

  private applyOrThrow(event: RecordedEvent): void {
    const fund = parseFundStreamName(event.streamName);
    if (fund === null) {
      if (moneyEventTypes.has(event.type)) {
        throw new Violation(`${event.type} outside a fund stream (in ${event.streamName}) moves money nobody books`);
      }
      return;
    }
    if (!moneyEventTypes.has(event.type)) return;
    const data = event.data;
    const programCode = text(data, 'programCode');
    const fiscalYear = data.fiscalYear;
    if (programCode !== fund.programCode || fiscalYear !== fund.fiscalYear) {
      throw new Violation(`${event.type} for ${programCode} ${String(fiscalYear)} is recorded in ${event.streamName}`);
    }
    const books = this.booksOf(event.streamName, fund.programCode, fund.fiscalYear);
    let postings: Posting[];
    switch (event.type) {
      case 'AllocationRecorded':
        postings = this.allocation(books, data);
        break;
      case 'DisbursementRecorded':
        postings = this.disbursement(books, data);
        break;
      case 'DisbursementReversed':
        postings = this.reversal(books, data);
        break;
      default:
        throw new Error(`money event type ${event.type} has no replay`);
    }
    this.post(books, postings);
  }

  // ----------------------------------------------------------------------------------------------

  private allocation(books: FundBooks, data: JsonObject): Posting[] {
    const documentNo = text(data, 'documentNo');
    const issuer = text(data, 'issuerRegionCode');
    const incomeSubject = text(data, 'incomeSubject');
    const expenditureSubject = text(data, 'expenditureSubject');
    const totalFen = fen(data, 'totalFen');
    if (this.documentNos.has(documentNo)) throw new Violation(`document ${documentNo} is recorded twice`);
    this.requireRegion(issuer);
    if (books.subjects === null) {
      books.subjects = { incomeSubject, expenditureSubject };
    } else if (
      books.subjects.incomeSubject !== incomeSubject ||
      books.subjects.expenditureSubject !== expenditureSubject
    ) {
      throw new Violation(
        `document ${documentNo} uses subjects ${incomeSubject}/${expenditureSubject}, but ${books.streamName} is earmarked for ${books.subjects.incomeSubject}/${books.subjects.expenditureSubject}`,
      );
    }

    const lines = data.lines;
    if (!Array.isArray(lines) || lines.length === 0) throw new Violation(`document ${documentNo} has no lines`);
    const postings: Posting[] = [{ account: { kind: 'source', code: issuer }, deltaFen: -totalFen }];
    const seen = new Set<string>();
    let linesFen = 0n;
    for (const line of lines) {
      if (!isObject(line)) throw new Violation(`document ${documentNo} has a line that is not an object`);
      const regionCode = text(line, 'regionCode');
      const amountFen = fen(line, 'amountFen');
      this.requireRegion(regionCode);
      if (seen.has(regionCode)) throw new Violation(`document ${documentNo} names ${regionCode} twice`);
      seen.add(regionCode);
      if (amountFen <= 0n) throw new Violation(`document ${documentNo} gives ${regionCode} ${formatYuan(amountFen)} 元`);
      if (!this.registry.isDirectRecipient(issuer, regionCode)) {
        throw new Violation(`${regionCode} does not receive money from ${issuer} directly`);
      }
      linesFen += amountFen;
      postings.push({ account: { kind: 'region', code: regionCode }, deltaFen: amountFen });
    }
    if (linesFen !== totalFen) {
      throw new Violation(
        `document ${documentNo}'s lines sum to ${formatYuan(linesFen)} 元, its total says ${formatYuan(totalFen)} 元`,
      );
    }
    this.documentNos.add(documentNo);
    return postings;
  }

  private disbursement(books: FundBooks, data: JsonObject): Posting[] {
    const disbursementId = text(data, 'disbursementId');
    const regionCode = text(data, 'regionCode');
    const kind = text(data, 'kind');
    const amountFen = fen(data, 'amountFen');
    const voucherNo = text(data, 'voucherNo');
    if (books.subjects === null) throw new Violation(`${books.streamName} pays out before any allocation`);
    this.requireRegion(regionCode);
    if (!books.held.has(regionCode)) throw new Violation(`${regionCode} holds no account in ${books.streamName}`);
    if (books.disbursements.has(disbursementId)) throw new Violation(`disbursement ${disbursementId} is recorded twice`);
    const voucherKey = `${regionCode}\u0000${voucherNo}`;
    if (books.vouchers.has(voucherKey)) throw new Violation(`voucher ${voucherNo} of ${regionCode} is recorded twice`);
    if (amountFen <= 0n) throw new Violation(`disbursement ${disbursementId} moves ${formatYuan(amountFen)} 元`);

    let counterpart: Account;
    let toRegionCode: string | undefined;
    let toParentRegionCode: string | undefined;
    switch (kind) {
      case 'beneficiary-payment': {
        const subject = optionalText(data, 'expenditureSubject');
        if (subject !== books.subjects.expenditureSubject) {
          throw new Violation(
            `${regionCode} pays under subject ${subject ?? '(none)'}, but ${books.streamName} is earmarked for ${books.subjects.expenditureSubject}`,
          );
        }
        counterpart = { kind: 'paid-out' };
        break;
      }
      case 'pass-down': {
        toRegionCode = text(data, 'toRegionCode');
        const child = this.registry.get(toRegionCode);
        if (!child || child.parentCode !== regionCode) {
          throw new Violation(`${regionCode} passes money to ${toRegionCode}, which is not its child`);
        }
        if (child.directFromProvince) {
          throw new Violation(`${regionCode} passes money to ${toRegionCode}, which the province pays directly`);
        }
        counterpart = { kind: 'region', code: toRegionCode };
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
        break;
      }
      default:
        throw new Violation(`disbursement ${disbursementId} is of unknown kind ${kind}`);
    }

    books.disbursements.set(disbursementId, {
      regionCode,
      kind,
      amountFen,
      voucherNo,
      ...(toRegionCode === undefined ? {} : { toRegionCode }),
      ...(toParentRegionCode === undefined ? {} : { toParentRegionCode }),
      counterpart,
      reversed: false,
    });
    books.vouchers.add(voucherKey);
    return [
      { account: { kind: 'region', code: regionCode }, deltaFen: -amountFen },
      { account: counterpart, deltaFen: amountFen },
    ];
  }

  private reversal(books: FundBooks, data: JsonObject): Posting[] {
    const disbursementId = text(data, 'disbursementId');
    const original = books.disbursements.get(disbursementId);
    if (!original) throw new Violation(`reverses disbursement ${disbursementId}, which ${books.streamName} never recorded`);
    if (original.reversed) throw new Violation(`disbursement ${disbursementId} is reversed twice`);
    // The reversal carries a copy of what it undoes; a copy that differs would let it undo
    // something other than what was recorded.
    const claims: [string, string | undefined, string | undefined][] = [
      ['regionCode', text(data, 'regionCode'), original.regionCode],
      ['kind', text(data, 'kind'), original.kind],
      ['amountFen', fen(data, 'amountFen').toString(), original.amountFen.toString()],
      ['voucherNo', text(data, 'voucherNo'), original.voucherNo],
      ['toRegionCode', optionalText(data, 'toRegionCode'), original.toRegionCode],
      ['toParentRegionCode', optionalText(data, 'toParentRegionCode'), original.toParentRegionCode],
    ];
    for (const [field, claimed, recorded] of claims) {
      if (claimed !== recorded) {
        throw new Violation(
          `the reversal of ${disbursementId} says ${field} ${claimed ?? '(none)'}, the disbursement says ${recorded ?? '(none)'}`,
        );
      }
    }
    original.reversed = true;
    return [
      { account: original.counterpart, deltaFen: -original.amountFen },
      { account: { kind: 'region', code: original.regionCode }, deltaFen: original.amountFen },
    ];
  }

  // ----------------------------------------------------------------------------------------------

  /** Checks then applies: nothing moves unless the whole event keeps the books sound. */
  private post(books: FundBooks, postings: readonly Posting[]): void {
    let eventSumFen = 0n;
    const after = new Map<string, bigint>();
    for (const { account, deltaFen } of postings) {
      eventSumFen += deltaFen;
      if (account.kind !== 'region') continue;
      const before = after.get(account.code) ?? books.held.get(account.code) ?? 0n;
      after.set(account.code, before + deltaFen);
    }
    for (const [regionCode, heldFen] of after) {
      if (heldFen < 0n) throw new Violation(`${regionCode} would hold ${formatYuan(heldFen)} 元`);
    }
    for (const { account, deltaFen } of postings) {
      switch (account.kind) {
        case 'region':
          books.held.set(account.code, (books.held.get(account.code) ?? 0n) + deltaFen);
          break;
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
   * A return lands in the parent's holding when the parent holds an account in this fund (a city
   * taking back from its county); otherwise it goes back to the source it came from (the
   * province, which holds no account: it is where allocations start).
   */
  private returnAccount(books: FundBooks, parentCode: string): Account {
    const parent = this.registry.get(parentCode);
    const isProvince = parent?.parentCode === null;
    if (!isProvince && books.held.has(parentCode)) return { kind: 'region', code: parentCode };
    return { kind: 'source', code: parentCode };
  }

  /** The province for a region it pays directly, otherwise the parent. */
  private fundingParentOf(regionCode: string): string | null {
    const region = this.registry.get(regionCode);
    if (!region || region.parentCode === null) return null;
    if (!region.directFromProvince) return region.parentCode;
    let top = region;
    while (top.parentCode !== null) {
      const up = this.registry.get(top.parentCode);
      if (!up) return null;
      top = up;
    }
    return top.code;
  }

  private requireRegion(code: string): void {
    if (!this.registry.has(code)) throw new Violation(`region ${code} is not in the registry`);
  }

  private booksOf(streamName: string, programCode: string, fiscalYear: number): FundBooks {
    let books = this.funds.get(streamName);
    if (!books) {
      books = {
        streamName,
        programCode,
        fiscalYear,
        subjects: null,
        held: new Map(),
        sources: new Map(),
        paidOutFen: 0n,
        disbursements: new Map(),
        vouchers: new Set(),
      };
      this.funds.set(streamName, books);
    }
    return books;
  }
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

/** Money in events is a base-10 integer string of 分; anything else is not money. */
function fen(data: JsonObject, field: string): bigint {
  const value = data[field];
  if (typeof value !== 'string' || !/^-?(0|[1-9][0-9]*)$/.test(value)) {
    throw new Violation(`${field} is not an integer number of 分`);
  }
  return BigInt(value);
}
