import type { DocumentProjection, JsonObject, ProjectionOrigin, RecordedEvent } from './event-store.port';

/*
 * The ledger's read models as typed, narrow rows: money as bigint 分 (INTEGER / BIGINT columns),
 * codes and positions. Aggregates (a region's balance, a program-year's totals) are one row each,
 * updated in place; everything else is appended once, keyed by log position.
 *
 * The projection that computes them is pure (libs/projections): for a batch of events it reads the
 * aggregate rows the batch touches and returns a `LedgerDelta`, which each adapter writes once per
 * batch, in the transaction that moves the projection's checkpoint.
 */

export interface SettlementRow {
  readonly documentNo: string;
  readonly settledOn: string;
  readonly entitledFen: bigint;
  readonly preAllocatedFen: bigint;
  readonly returnedBeforeFen: bigint;
  readonly allocatedFen: bigint;
  readonly adjustmentFen: bigint;
  readonly outstandingFen: bigint;
}

/** One region's money in one program-year: the domain's counters and the figures derived from them. */
export interface RegionBalanceRow {
  readonly programCode: string;
  readonly fiscalYear: number;
  readonly regionCode: string;
  readonly preAllocatedFen: bigint;
  readonly topUpReceivedFen: bigint;
  readonly receivedFen: bigint;
  readonly returnedInFen: bigint;
  readonly passedDownFen: bigint;
  readonly paidFen: bigint;
  readonly beneficiaries: number;
  readonly returnedFen: bigint;
  readonly spentAfterSettlementFen: bigint;
  readonly returnedAfterSettlementFen: bigint;
  readonly receivedAfterSettlementFen: bigint;
  /** When the region first received money from above; '' before. */
  readonly firstReceivedOn: string;
  readonly firstTopUpOn: string;
  readonly lastEffectiveOn: string;
  /** Derived by the domain's region-year arithmetic, stored for queries. */
  readonly allocatedFen: bigint;
  readonly availableFen: bigint;
  readonly settlement: SettlementRow | null;
  readonly lastPosition: bigint;
}

/** A program-year's totals. Its allocation documents are rows of their own. */
export interface ProgramYearRow {
  readonly programCode: string;
  readonly fiscalYear: number;
  readonly programName: string;
  readonly issuerRegionCode: string;
  readonly incomeSubject: string;
  readonly expenditureSubject: string;
  readonly allocatedFen: bigint;
  readonly passedDownFen: bigint;
  readonly paidFen: bigint;
  readonly beneficiaries: number;
  readonly returnedFen: bigint;
  readonly availableFen: bigint;
  readonly regions: number;
  readonly settledRegions: number;
  readonly lastPosition: bigint;
}

/** An allocation document of a program-year, stored once at the position that recorded it. */
export interface ProgramDocumentRow {
  readonly programCode: string;
  readonly fiscalYear: number;
  readonly position: bigint;
  readonly documentNo: string;
  readonly kind: string;
  readonly title: string;
  readonly issuedOn: string;
  readonly issuerRegionCode: string;
  readonly totalFen: bigint;
  readonly lines: number;
}

/** One line of a region's audit trail, keyed by (program, year, region, position). */
export interface TrailRow {
  readonly programCode: string;
  readonly fiscalYear: number;
  readonly regionCode: string;
  readonly position: bigint;
  readonly recordedAt: string;
  readonly effectiveOn: string;
  readonly type: string;
  readonly amountFen: bigint;
  readonly availableAfterFen: bigint;
  readonly reference: string;
  readonly actor: string;
  readonly hash: string;
}

/** Where a disbursement was recorded; a reversal marks it. */
export interface DisbursementRow {
  readonly disbursementId: string;
  readonly programCode: string;
  readonly fiscalYear: number;
  readonly regionCode: string;
  readonly kind: string;
  readonly amountFen: bigint;
  readonly voucherNo: string;
  readonly paidOn: string;
  readonly toRegionCode: string | null;
  readonly toParentRegionCode: string | null;
  readonly beneficiaries: number | null;
  readonly afterSettlement: boolean;
  readonly reversed: boolean;
  readonly position: bigint;
}

/** A refused command, as its event recorded it. */
export interface RefusalRow {
  readonly programCode: string;
  readonly fiscalYear: number;
  readonly position: bigint;
  readonly recordedAt: string;
  readonly regionCode: string | null;
  readonly code: string;
  /** The event's data (commandType, code, detail, actor, attemptedOn, command, ...). */
  readonly data: JsonObject;
}

/** The latest performance targets of one region. */
export interface PerformanceTargetsRow {
  readonly programCode: string;
  readonly fiscalYear: number;
  readonly regionCode: string;
  readonly position: bigint;
  readonly data: JsonObject;
}

/** The latest reported actual of one region's indicator. */
export interface PerformanceActualRow {
  readonly programCode: string;
  readonly fiscalYear: number;
  readonly regionCode: string;
  readonly indicator: string;
  readonly position: bigint;
  readonly actor: string;
  readonly data: JsonObject;
}

/** What one batch of events changes: aggregate rows to upsert, the rest to append. */
export interface LedgerDelta {
  readonly programYears: readonly ProgramYearRow[];
  readonly regionBalances: readonly RegionBalanceRow[];
  readonly documents: readonly ProgramDocumentRow[];
  readonly trail: readonly TrailRow[];
  readonly disbursements: readonly DisbursementRow[];
  /** Disbursement ids reversed in the batch; applied after `disbursements`. */
  readonly reversedDisbursementIds: readonly string[];
  readonly refusals: readonly RefusalRow[];
  readonly performanceTargets: readonly PerformanceTargetsRow[];
  readonly performanceActuals: readonly PerformanceActualRow[];
}

export interface FundRef {
  readonly programCode: string;
  readonly fiscalYear: number;
}

export interface RegionRef extends FundRef {
  readonly regionCode: string;
}

/** The aggregate rows a batch reads before folding. */
export interface LedgerStateKeys {
  readonly programYears: readonly FundRef[];
  readonly regionBalances: readonly RegionRef[];
}

/** The aggregate rows loaded for a batch; absent ones are missing from the maps. */
export interface LedgerState {
  /** Keyed by `ledgerFundKey`. */
  readonly programYears: ReadonlyMap<string, ProgramYearRow>;
  /** Keyed by `ledgerRegionKey`. */
  readonly regionBalances: ReadonlyMap<string, RegionBalanceRow>;
}

export const ledgerFundKey = (programCode: string, fiscalYear: number): string => `${programCode}/${fiscalYear}`;
export const ledgerRegionKey = (programCode: string, fiscalYear: number, regionCode: string): string =>
  `${programCode}/${fiscalYear}/${regionCode}`;

/**
 * The ledger projection as the adapters run it: pure, so that the same code runs inline in an
 * append's transaction, behind a subscription, in a rebuild and in memory for the books as of a date.
 */
export interface LedgerTablesProjection {
  readonly name: string;
  readonly tables: 'ledger';
  readonly origin?: ProjectionOrigin;
  stateKeys(events: readonly RecordedEvent[]): LedgerStateKeys;
  fold(events: readonly RecordedEvent[], state: LedgerState): LedgerDelta;
}

export interface TrailPageRequest {
  /** Entries with a position greater than this. */
  readonly after: bigint;
  readonly limit: number;
}

/** The read side of the ledger tables, for query handlers. Lists come in a stable order. */
export interface LedgerReadModels {
  /** Every program-year, in the order of `programCode/fiscalYear` as text. */
  listProgramYears(): Promise<ProgramYearRow[]>;
  programYear(programCode: string, fiscalYear: number): Promise<ProgramYearRow | null>;
  /** The program-year's allocation documents in log order. */
  programDocuments(programCode: string, fiscalYear: number): Promise<ProgramDocumentRow[]>;
  regionBalance(programCode: string, fiscalYear: number, regionCode: string): Promise<RegionBalanceRow | null>;
  /** The fund's region balances by region code; only those of `regionCodes` when given. */
  regionBalances(programCode: string, fiscalYear: number, regionCodes?: readonly string[]): Promise<RegionBalanceRow[]>;
  /** A region's trail in position order: at most `limit` entries after `after`. */
  trailPage(programCode: string, fiscalYear: number, regionCode: string, page: TrailPageRequest): Promise<TrailRow[]>;
  disbursement(disbursementId: string): Promise<DisbursementRow | null>;
  /** In log order. */
  refusals(programCode: string, fiscalYear: number): Promise<RefusalRow[]>;
  /** By region code. */
  performanceTargets(programCode: string, fiscalYear: number): Promise<PerformanceTargetsRow[]>;
  /** By region code, then indicator. */
  performanceActuals(programCode: string, fiscalYear: number): Promise<PerformanceActualRow[]>;
  /** The position a projection has reached. */
  checkpoint(projection: string): Promise<bigint>;
}

export function isLedgerTablesProjection(projection: object): projection is LedgerTablesProjection {
  return (projection as { tables?: unknown }).tables === 'ledger';
}

/** An empty delta, for a batch that changes nothing. */
export function emptyLedgerDelta(): LedgerDelta {
  return {
    programYears: [],
    regionBalances: [],
    documents: [],
    trail: [],
    disbursements: [],
    reversedDisbursementIds: [],
    refusals: [],
    performanceTargets: [],
    performanceActuals: [],
  };
}

/** What an adapter runs over its events: document projections, the ledger tables, or both. */
export type StoreProjection = DocumentProjection | LedgerTablesProjection;

/** The aggregate rows a streamed rebuild keeps in memory and writes once, at the end. */
export interface LedgerAggregates {
  readonly programYears: readonly ProgramYearRow[];
  readonly regionBalances: readonly RegionBalanceRow[];
  readonly performanceTargets: readonly PerformanceTargetsRow[];
  readonly performanceActuals: readonly PerformanceActualRow[];
}

/**
 * Fresh ledger tables beside the live ones, filled by a streamed rebuild while the live ones keep
 * answering, then swapped in whole in one transaction.
 */
export interface LedgerRebuildTarget {
  /** The appended rows of a delta (documents, trail, disbursements and their reversals, refusals), in log order. */
  appendRows(delta: LedgerDelta): Promise<void>;
  /**
   * Under the store's write lock: hands `catchUp` the events appended after `position` (none when
   * nothing was appended meanwhile), writes the rows of its delta and the final aggregates, swaps
   * the fresh tables in for the live ones and sets the projection's checkpoint; returns it.
   */
  swapIn(
    projectionName: string,
    position: bigint,
    catchUp: (events: readonly RecordedEvent[]) => { readonly delta: LedgerDelta; readonly aggregates: LedgerAggregates },
  ): Promise<bigint>;
  /** Drops the fresh tables, leaving the live ones as they were. */
  abandon(): Promise<void>;
}

/** A store whose ledger tables can be rebuilt beside the live ones. */
export interface LedgerRebuildSink {
  beginLedgerRebuild(): Promise<LedgerRebuildTarget>;
}

/**
 * The events of a batch that a projection has not applied yet: those past its checkpoint, which
 * must continue it without a gap. Events at or before the checkpoint are skipped, so that a page
 * applied twice (a rebuild overlapping a catch-up) changes nothing; a gap would make the read
 * model silently miss events, so it throws.
 */
export function eventsPastCheckpoint(projectionName: string, checkpoint: bigint, events: readonly RecordedEvent[]): readonly RecordedEvent[] {
  const fresh = events.filter((event) => event.position > checkpoint);
  fresh.forEach((event, index) => {
    const expected = checkpoint + 1n + BigInt(index);
    if (event.position !== expected) throw new RangeError(`projection ${projectionName}: expected position ${expected}, got ${event.position}`);
  });
  return fresh;
}
