import { fenFromString, formatYuan, type RegionRegistry } from '@earmark/domain';
import type { ProgramYearDoc, RegionBalanceDoc, TrailEntryDoc } from './ledger-docs';

/** How the documents read over HTTP: money as 元 strings with two fraction digits. */

export type RegionStatus = 'open' | 'settled' | 'reconciled';

export function regionStatus(doc: RegionBalanceDoc): RegionStatus {
  if (!doc.settlement) return 'open';
  return fenFromString(doc.settlement.outstandingFen) === 0n ? 'reconciled' : 'settled';
}

const summedFields = [
  ['allocated', 'allocatedFen'],
  ['received', 'receivedFen'],
  ['receivedFromReturns', 'returnedInFen'],
  ['passedDown', 'passedDownFen'],
  ['paid', 'paidFen'],
  ['returned', 'returnedFen'],
  ['available', 'availableFen'],
] as const;

type SummedFigures = { [field in (typeof summedFields)[number][0]]: string } & { beneficiaries: number };

function figures(docs: readonly RegionBalanceDoc[]): SummedFigures {
  // Filled in the order the views have always printed: the amounts, then the persons.
  const out = {} as SummedFigures;
  for (const [field, stored] of summedFields) {
    let total = 0n;
    for (const doc of docs) total += fenFromString(doc[stored]);
    out[field] = formatYuan(total);
  }
  out.beneficiaries = docs.reduce((sum, doc) => sum + doc.beneficiaries, 0);
  return out;
}

/** The fund's regions grouped by registry parent, so that each balance finds its children at once. */
export function childrenByParent(fundRegions: readonly RegionBalanceDoc[], registry: RegionRegistry): Map<string, RegionBalanceDoc[]> {
  const byParent = new Map<string, RegionBalanceDoc[]>();
  for (const region of fundRegions) {
    const parent = registry.get(region.regionCode)?.parentCode;
    if (!parent) continue;
    const siblings = byParent.get(parent);
    if (siblings) siblings.push(region);
    else byParent.set(parent, [region]);
  }
  return byParent;
}

export function regionBalanceView(doc: RegionBalanceDoc, children: readonly RegionBalanceDoc[], registry: RegionRegistry) {
  const region = registry.get(doc.regionCode);
  return {
    programCode: doc.programCode,
    fiscalYear: doc.fiscalYear,
    regionCode: doc.regionCode,
    regionName: region?.name ?? null,
    ...figures([doc]),
    status: regionStatus(doc),
    settlement: doc.settlement
      ? {
          documentNo: doc.settlement.documentNo,
          settledOn: doc.settlement.settledOn,
          entitled: formatYuan(fenFromString(doc.settlement.entitledFen)),
          preAllocated: formatYuan(fenFromString(doc.settlement.preAllocatedFen ?? doc.settlement.allocatedFen)),
          returnedBefore: formatYuan(fenFromString(doc.settlement.returnedBeforeFen ?? '0')),
          allocated: formatYuan(fenFromString(doc.settlement.allocatedFen)),
          adjustment: formatYuan(fenFromString(doc.settlement.adjustmentFen)),
          outstanding: formatYuan(fenFromString(doc.settlement.outstandingFen)),
        }
      : null,
    children: { regions: children.length, ...figures(children) },
  };
}

export function programYearView(doc: ProgramYearDoc) {
  return {
    programCode: doc.programCode,
    programName: doc.programName,
    fiscalYear: doc.fiscalYear,
    allocated: formatYuan(fenFromString(doc.allocatedFen)),
    passedDown: formatYuan(fenFromString(doc.passedDownFen)),
    paid: formatYuan(fenFromString(doc.paidFen)),
    beneficiaries: doc.beneficiaries,
    returned: formatYuan(fenFromString(doc.returnedFen)),
    available: formatYuan(fenFromString(doc.availableFen)),
    regions: doc.regions,
    settledRegions: doc.settledRegions,
    incomeSubject: doc.incomeSubject,
    expenditureSubject: doc.expenditureSubject,
    issuerRegionCode: doc.issuerRegionCode,
    documents: doc.documents.map((d) => ({
      documentNo: d.documentNo,
      kind: d.kind,
      title: d.title,
      issuedOn: d.issuedOn,
      issuerRegionCode: d.issuerRegionCode,
      lines: d.lines,
      total: formatYuan(fenFromString(d.totalFen)),
      position: Number(d.position),
    })),
  };
}

export function programSummaryView(doc: ProgramYearDoc) {
  return {
    programCode: doc.programCode,
    programName: doc.programName,
    fiscalYear: doc.fiscalYear,
    allocated: formatYuan(fenFromString(doc.allocatedFen)),
    paid: formatYuan(fenFromString(doc.paidFen)),
    beneficiaries: doc.beneficiaries,
    available: formatYuan(fenFromString(doc.availableFen)),
  };
}

/**
 * A program-year's summary as a key that does not cover its funding root may read it: the figures
 * of the regions it covers (`regions`), summed as a balance's children are. Each balance counts
 * what it was allocated (pre-allocations and top-ups), what it paid and what it holds; a
 * pass-down between two of these regions moves money inside them and changes none of the sums,
 * so over every region of the fund they are the program-year's own totals.
 */
export function coveredProgramSummaryView(doc: ProgramYearDoc, regions: readonly RegionBalanceDoc[]) {
  const sums = figures(regions);
  return {
    programCode: doc.programCode,
    programName: doc.programName,
    fiscalYear: doc.fiscalYear,
    allocated: sums.allocated,
    paid: sums.paid,
    beneficiaries: sums.beneficiaries,
    available: sums.available,
  } satisfies ReturnType<typeof programSummaryView>;
}

export function trailView(entries: readonly TrailEntryDoc[]) {
  return entries.map((entry) => ({
    position: Number(entry.position),
    recordedAt: entry.recordedAt,
    effectiveOn: entry.effectiveOn,
    type: entry.type,
    amount: formatYuan(fenFromString(entry.amountFen)),
    availableAfter: formatYuan(fenFromString(entry.availableAfterFen)),
    reference: entry.reference,
    actor: entry.actor,
    hash: entry.hash,
  }));
}
