import { IQueryHandler, Query, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { GetProgramYearQuery, LedgerSource, type Reader } from '@earmark/application';
import type { FlagThresholds } from '@earmark/projections';
import { buildLedgerReport, renderReport } from './ledger-report';
import { loadReportInput } from './report-input';
import { renderReportXlsx } from './report-xlsx';

export type DownloadFormat = 'xlsx' | 'csv' | 'md' | 'html';
export const downloadFormats: readonly DownloadFormat[] = ['xlsx', 'csv', 'md', 'html'];

const mediaTypes: Record<DownloadFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

export interface ReportDownload {
  readonly body: Buffer;
  readonly mediaType: string;
  readonly filename: string;
}

/** The reconciliation report of a program-year as a file, in Chinese, for a key covering its root. */
export class GetReportQuery extends Query<ReportDownload> {
  constructor(
    readonly programCode: string,
    readonly fiscalYear: number,
    readonly reader: Reader,
    readonly format: DownloadFormat,
    readonly asOf: string | null,
    readonly thresholds: FlagThresholds,
  ) {
    super();
  }
}

@QueryHandler(GetReportQuery)
export class GetReportHandler implements IQueryHandler<GetReportQuery> {
  constructor(private readonly queryBus: QueryBus, private readonly source: LedgerSource) {}

  async execute({ programCode, fiscalYear, reader, format, asOf, thresholds }: GetReportQuery): Promise<ReportDownload> {
    // The same answer as the program-year's totals: 404 for none, 403 for a key not covering the root.
    await this.queryBus.execute(new GetProgramYearQuery(programCode, fiscalYear, reader, asOf === null ? undefined : { asOf }));
    const input = await loadReportInput(this.source, this.queryBus, { programCode, fiscalYear, asOf, thresholds });
    const report = buildLedgerReport(input);
    const body = format === 'xlsx' ? await renderReportXlsx(report, 'zh-CN') : Buffer.from(renderReport(report, format, 'zh-CN'), 'utf8');
    return {
      body,
      mediaType: mediaTypes[format],
      filename: `report-${programCode}-${fiscalYear}${asOf === null ? '' : `-as-of-${asOf}`}.${format}`,
    };
  }
}
