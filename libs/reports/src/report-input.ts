import type { QueryBus } from '@nestjs/cqrs';
import { booksAt, everyRegionReader, GetFlagsQuery } from '@earmark/application';
import type { RegionRegistry } from '@earmark/domain';
import type { EventStore, LedgerReadModels } from '@earmark/event-store';
import { programYearDocOf, regionBalanceDocOf, type FlagThresholds } from '@earmark/projections';
import type { ReportInput } from './ledger-report';

export interface ReportRequest {
  readonly programCode: string;
  readonly fiscalYear: number;
  /** YYYY-MM-DD: balances and flags as they stood at the end of that day; null for now. */
  readonly asOf: string | null;
  readonly thresholds: FlagThresholds;
}

/** The balances (live, or replayed to a date) and the flags of one program-year. */
export async function loadReportInput(
  source: { readonly store: EventStore; readonly readModels: LedgerReadModels; readonly registry: RegionRegistry },
  queryBus: QueryBus,
  request: ReportRequest,
): Promise<ReportInput> {
  const { programCode, fiscalYear, asOf } = request;
  const tables = asOf === null ? source.readModels : await booksAt(source.store, programCode, fiscalYear, { asOf });
  const programYearRow = await tables.programYear(programCode, fiscalYear);
  const programYear = programYearRow ? programYearDocOf(programYearRow, await tables.programDocuments(programCode, fiscalYear)) : null;
  const regions = (await tables.regionBalances(programCode, fiscalYear)).map(regionBalanceDocOf);
  if (programYear === null) throw new Error(`nothing recorded for ${programCode} in ${fiscalYear}${asOf === null ? '' : ` by ${asOf}`}`);
  const flags = await queryBus.execute(
    new GetFlagsQuery(programCode, fiscalYear, everyRegionReader, asOf ?? undefined, request.thresholds),
  );
  return {
    programYear,
    regions,
    flags,
    registry: source.registry,
    asOf,
  };
}
