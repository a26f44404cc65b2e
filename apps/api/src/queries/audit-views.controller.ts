import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  defaultFlagPageSize,
  GetFlagPageQuery,
  GetPerformanceQuery,
  maxFlagPageSize,
  type FlagPage,
  type HandledFlag,
  type Reader,
} from '@earmark/application';
import { flagStates } from '@earmark/domain';
import { flagIdPattern, type FlagRule, type FlagSeverity, type FlagThresholds, type PerformanceRow } from '@earmark/projections';
import { CurrentReader, Roles } from '../auth/auth.guard';
import { ValidationFailed } from '../http/problem.filter';
import { parseBooksAt, parseFund, parseRegionCode } from '../http/query-params';

/** The thresholds the flags are measured against (EarmarkConfig.flagThresholds). */
export const FLAG_THRESHOLDS = Symbol('FlagThresholds');

const minPosition = { name: 'minPosition', required: false, description: 'Answer once projections reached this position (≤ 5 s, else 503)' };
const asOf = {
  name: 'asOf',
  required: false,
  description: 'YYYY-MM-DD: the flags as they stood at the end of that day (by effective date); today when absent',
};

const flagRules: readonly FlagRule[] = [
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
];
const flagSeverities: readonly FlagSeverity[] = ['info', 'warning', 'critical'];
/** Longer than any id `flagId` writes. */
const maxFlagIdLength = 120;

const flagSchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      id: {
        type: 'string',
        example: 'late-pass-down:510100:lot-1',
        description: 'Stable for the same finding: rule, region and what the finding is about (docs/flags.md)',
      },
      rule: { type: 'string', enum: [...flagRules] },
      regionCode: { type: 'string', example: '510100' },
      severity: { type: 'string', enum: ['info', 'warning', 'critical'] },
      detail: { type: 'string' },
      since: { type: 'string', format: 'date' },
      threshold: { type: 'string', example: '30 days' },
      evidence: {
        type: 'array',
        items: { type: 'integer' },
        description: 'Log positions of the events that prove the flag; empty for a resolved flag',
      },
      state: {
        type: 'string',
        enum: ['raised', 'acknowledged', 'responded', 'archived'],
        description: '预警 raised → 处理 acknowledged → 反馈 responded → 归档 archived (POST /v1/flags/{id}/actions)',
      },
      resolved: {
        type: 'boolean',
        description:
          'true: the rules no longer find it (its cause is gone) but its handling is not archived; listed after the others, ' +
          'as the last handling step recorded it, until archived (today’s list only)',
      },
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
  @ApiQuery({ name: 'limit', required: false, description: `Flags per page: 1 to ${maxFlagPageSize}, ${defaultFlagPageSize} unless given` })
  @ApiQuery({
    name: 'after',
    required: false,
    description: 'The id of the flag after which the page starts (the last of the previous page); a flag no longer listed: 400',
  })
  @ApiQuery({ name: 'rule', required: false, enum: [...flagRules], description: 'Only flags of this rule' })
  @ApiQuery({ name: 'severity', required: false, enum: [...flagSeverities], description: 'Only flags of this severity' })
  @ApiQuery({ name: 'region', required: false, description: 'Only flags about this region (6-digit code)' })
  @ApiQuery({ name: 'state', required: false, enum: [...flagStates], description: 'Only flags in this handling state' })
  @ApiResponse({
    status: 200,
    description: 'Sorted by rule, region, since. When more flags follow, the answer carries `Link: <…>; rel="next"` naming the next page.',
    schema: flagSchema,
  })
  async getFlags(
    @Param('programCode') programCode: string,
    @Param('fiscalYear') fiscalYear: string,
    @CurrentReader() reader: Reader,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Query('asOf') asOfDate?: string,
    @Query('limit') limitText?: string,
    @Query('after') after?: string,
    @Query('rule') rule?: string,
    @Query('severity') severity?: string,
    @Query('region') region?: string,
    @Query('state') state?: string,
  ): Promise<HandledFlag[]> {
    const fund = parseFund(programCode, fiscalYear);
    const at = parseBooksAt(asOfDate, undefined);
    const day = at && 'asOf' in at ? at.asOf : undefined;
    const page = {
      limit: parseFlagLimit(limitText),
      ...(after === undefined ? {} : { after: parseFlagId(after) }),
      ...(rule === undefined ? {} : { rule: oneOf('rule', rule, flagRules) }),
      ...(severity === undefined ? {} : { severity: oneOf('severity', severity, flagSeverities) }),
      ...(region === undefined ? {} : { regionCode: parseRegionCode(region) }),
      ...(state === undefined ? {} : { state: oneOf('state', state, flagStates) }),
    };
    const { flags, nextAfter }: FlagPage = await this.queryBus.execute(
      new GetFlagPageQuery(fund.programCode, fund.fiscalYear, reader, page, day, this.thresholds),
    );
    if (nextAfter !== null) {
      const next = new URLSearchParams({
        ...(asOfDate === undefined ? {} : { asOf: asOfDate }),
        ...(rule === undefined ? {} : { rule }),
        ...(severity === undefined ? {} : { severity }),
        ...(region === undefined ? {} : { region }),
        ...(state === undefined ? {} : { state }),
        limit: String(page.limit),
        after: nextAfter,
      });
      reply.header('Link', `</v1/programs/${fund.programCode}/years/${fund.fiscalYear}/flags?${next.toString()}>; rel="next"`);
    }
    return flags;
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

/** ?limit= of a flags page. */
function parseFlagLimit(value: string | undefined): number {
  if (value === undefined) return defaultFlagPageSize;
  const limit = /^[0-9]{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(limit >= 1 && limit <= maxFlagPageSize)) {
    throw new ValidationFailed([{ path: 'limit', message: `must be a whole number from 1 to ${maxFlagPageSize}` }]);
  }
  return limit;
}

function parseFlagId(value: string): string {
  if (value.length > maxFlagIdLength || !flagIdPattern.test(value)) {
    throw new ValidationFailed([{ path: 'after', message: 'must be a flag id as the list gives it' }]);
  }
  return value;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) throw new ValidationFailed([{ path: name, message: `must be one of ${allowed.join(', ')}` }]);
  return found;
}
