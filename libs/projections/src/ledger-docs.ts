import { fenFromString, type RegionYearCounters } from '@earmark/domain';
import type { JsonObject, ProgramDocumentRow, ProgramYearRow, RegionBalanceRow, SettlementRow, TrailRow } from '@earmark/event-store';

/**
 * The ledger's read models in the JSON shape the views and the report print from: money as a
 * base-10 string of 分. The tables hold them typed (`ProgramYearRow`, ...); these are built from
 * those rows when read.
 */

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

function settlementDocOf(row: SettlementRow): SettlementDoc {
  return {
    documentNo: row.documentNo,
    settledOn: row.settledOn,
    entitledFen: row.entitledFen.toString(),
    preAllocatedFen: row.preAllocatedFen.toString(),
    returnedBeforeFen: row.returnedBeforeFen.toString(),
    allocatedFen: row.allocatedFen.toString(),
    adjustmentFen: row.adjustmentFen.toString(),
    outstandingFen: row.outstandingFen.toString(),
  };
}

export function regionBalanceDocOf(row: RegionBalanceRow): RegionBalanceDoc {
  return {
    programCode: row.programCode,
    fiscalYear: row.fiscalYear,
    regionCode: row.regionCode,
    allocatedFen: row.allocatedFen.toString(),
    preAllocatedFen: row.preAllocatedFen.toString(),
    receivedFen: row.receivedFen.toString(),
    returnedInFen: row.returnedInFen.toString(),
    passedDownFen: row.passedDownFen.toString(),
    paidFen: row.paidFen.toString(),
    beneficiaries: row.beneficiaries,
    returnedFen: row.returnedFen.toString(),
    availableFen: row.availableFen.toString(),
    topUpReceivedFen: row.topUpReceivedFen.toString(),
    spentAfterSettlementFen: row.spentAfterSettlementFen.toString(),
    returnedAfterSettlementFen: row.returnedAfterSettlementFen.toString(),
    receivedAfterSettlementFen: row.receivedAfterSettlementFen.toString(),
    settlement: row.settlement ? settlementDocOf(row.settlement) : null,
    firstFundedOn: row.firstReceivedOn,
    firstTopUpOn: row.firstTopUpOn,
    lastEffectiveOn: row.lastEffectiveOn,
    lastPosition: row.lastPosition.toString(),
  };
}

export function programYearDocOf(row: ProgramYearRow, documents: readonly ProgramDocumentRow[]): ProgramYearDoc {
  return {
    programCode: row.programCode,
    programName: row.programName,
    fiscalYear: row.fiscalYear,
    issuerRegionCode: row.issuerRegionCode,
    incomeSubject: row.incomeSubject,
    expenditureSubject: row.expenditureSubject,
    allocatedFen: row.allocatedFen.toString(),
    passedDownFen: row.passedDownFen.toString(),
    paidFen: row.paidFen.toString(),
    beneficiaries: row.beneficiaries,
    returnedFen: row.returnedFen.toString(),
    availableFen: row.availableFen.toString(),
    regions: row.regions,
    settledRegions: row.settledRegions,
    documents: documents.map((document) => ({
      documentNo: document.documentNo,
      kind: document.kind,
      title: document.title,
      issuedOn: document.issuedOn,
      issuerRegionCode: document.issuerRegionCode,
      totalFen: document.totalFen.toString(),
      lines: document.lines,
      position: document.position.toString(),
    })),
    lastPosition: row.lastPosition.toString(),
  };
}

export function trailEntryDocOf(row: TrailRow): TrailEntryDoc {
  return {
    position: row.position.toString(),
    recordedAt: row.recordedAt,
    effectiveOn: row.effectiveOn,
    type: row.type,
    amountFen: row.amountFen.toString(),
    availableAfterFen: row.availableAfterFen.toString(),
    reference: row.reference,
    actor: row.actor,
    hash: row.hash,
  };
}

/** The domain's counters, read from a balance in its JSON shape. */
export function countersOf(doc: RegionBalanceDoc): RegionYearCounters {
  return {
    preAllocatedFen: fenFromString(doc.preAllocatedFen),
    topUpReceivedFen: fenFromString(doc.topUpReceivedFen),
    receivedFen: fenFromString(doc.receivedFen),
    returnedInFen: fenFromString(doc.returnedInFen),
    passedDownFen: fenFromString(doc.passedDownFen),
    paidFen: fenFromString(doc.paidFen),
    beneficiaries: doc.beneficiaries,
    returnedFen: fenFromString(doc.returnedFen),
    spentAfterSettlementFen: fenFromString(doc.spentAfterSettlementFen),
    returnedAfterSettlementFen: fenFromString(doc.returnedAfterSettlementFen),
    receivedAfterSettlementFen: fenFromString(doc.receivedAfterSettlementFen),
    firstReceivedOn: doc.firstFundedOn,
    firstTopUpOn: doc.firstTopUpOn,
    lastEffectiveOn: doc.lastEffectiveOn,
  };
}
