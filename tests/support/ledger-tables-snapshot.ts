import type { LedgerReadModels } from '@earmark/event-store';

/** A trail page larger than any test's trail, so that one page is the whole trail. */
const wholeTrail = { after: 0n, limit: 1_000_000 };

/** Every row of the ledger tables reachable through the read port, for comparing two states. */
export async function ledgerTablesSnapshot(readModels: LedgerReadModels, disbursementIds: readonly string[]) {
  const programYears = await readModels.listProgramYears();
  const documents = [];
  const regionBalances = [];
  const trail = [];
  const refusals = [];
  const performanceTargets = [];
  const performanceActuals = [];
  for (const { programCode, fiscalYear } of programYears) {
    documents.push(...(await readModels.programDocuments(programCode, fiscalYear)));
    const regions = await readModels.regionBalances(programCode, fiscalYear);
    regionBalances.push(...regions);
    for (const region of regions) trail.push(...(await readModels.trailPage(programCode, fiscalYear, region.regionCode, wholeTrail)));
    refusals.push(...(await readModels.refusals(programCode, fiscalYear)));
    performanceTargets.push(...(await readModels.performanceTargets(programCode, fiscalYear)));
    performanceActuals.push(...(await readModels.performanceActuals(programCode, fiscalYear)));
  }
  const disbursements = await Promise.all(disbursementIds.map((id) => readModels.disbursement(id)));
  return { programYears, documents, regionBalances, trail, refusals, performanceTargets, performanceActuals, disbursements };
}
