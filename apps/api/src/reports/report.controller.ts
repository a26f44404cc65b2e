import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Reader } from '@earmark/application';
import type { FlagThresholds } from '@earmark/projections';
import { downloadFormats, GetReportQuery, type DownloadFormat } from '@earmark/reports';
import { CurrentReader, Roles } from '../auth/auth.guard';
import { ValidationFailed } from '../http/problem.filter';
import { parseBooksAt, parseFund } from '../http/query-params';
import { FLAG_THRESHOLDS } from '../queries/audit-views.controller';

@ApiTags('queries')
@ApiBearerAuth()
@ApiResponse({ status: 400, description: 'problem+json validation-failed: an unknown format or a malformed asOf' })
@ApiResponse({ status: 401, description: 'problem+json' })
@ApiResponse({ status: 403, description: 'problem+json forbidden: not an operator or auditor key covering the funding root' })
@ApiResponse({ status: 404, description: 'problem+json not-found: no such program-year' })
@Roles('operator', 'auditor')
@Controller('v1')
export class ReportController {
  constructor(
    private readonly queryBus: QueryBus,
    /** The configuration's, as the flags endpoint has them. */
    @Inject(FLAG_THRESHOLDS) private readonly thresholds: FlagThresholds,
  ) {}

  @Get('programs/:programCode/years/:fiscalYear/report')
  @ApiOperation({
    summary: 'The reconciliation report the CLI writes, as a download in Chinese',
    description:
      'xlsx: a sheet in 元 and one in 万元, number cells, frozen header, totals row as ROUND(SUM()) formulas; ' +
      'csv: UTF-8 with a byte-order mark and Chinese headers; md; html. Totals equal the program-year totals to the 分.',
  })
  @ApiQuery({ name: 'format', required: true, enum: downloadFormats })
  @ApiQuery({ name: 'asOf', required: false, description: 'YYYY-MM-DD: the books as they stood at the end of that day' })
  @ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/csv', 'text/markdown', 'text/html')
  async getReport(
    @Param('programCode') programCode: string,
    @Param('fiscalYear') fiscalYear: string,
    @CurrentReader() reader: Reader,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Query('format') format?: string,
    @Query('asOf') asOfDate?: string,
  ): Promise<Buffer> {
    const fund = parseFund(programCode, fiscalYear);
    if (!downloadFormats.includes(format as DownloadFormat)) {
      throw new ValidationFailed([{ path: 'format', message: `must be one of ${downloadFormats.join(', ')}` }]);
    }
    const at = parseBooksAt(asOfDate, undefined);
    const asOf = at && 'asOf' in at ? at.asOf : null;
    const download = await this.queryBus.execute(
      new GetReportQuery(fund.programCode, fund.fiscalYear, reader, format as DownloadFormat, asOf, this.thresholds),
    );
    reply.header('content-type', download.mediaType);
    reply.header('content-disposition', `attachment; filename="${download.filename}"`);
    reply.header('x-content-type-options', 'nosniff');
    return download.body;
  }
}
