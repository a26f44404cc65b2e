import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { GetFlagsQuery, GetPerformanceQuery, type Reader } from '@earmark/application';
import type { Flag, FlagThresholds, PerformanceRow } from '@earmark/projections';
import { CurrentReader, Roles } from '../auth/auth.guard';
import { parseBooksAt, parseFund } from '../http/query-params';

/** The thresholds the flags are measured against (EarmarkConfig.flagThresholds). */
export const FLAG_THRESHOLDS = Symbol('FlagThresholds');

const minPosition = { name: 'minPosition', required: false, description: 'Answer once projections reached this position (≤ 5 s, else 503)' };
const asOf = {
  name: 'asOf',
  required: false,
  description: 'YYYY-MM-DD: the flags as they stood at the end of that day (by effective date); today when absent',
};

const flagSchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      rule: {
        type: 'string',
        enum: [
          'late-pass-down',
          'spending-pace',
          'late-payment',
          'settlement-variance',
          'headcount-mismatch',
          'refused-attempt',
          'performance-enrolment-rate',
          'performance-on-time-rate',
          'performance-minimum-standard',
          'performance-satisfaction',
        ],
      },
      regionCode: { type: 'string', example: '510100' },
      severity: { type: 'string', enum: ['info', 'warning', 'critical'] },
      detail: { type: 'string' },
      since: { type: 'string', format: 'date' },
      threshold: { type: 'string', example: '30 days' },
      evidence: { type: 'array', items: { type: 'integer' }, description: 'Log positions of the events that prove the flag' },
    },
  },
};

const performanceSchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      regionCode: { type: 'string', example: '510100' },
      indicator: {
        type: 'string',
        enum: ['persons-covered', 'enrolment-rate', 'on-time-pass-down-rate', 'minimum-standard', 'effect', 'satisfaction'],
      },
      target: { type: 'string', example: '≥95%' },
      actual: { type: 'string', nullable: true, example: '93.50', description: 'Percent, 元 or persons; two decimals or more' },
      met: { type: 'boolean', nullable: true },
    },
  },
};

@ApiTags('queries')
@ApiBearerAuth()
@ApiQuery(minPosition)
@ApiResponse({ status: 400, description: 'problem+json validation-failed' })
@ApiResponse({ status: 401, description: 'problem+json' })
@ApiResponse({
  status: 403,
  description: 'problem+json forbidden: not an operator or auditor key. Only the regions the key covers are listed',
})
@ApiResponse({ status: 404, description: 'problem+json not-found: no such program-year' })
@Roles('operator', 'auditor')
@Controller('v1')
export class AuditViewsController {
  constructor(
    private readonly queryBus: QueryBus,
    /** Read once with the rest of the configuration, when the service starts. */
    @Inject(FLAG_THRESHOLDS) private readonly thresholds: FlagThresholds,
  ) {}

  @Get('programs/:programCode/years/:fiscalYear/flags')
  @ApiOperation({
    summary:
      "The auditors' flags about the regions the key covers: late pass-downs, spending pace, late payments, " +
      'settlement variances, headcount mismatches, refused attempts, missed targets',
  })
  @ApiQuery(asOf)
  @ApiResponse({ status: 200, description: 'Sorted by rule, region, since', schema: flagSchema })
  getFlags(
    @Param('programCode') programCode: string,
    @Param('fiscalYear') fiscalYear: string,
    @CurrentReader() reader: Reader,
    @Query('asOf') asOfDate?: string,
  ): Promise<Flag[]> {
    const fund = parseFund(programCode, fiscalYear);
    const at = parseBooksAt(asOfDate, undefined);
    const day = at && 'asOf' in at ? at.asOf : undefined;
    return this.queryBus.execute(new GetFlagsQuery(fund.programCode, fund.fiscalYear, reader, day, this.thresholds));
  }

  @Get('programs/:programCode/years/:fiscalYear/performance')
  @ApiOperation({ summary: 'Per 市(州) (its 扩权县 counted under it), each indicator of its Annex 2 targets with the actual' })
  @ApiResponse({ status: 200, description: 'Ordered by region, indicators in the document’s order', schema: performanceSchema })
  getPerformance(
    @Param('programCode') programCode: string,
    @Param('fiscalYear') fiscalYear: string,
    @CurrentReader() reader: Reader,
  ): Promise<PerformanceRow[]> {
    const fund = parseFund(programCode, fiscalYear);
    return this.queryBus.execute(new GetPerformanceQuery(fund.programCode, fund.fiscalYear, reader, this.thresholds));
  }
}
