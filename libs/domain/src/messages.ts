/**
 * Commands and events of a fund: one program in one fiscal year, kept in one stream
 * (`fund-<programCode>-<fiscalYear>`), so that every movement of money, a pass-down included, is
 * one append to one stream. Money in messages is a base-10 string of 分 (`...Fen`).
 */

/** Who sent a command: the API key's name, and the time the edge received it. */
export interface Actor {
  readonly name: string;
  readonly role: 'finance' | 'operator' | 'auditor' | 'system';
}

export interface AllocationLine {
  readonly regionCode: string;
  readonly amountFen: string;
}

export type AllocationKind = 'pre-allocation' | 'top-up';
export type DisbursementKind = 'beneficiary-payment' | 'pass-down' | 'return';

export interface SettlementActual {
  readonly category: string;
  readonly persons: number;
  readonly perPersonFen: string;
}

/** One indicator row of an Annex 2 target table, as the document says it. */
export interface PerformanceTarget {
  readonly level1: string;
  readonly level2: string;
  readonly level3: string;
  /** A stable id the ledger computes actuals against, when it recognises the indicator. */
  readonly indicator: PerformanceIndicator | null;
  readonly value: string;
}

export type PerformanceIndicator =
  | 'persons-covered'
  | 'enrolment-rate'
  | 'on-time-pass-down-rate'
  | 'minimum-standard'
  | 'effect'
  | 'satisfaction';

// ----------------------------------------------------------------------------------------------
// Commands (imperative). Time and ids arrive inside the command; the domain reads no clock.

export interface CommandBase<T extends string, D> {
  readonly type: T;
  readonly data: D;
  readonly metadata: { readonly actor: Actor; readonly now: string; readonly commandId: string };
}

export type RecordAllocation = CommandBase<
  'RecordAllocation',
  {
    readonly documentNo: string;
    readonly title: string;
    readonly kind: AllocationKind;
    readonly programCode: string;
    readonly programName: string;
    readonly fiscalYear: number;
    readonly issuedOn: string;
    readonly issuerRegionCode: string;
    readonly incomeSubject: string;
    readonly expenditureSubject: string;
    readonly totalFen: string;
    readonly lines: readonly AllocationLine[];
  }
>;

export type RecordDisbursement = CommandBase<
  'RecordDisbursement',
  {
    readonly disbursementId: string;
    readonly programCode: string;
    readonly fiscalYear: number;
    readonly regionCode: string;
    readonly kind: DisbursementKind;
    readonly amountFen: string;
    readonly paidOn: string;
    readonly voucherNo: string;
    readonly expenditureSubject?: string;
    readonly beneficiaries?: number;
    readonly toRegionCode?: string;
  }
>;

/** A 市's 下达 document: one debit of the city, one credit per district, in one event. */
export type RecordPassDown = CommandBase<
  'RecordPassDown',
  {
    readonly programCode: string;
    readonly fiscalYear: number;
    readonly regionCode: string;
    readonly documentNo: string;
    readonly passedOn: string;
    readonly totalFen: string;
    readonly lines: readonly AllocationLine[];
  }
>;

export type ReverseDisbursement = CommandBase<
  'ReverseDisbursement',
  {
    readonly programCode: string;
    readonly fiscalYear: number;
    readonly disbursementId: string;
    readonly reason: string;
    readonly reversedOn: string;
  }
>;

export type SettleRegionYear = CommandBase<
  'SettleRegionYear',
  {
    readonly programCode: string;
    readonly fiscalYear: number;
    readonly regionCode: string;
    readonly documentNo: string;
    readonly settledOn: string;
    readonly actuals: readonly SettlementActual[];
  }
>;

export type RecordPerformanceTargets = CommandBase<
  'RecordPerformanceTargets',
  {
    readonly programCode: string;
    readonly fiscalYear: number;
    readonly regionCode: string;
    readonly documentNo: string;
    readonly amountFen: string;
    readonly overallGoal: string;
    readonly targets: readonly PerformanceTarget[];
    readonly warnings: readonly string[];
  }
>;

export type ReportPerformanceActual = CommandBase<
  'ReportPerformanceActual',
  {
    readonly programCode: string;
    readonly fiscalYear: number;
    readonly regionCode: string;
    readonly indicator: string;
    readonly value: string;
    readonly period: string;
    readonly reportedOn: string;
  }
>;

export type FundCommand =
  | RecordAllocation
  | RecordDisbursement
  | RecordPassDown
  | ReverseDisbursement
  | SettleRegionYear
  | RecordPerformanceTargets
  | ReportPerformanceActual;

// ----------------------------------------------------------------------------------------------
// Events (past tense). `data` carries everything a projection or an auditor needs without
// looking anything up.

export interface EventBase<T extends string, D> {
  readonly type: T;
  readonly data: D;
}

export type AllocationRecorded = EventBase<'AllocationRecorded', RecordAllocation['data']>;

export type DisbursementRecorded = EventBase<
  'DisbursementRecorded',
  RecordDisbursement['data'] & {
    /** For a return: the region the money goes back to (the province for a region it pays directly). */
    readonly toParentRegionCode?: string;
    /**
     * True when the region's subtree was already closed by a settlement (its own, or for a 区/县 its
     * 市's): a payment or pass-down spends top-up money, a return repays a claw-back.
     */
    readonly afterSettlement: boolean;
  }
>;

export type PassDownRecorded = EventBase<
  'PassDownRecorded',
  RecordPassDown['data'] & {
    /** As for a disbursement: the subtree was closed, so the document hands on top-up money. */
    readonly afterSettlement: boolean;
  }
>;

export type DisbursementReversed = EventBase<
  'DisbursementReversed',
  ReverseDisbursement['data'] & {
    readonly regionCode: string;
    readonly kind: DisbursementKind;
    readonly amountFen: string;
    readonly voucherNo: string;
    readonly beneficiaries?: number;
    readonly toRegionCode?: string;
    readonly toParentRegionCode?: string;
    /** The original's: a reversal undoes exactly what the original did. */
    readonly afterSettlement: boolean;
  }
>;

export type RegionYearSettled = EventBase<
  'RegionYearSettled',
  SettleRegionYear['data'] & {
    readonly entitledFen: string;
    /** Pre-allocations to the region-year. */
    readonly preAllocatedFen: string;
    /** Returned to the root before the settlement. */
    readonly returnedBeforeFen: string;
    /** preAllocated − returnedBefore: what the actuals are weighed against. */
    readonly allocatedFen: string;
    /** entitled − allocated: positive, a top-up owed; negative, a claw-back owed. */
    readonly adjustmentFen: string;
  }
>;

export type PerformanceTargetsRecorded = EventBase<'PerformanceTargetsRecorded', RecordPerformanceTargets['data']>;

export type PerformanceActualReported = EventBase<'PerformanceActualReported', ReportPerformanceActual['data']>;

export type FundEvent =
  | AllocationRecorded
  | DisbursementRecorded
  | PassDownRecorded
  | DisbursementReversed
  | RegionYearSettled
  | PerformanceTargetsRecorded
  | PerformanceActualReported;

/**
 * A refused command (a 422). It moves no money; it is kept in its own stream
 * (`refusals-<programCode>-<fiscalYear>`) so that auditors can see who tried what.
 */
export type CommandRefused = EventBase<
  'CommandRefused',
  {
    readonly commandType: FundCommand['type'];
    readonly code: RuleErrorCode;
    readonly detail: string;
    readonly programCode: string;
    readonly fiscalYear: number;
    readonly regionCode: string | null;
    readonly actor: string;
    readonly attemptedOn: string;
    /** The command's data, with anything personal left out. */
    readonly command: Record<string, unknown>;
  }
>;

export type LedgerEvent = FundEvent | CommandRefused;

export const fundStreamName = (programCode: string, fiscalYear: number): string => `fund-${programCode}-${fiscalYear}`;
export const refusalStreamName = (programCode: string, fiscalYear: number): string =>
  `refusals-${programCode}-${fiscalYear}`;
/** Holds one event per document number, so that a number is recorded once across the ledger. */
export const documentStreamName = (documentNo: string): string => `document-${documentNo}`;

export function parseFundStreamName(streamName: string): { programCode: string; fiscalYear: number } | null {
  const match = /^fund-([a-z0-9][a-z0-9-]{1,63})-([0-9]{4})$/.exec(streamName);
  return match ? { programCode: match[1], fiscalYear: Number(match[2]) } : null;
}

/** The program-year of a refusals stream (`refusals-<programCode>-<fiscalYear>`); null for any other. */
export function parseRefusalStreamName(streamName: string): { programCode: string; fiscalYear: number } | null {
  const match = /^refusals-([a-z0-9][a-z0-9-]{1,63})-([0-9]{4})$/.exec(streamName);
  return match ? { programCode: match[1], fiscalYear: Number(match[2]) } : null;
}

// ----------------------------------------------------------------------------------------------
// Rule errors: the stable codes of API.md that the domain decides. The HTTP layer maps each to
// its status in one place.

export type RuleErrorCode =
  | 'total-mismatch'
  | 'unknown-region'
  | 'not-a-recipient'
  | 'insufficient-funds'
  | 'earmark-violation'
  | 'not-a-child-region'
  | 'year-settled'
  | 'not-settled'
  | 'adjustment-exceeded'
  | 'no-allocation'
  | 'already-reversed'
  | 'issuer-not-root'
  | 'date-out-of-range'
  | 'below-minimum-standard'
  | 'forbidden'
  | 'duplicate-document'
  | 'duplicate-voucher'
  | 'not-found'
  | 'invalid-transition';

export class RuleError extends Error {
  constructor(
    readonly code: RuleErrorCode,
    readonly detail: string,
    /** The region the refusal concerns, for the audit log of refused attempts. */
    readonly regionCode: string | null = null,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'RuleError';
  }
}

/** 409s: a conflict with something already recorded, not a refused attempt. */
export const conflictCodes: ReadonlySet<RuleErrorCode> = new Set(['duplicate-document', 'duplicate-voucher']);

export function assertNever(value: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(value)}`);
}
