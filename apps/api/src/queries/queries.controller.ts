import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  ApplicationError,
  defaultTrailPageSize,
  maxTrailPageSize,
  GetProgramYearQuery,
  GetRegionBalanceQuery,
  GetRegionTrailQuery,
  ListProgramsQuery,
  ListRegionBalancesQuery,
  REGION_REGISTRY,
  type Reader,
} from '@earmark/application';
import type { Region, RegionRegistry } from '@earmark/domain';
import { CurrentReader, Roles } from '../auth/auth.guard';
import { parseBooksAt, parseFund, parsePosition, parseProgramYearFilter, parseRegionCode, parseTrailLimit } from '../http/query-params';

const minPosition = { name: 'minPosition', required: false, description: 'Answer once projections reached this position (≤ 5 s, else 503)' };
const asOf = { name: 'asOf', required: false, description: 'YYYY-MM-DD: the books as they stood on that date (by effective date)' };
const atPosition = { name: 'atPosition', required: false, description: 'The books as they stood at that log position' };

function regionView(region: Region) {
  return {
    code: region.code,
    name: region.name,
    shortName: region.shortName,
    level: region.level,
    parentCode: region.parentCode,
    directFromProvince: region.directFromProvince,
  };
}

@ApiTags('queries')
@ApiBearerAuth()
@ApiQuery(minPosition)
@ApiResponse({ status: 401, description: 'problem+json' })
@ApiResponse({
  status: 403,
  description:
    'problem+json forbidden: not an operator or auditor key, or a region the key does not cover (scope follows the funding tree); ' +
    'program-year totals and documents need a key covering the funding root. Lists show only the regions the key covers, and the program-years where one of them holds a balance.',
})
@Roles('operator', 'auditor')
@Controller('v1')
export class QueriesController {
  constructor(private readonly queryBus: QueryBus, @Inject(REGION_REGISTRY) private readonly registry: RegionRegistry) {}

  @Get('regions')
  @ApiOperation({ summary: 'The region registry' })
  listRegions() {
    return this.registry.all().map(regionView);
  }

  @Get('regions/:code')
  @ApiOperation({ summary: 'One region of the registry' })
  getRegion(@Param('code') code: string) {
    const region = this.registry.get(parseRegionCode(code));
    if (!region) throw new ApplicationError('not-found', `no region ${code}`);
    return regionView(region);
  }

  @Get('programs')
  @ApiOperation({
    summary: 'The program-years the key may read, with its totals or the figures of the regions the key covers',
    description:
      'A key covering a program-year\'s funding root gets its totals. A key that does not (a 市(州) or 区/县 key) gets the ' +
      'program-years in which a region it covers holds a balance, with the same fields: `allocated`, `paid`, `beneficiaries` ' +
      'and `available` summed over the balances of the regions it covers (scope follows the funding tree: a 市 covers its ' +
      '区/县, never the 扩权县 the province pays directly). `allocated` is what allocation documents gave those regions; a ' +
      'pass-down between two of them moves money inside them and changes none of the figures. Program-years where it covers ' +
      'no region holding a balance are left out. The program-year itself (`/v1/programs/{p}/years/{y}`) stays a 403 for it. ' +
      'With `asOf` or `atPosition`, the same figures as the books stood then: a program-year with nothing allocated by then, ' +
      'or (for a key not covering the root) none of whose covered regions held a balance then, is left out. ' +
      '`programCode` with `fiscalYear` narrows the list to that program-year (and replays only its fund for a date).',
  })
  @ApiQuery(asOf)
  @ApiQuery(atPosition)
  @ApiQuery({ name: 'programCode', required: false, description: 'with fiscalYear: that program-year alone (both or neither)' })
  @ApiQuery({ name: 'fiscalYear', required: false, description: 'with programCode: that program-year alone (both or neither)' })
  listPrograms(
    @CurrentReader() reader: Reader,
    @Query('asOf') asOfDate?: string,
    @Query('atPosition') atPos?: string,
    @Query('programCode') programCode?: string,
    @Query('fiscalYear') fiscalYear?: string,
  ) {
    const only = parseProgramYearFilter(programCode, fiscalYear);
    return this.queryBus.execute(new ListProgramsQuery(reader, parseBooksAt(asOfDate, atPos), only));
  }

  @Get('programs/:programCode/years/:fiscalYear')
  @ApiOperation({ summary: "A program-year's totals and documents" })
  @ApiQuery(asOf)
  @ApiQuery(atPosition)
  getProgramYear(
    @Param('programCode') programCode: string,
    @Param('fiscalYear') fiscalYear: string,
    @CurrentReader() reader: Reader,
    @Query('asOf') asOfDate?: string,
    @Query('atPosition') atPos?: string,
  ) {
    const fund = parseFund(programCode, fiscalYear);
    return this.queryBus.execute(new GetProgramYearQuery(fund.programCode, fund.fiscalYear, reader, parseBooksAt(asOfDate, atPos)));
  }

  @Get('programs/:programCode/years/:fiscalYear/regions')
  @ApiOperation({ summary: 'One balance per region that holds or held money' })
  @ApiQuery(asOf)
  @ApiQuery(atPosition)
  listRegionBalances(
    @Param('programCode') programCode: string,
    @Param('fiscalYear') fiscalYear: string,
    @CurrentReader() reader: Reader,
    @Query('asOf') asOfDate?: string,
    @Query('atPosition') atPos?: string,
  ) {
    const fund = parseFund(programCode, fiscalYear);
    return this.queryBus.execute(new ListRegionBalancesQuery(fund.programCode, fund.fiscalYear, reader, parseBooksAt(asOfDate, atPos)));
  }

  @Get('programs/:programCode/years/:fiscalYear/regions/:regionCode')
  @ApiOperation({ summary: "A region's balance, its settlement and its children's sums" })
  @ApiQuery(asOf)
  @ApiQuery(atPosition)
  getRegionBalance(
    @Param('programCode') programCode: string,
    @Param('fiscalYear') fiscalYear: string,
    @Param('regionCode') regionCode: string,
    @CurrentReader() reader: Reader,
    @Query('asOf') asOfDate?: string,
    @Query('atPosition') atPos?: string,
  ) {
    const fund = parseFund(programCode, fiscalYear);
    return this.queryBus.execute(
      new GetRegionBalanceQuery(fund.programCode, fund.fiscalYear, parseRegionCode(regionCode), reader, parseBooksAt(asOfDate, atPos)),
    );
  }

  @Get('programs/:programCode/years/:fiscalYear/regions/:regionCode/trail')
  @ApiOperation({
    summary: "One page of the region's audit trail, oldest first",
    description: 'When more entries follow, the answer carries `Link: <…>; rel="next"` naming the next page.',
  })
  @ApiQuery(asOf)
  @ApiQuery(atPosition)
  @ApiQuery({ name: 'limit', required: false, description: `Entries per page: 1 to ${maxTrailPageSize}, ${defaultTrailPageSize} unless given` })
  @ApiQuery({ name: 'after', required: false, description: 'The position after which the page starts (0 unless given)' })
  async getRegionTrail(
    @Param('programCode') programCode: string,
    @Param('fiscalYear') fiscalYear: string,
    @Param('regionCode') regionCode: string,
    @CurrentReader() reader: Reader,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Query('asOf') asOfDate?: string,
    @Query('atPosition') atPos?: string,
    @Query('limit') limitText?: string,
    @Query('after') afterText?: string,
  ) {
    const fund = parseFund(programCode, fiscalYear);
    const region = parseRegionCode(regionCode);
    const page = { after: parsePosition('after', afterText) ?? 0n, limit: parseTrailLimit(limitText) };
    const { entries, nextAfter } = await this.queryBus.execute(
      new GetRegionTrailQuery(fund.programCode, fund.fiscalYear, region, reader, parseBooksAt(asOfDate, atPos), page),
    );
    if (nextAfter !== null) {
      const next = new URLSearchParams({
        ...(asOfDate === undefined ? {} : { asOf: asOfDate }),
        ...(atPos === undefined ? {} : { atPosition: atPos }),
        limit: String(page.limit),
        after: String(nextAfter),
      });
      reply.header('Link', `</v1/programs/${fund.programCode}/years/${fund.fiscalYear}/regions/${region}/trail?${next.toString()}>; rel="next"`);
    }
    return entries;
  }
}
