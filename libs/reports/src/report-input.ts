import type { QueryBus } from '@nestjs/cqrs';
import { booksAt, everyRegionReader, GetFlagsQuery } from '@earmark/application';
import type { RegionRegistry } from '@earmark/domain';
import type { EventStore, ReadModelStore, StoredDoc } from '@earmark/event-store';
import { collections, docsOf, fundKey, type FlagThresholds, type ProgramYearDoc, type RegionBalanceDoc } from '@earmark/projections';
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
  source: { readonly store: EventStore; readonly readModels: ReadModelStore; readonly registry: RegionRegistry },
  queryBus: QueryBus,
  request: ReportRequest,
): Promise<ReportInput> {
  const { programCode, fiscalYear, asOf } = request;
  const fund = fundKey(programCode, fiscalYear);
  let programYear: StoredDoc | null;
  let regions: StoredDoc[];
  if (asOf === null) {
    programYear = await source.readModels.getDoc(collections.programYear, fund);
    regions = await source.readModels.listDocs(collections.regionBalance, fund);
  } else {
    const docs = await booksAt(source.store, programCode, fiscalYear, { asOf });
    programYear = docs.get(collections.programYear, fund);
    regions = docs.list(collections.regionBalance, fund);
  }
  if (programYear === null) throw new Error(`nothing recorded for ${programCode} in ${fiscalYear}${asOf === null ? '' : ` by ${asOf}`}`);
  const flags = await queryBus.execute(
    new GetFlagsQuery(programCode, fiscalYear, everyRegionReader, asOf ?? undefined, request.thresholds),
  );
  return {
    programYear: programYear.doc as ProgramYearDoc,
    regions: docsOf<RegionBalanceDoc>(regions),
    flags,
    registry: source.registry,
    asOf,
  };
}
