import { IQueryHandler, Query, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { decodeFundEvent, fenFromString, formatYuan, fundStreamName } from '@earmark/domain';
import { ApplicationError } from '../problem';
import type { Reader } from '../read-scope';
import { GetProgramYearQuery, LedgerSource } from './ledger.queries';

export interface AllocationDocumentView {
  readonly documentNo: string;
  readonly kind: string;
  readonly title: string;
  readonly issuedOn: string;
  readonly issuerRegionCode: string;
  readonly incomeSubject: string;
  readonly expenditureSubject: string;
  readonly total: string;
  readonly position: number;
  readonly lines: readonly { readonly regionCode: string; readonly regionName: string; readonly amount: string }[];
}

/** One allocation document of a program-year with its lines, as the notice gives them. */
export class GetAllocationDocumentQuery extends Query<AllocationDocumentView> {
  constructor(readonly programCode: string, readonly fiscalYear: number, readonly documentNo: string, readonly reader: Reader) {
    super();
  }
}

@QueryHandler(GetAllocationDocumentQuery)
export class GetAllocationDocumentHandler implements IQueryHandler<GetAllocationDocumentQuery> {
  constructor(private readonly queryBus: QueryBus, private readonly source: LedgerSource) {}

  async execute({ programCode, fiscalYear, documentNo, reader }: GetAllocationDocumentQuery): Promise<AllocationDocumentView> {
    // Who may read the program-year's documents, and 404 for no program-year: as for its totals.
    await this.queryBus.execute(new GetProgramYearQuery(programCode, fiscalYear, reader));
    for (const stored of await this.source.store.readStream(fundStreamName(programCode, fiscalYear))) {
      const event = decodeFundEvent(stored);
      if (event?.type !== 'AllocationRecorded' || event.data.documentNo !== documentNo) continue;
      const { data } = event;
      return {
        documentNo: data.documentNo,
        kind: data.kind,
        title: data.title,
        issuedOn: data.issuedOn,
        issuerRegionCode: data.issuerRegionCode,
        incomeSubject: data.incomeSubject,
        expenditureSubject: data.expenditureSubject,
        total: formatYuan(fenFromString(data.totalFen)),
        position: Number(stored.position),
        lines: data.lines.map((line) => ({
          regionCode: line.regionCode,
          regionName: this.source.registry.get(line.regionCode)?.name ?? '',
          amount: formatYuan(fenFromString(line.amountFen)),
        })),
      };
    }
    throw new ApplicationError('not-found', `no allocation document ${documentNo} in ${programCode} ${fiscalYear}`);
  }
}
