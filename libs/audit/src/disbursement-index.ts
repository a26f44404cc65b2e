/**
 * What the balance replay must remember of every disbursement for the rest of the log: that its id
 * and its voucher (per region) were used, and what a later reversal is checked against and undoes.
 * A log of a million payments holds a million of these, so they are packed: one integer per id and
 * per voucher in maps, the fields in typed columns (region codes as small numbers, dates as
 * yyyymmdd, amounts as doubles while they are exact), instead of an object with strings and bigints
 * each. About a third of the memory of the plain records, and no garbage per event beyond the keys.
 */

export type MovementKind = 'beneficiary-payment' | 'pass-down' | 'return';

export interface DisbursementFacts {
  readonly regionCode: string;
  readonly kind: MovementKind;
  readonly amountFen: bigint;
  readonly paidOn: string;
  readonly toRegionCode?: string;
  readonly toParentRegionCode?: string;
  /** As recorded, and checked against the subtree's state when it was recorded. */
  readonly afterSettlement: boolean;
  readonly reversed: boolean;
}

const kinds: readonly MovementKind[] = ['beneficiary-payment', 'pass-down', 'return'];
const kindMask = 0b11;
const afterSettlementBit = 0b100;
const reversedBit = 0b1000;
/** The `to` column says which of the two codes it holds. */
const toIsParentBit = 0b10000;
const initialCapacity = 1024;
/** Region codes are numbered per index: a registry holds a few thousand at most. */
const maxRegions = 0xfffe;

export class DisbursementIndex {
  private readonly byId = new Map<string, number>();
  /** Per region number, its vouchers: a voucher is unique per region. Keyed by the voucher text as read. */
  private readonly byVoucher: Map<string, number>[] = [];
  private readonly regionNumbers = new Map<string, number>();
  private readonly regionCodes: string[] = [];
  private count = 0;
  private region = new Uint16Array(initialCapacity);
  /** 0 for none, else the region's number + 1. */
  private to = new Uint16Array(initialCapacity);
  private flags = new Uint8Array(initialCapacity);
  private paidOn = new Uint32Array(initialCapacity);
  /** Exact below 2^53 分; a larger amount is kept aside as a bigint. */
  private amount = new Float64Array(initialCapacity);
  private readonly largeAmounts = new Map<number, bigint>();

  has(disbursementId: string): boolean {
    return this.byId.has(idKey(disbursementId));
  }

  hasVoucher(regionCode: string, voucherNo: string): boolean {
    const number = this.regionNumbers.get(regionCode);
    return number !== undefined && this.byVoucher[number].has(voucherNo);
  }

  add(disbursementId: string, voucherNo: string, facts: Omit<DisbursementFacts, 'reversed'>): void {
    const key = idKey(disbursementId);
    if (this.byId.has(key)) throw new Error(`disbursement ${disbursementId} indexed twice`);
    if (this.count === this.region.length) this.grow();
    const index = this.count;
    this.count += 1;
    const regionNumber = this.numberOf(facts.regionCode);
    const toCode = facts.toRegionCode ?? facts.toParentRegionCode;
    this.region[index] = regionNumber;
    this.to[index] = toCode === undefined ? 0 : this.numberOf(toCode) + 1;
    this.flags[index] =
      kinds.indexOf(facts.kind) |
      (facts.afterSettlement ? afterSettlementBit : 0) |
      (facts.toParentRegionCode !== undefined ? toIsParentBit : 0);
    this.paidOn[index] = packDay(facts.paidOn);
    if (facts.amountFen <= BigInt(Number.MAX_SAFE_INTEGER) && facts.amountFen >= 0n) {
      this.amount[index] = Number(facts.amountFen);
    } else {
      this.amount[index] = Number.NaN;
      this.largeAmounts.set(index, facts.amountFen);
    }
    this.byId.set(key, index);
    this.byVoucher[regionNumber].set(voucherNo, index);
  }

  /** The facts recorded for a disbursement, or null when the id was never recorded. */
  get(disbursementId: string): DisbursementFacts | null {
    const index = this.byId.get(idKey(disbursementId));
    if (index === undefined) return null;
    const flags = this.flags[index];
    const to = this.to[index];
    const toCode = to === 0 ? undefined : this.regionCodes[to - 1];
    const toIsParent = (flags & toIsParentBit) !== 0;
    const amount = this.amount[index];
    return {
      regionCode: this.regionCodes[this.region[index]],
      kind: kinds[flags & kindMask],
      amountFen: Number.isNaN(amount) ? (this.largeAmounts.get(index) as bigint) : BigInt(amount),
      paidOn: unpackDay(this.paidOn[index]),
      ...(toCode === undefined ? {} : toIsParent ? { toParentRegionCode: toCode } : { toRegionCode: toCode }),
      afterSettlement: (flags & afterSettlementBit) !== 0,
      reversed: (flags & reversedBit) !== 0,
    };
  }

  /** True when `voucherNo` is the voucher the disbursement was recorded with (in its own region). */
  voucherMatches(disbursementId: string, voucherNo: string): boolean {
    const index = this.byId.get(idKey(disbursementId));
    return index !== undefined && this.byVoucher[this.region[index]].get(voucherNo) === index;
  }

  /** The voucher a disbursement was recorded with: a walk over every voucher, for a report only. */
  voucherOf(disbursementId: string): string | undefined {
    const index = this.byId.get(idKey(disbursementId));
    if (index === undefined) return undefined;
    for (const [voucherNo, found] of this.byVoucher[this.region[index]]) if (found === index) return voucherNo;
    return undefined;
  }

  markReversed(disbursementId: string): void {
    const index = this.byId.get(idKey(disbursementId));
    if (index === undefined) throw new Error(`disbursement ${disbursementId} is not indexed`);
    this.flags[index] |= reversedBit;
  }

  private numberOf(regionCode: string): number {
    let number = this.regionNumbers.get(regionCode);
    if (number === undefined) {
      number = this.regionCodes.length;
      if (number > maxRegions) throw new Error(`more than ${maxRegions} regions disburse in one fund`);
      this.regionNumbers.set(regionCode, number);
      this.regionCodes.push(regionCode);
      this.byVoucher.push(new Map());
    }
    return number;
  }

  private grow(): void {
    const capacity = this.region.length * 2;
    this.region = resized(this.region, new Uint16Array(capacity));
    this.to = resized(this.to, new Uint16Array(capacity));
    this.flags = resized(this.flags, new Uint8Array(capacity));
    this.paidOn = resized(this.paidOn, new Uint32Array(capacity));
    this.amount = resized(this.amount, new Float64Array(capacity));
  }
}

function resized<T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(from: T, to: T): T {
  to.set(from as never);
  return to;
}

const idCodes: number[] = new Array<number>(17).fill(0);

/** A hex digit's value by character code, -1 for anything else: UUIDs are lowercase. */
const hexValue = new Int8Array(128).fill(-1);
for (let digit = 0; digit < 16; digit += 1) hexValue['0123456789abcdef'.charCodeAt(digit)] = digit;

/** The last id asked about and its key: a disbursement is looked up and then added. */
let lastId = '';
let lastKey = '';

/**
 * A UUID (the ids the ledger gives) as its 16 bytes, one character each, marked by a leading 1;
 * any other id as it is, marked by a leading 0, so the two never meet. Built in one call, so the
 * key is one flat string: one built by `+` is a tree of its parts, which as a key kept for the
 * rest of the log costs more than its text.
 */
function idKey(disbursementId: string): string {
  if (disbursementId === lastId) return lastKey;
  const key = uuidBytes(disbursementId) ? String.fromCharCode(...idCodes) : `\u0000${disbursementId}`;
  lastId = disbursementId;
  lastKey = key;
  return key;
}

/** Fills idCodes from a lowercase 8-4-4-4-12 UUID; false for any other text. */
function uuidBytes(id: string): boolean {
  if (id.length !== 36) return false;
  idCodes[0] = 1;
  let at = 0;
  for (let byte = 1; byte <= 16; byte += 1) {
    if (at === 8 || at === 13 || at === 18 || at === 23) {
      if (id.charCodeAt(at) !== 0x2d) return false;
      at += 1;
    }
    const high = id.charCodeAt(at);
    const low = id.charCodeAt(at + 1);
    const highValue = high < 128 ? hexValue[high] : -1;
    const lowValue = low < 128 ? hexValue[low] : -1;
    if (highValue < 0 || lowValue < 0) return false;
    idCodes[byte] = highValue * 16 + lowValue;
    at += 2;
  }
  return true;
}

/** YYYY-MM-DD (already checked) as yyyymmdd. */
function packDay(date: string): number {
  return Number(date.slice(0, 4)) * 10_000 + Number(date.slice(5, 7)) * 100 + Number(date.slice(8, 10));
}

function unpackDay(packed: number): string {
  const year = Math.floor(packed / 10_000);
  const month = Math.floor(packed / 100) % 100;
  const dayOfMonth = packed % 100;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(dayOfMonth).padStart(2, '0')}`;
}
