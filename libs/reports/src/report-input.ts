import type { QueryBus } from '@nestjs/cqrs';
import { everyRegionReader, GetFlagsQuery, type BooksAt } from '@earmark/application';
import type { RegionRegistry } from '@earmark/domain';
import type { LedgerReadModels } from '@earmark/event-store';
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
  source: {
    readonly registry: RegionRegistry;
    /** The tables live, or as the books stood `at` (LedgerSource's). */
    forFund(programCode: string, fiscalYear: number, at: BooksAt | undefined): Promise<LedgerReadModels>;
  },
  queryBus: QueryBus,
  request: ReportRequest,
): Promise<ReportInput> {
  const { programCode, fiscalYear, asOf } = request;
  const tables = await source.forFund(programCode, fiscalYear, asOf === null ? undefined : { asOf });
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
