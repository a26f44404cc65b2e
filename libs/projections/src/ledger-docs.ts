import type { JsonObject } from '@earmark/event-store';

/**
 * The documents the ledger projection keeps. Money is a base-10 string of 分; every document
 * remembers the last position applied to it, which makes re-applying an event a no-op.
 */
export const collections = {
  regionBalance: 'region-balance',
  programYear: 'program-year',
  trail: 'trail',
  disbursement: 'disbursement',
  refusal: 'refusal',
  performanceTargets: 'performance-targets',
  performanceActual: 'performance-actual',
} as const;

export const programYearPartition = 'program-years';

export const fundKey = (programCode: string, fiscalYear: number): string => `${programCode}/${fiscalYear}`;
export const regionKey = (programCode: string, fiscalYear: number, regionCode: string): string =>
  `${programCode}/${fiscalYear}/${regionCode}`;
/** Positions padded so that ids sort in log order. */
export const paddedPosition = (position: bigint): string => position.toString().padStart(20, '0');
/** A trail entry's id: its region's key and its position, so that a region's trail pages by position. */
export const trailEntryId = (regionKeyText: string, position: bigint): string => `${regionKeyText}/${paddedPosition(position)}`;

export interface SettlementDoc extends JsonObject {
  documentNo: string;
  settledOn: string;
  entitledFen: string;
  preAllocatedFen: string;
  returnedBeforeFen: string;
  allocatedFen: string;
  adjustmentFen: string;
  outstandingFen: string;
}

export interface RegionBalanceDoc extends JsonObject {
  programCode: string;
  fiscalYear: number;
  regionCode: string;
  allocatedFen: string;
  preAllocatedFen: string;
  receivedFen: string;
  returnedInFen: string;
  passedDownFen: string;
  paidFen: string;
  beneficiaries: number;
  returnedFen: string;
  /** Derived by the domain's region-year arithmetic, stored for queries and the trail. */
  availableFen: string;
  topUpReceivedFen: string;
  spentAfterSettlementFen: string;
  returnedAfterSettlementFen: string;
  receivedAfterSettlementFen: string;
  settlement: SettlementDoc | null;
  /** When the region first received money from above. */
  firstFundedOn: string;
  firstTopUpOn: string;
  lastEffectiveOn: string;
  lastPosition: string;
}

export interface ProgramDocumentDoc extends JsonObject {
  documentNo: string;
  kind: string;
  title: string;
  issuedOn: string;
  issuerRegionCode: string;
  totalFen: string;
  lines: number;
  position: string;
}

export interface ProgramYearDoc extends JsonObject {
  programCode: string;
  programName: string;
  fiscalYear: number;
  issuerRegionCode: string;
  incomeSubject: string;
  expenditureSubject: string;
  allocatedFen: string;
  passedDownFen: string;
  paidFen: string;
  beneficiaries: number;
  returnedFen: string;
  availableFen: string;
  regions: number;
  settledRegions: number;
  documents: ProgramDocumentDoc[];
  lastPosition: string;
}

export interface TrailEntryDoc extends JsonObject {
  position: string;
  recordedAt: string;
  effectiveOn: string;
  type: string;
  amountFen: string;
  availableAfterFen: string;
  reference: string;
  actor: string;
  hash: string;
}

export interface DisbursementDoc extends JsonObject {
  disbursementId: string;
  programCode: string;
  fiscalYear: number;
  regionCode: string;
  kind: string;
  amountFen: string;
  voucherNo: string;
  paidOn: string;
  toRegionCode: string | null;
  toParentRegionCode: string | null;
  beneficiaries: number | null;
  afterSettlement: boolean;
  reversed: boolean;
  position: string;
}
