import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  ApplicationError,
  GetProgramYearQuery,
  GetRegionBalanceQuery,
  GetRegionTrailQuery,
  ListProgramsQuery,
  ListRegionBalancesQuery,
  REGION_REGISTRY,
} from '@earmark/application';
import type { Region, RegionRegistry } from '@earmark/domain';
import { Roles } from '../auth/auth.guard';
import { parseBooksAt, parseFund, parseRegionCode } from '../http/query-params';

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
@ApiResponse({ status: 403, description: 'problem+json' })
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
  @ApiOperation({ summary: 'Every program-year with its totals' })
  listPrograms() {
    return this.queryBus.execute(new ListProgramsQuery());
  }

  @Get('programs/:programCode/years/:fiscalYear')
  @ApiOperation({ summary: "A program-year's totals and documents" })
  @ApiQuery(asOf)
  @ApiQuery(atPosition)
  getProgramYear(
    @Param('programCode') programCode: string,
    @Param('fiscalYear') fiscalYear: string,
    @Query('asOf') asOfDate?: string,
    @Query('atPosition') atPos?: string,
  ) {
    const fund = parseFund(programCode, fiscalYear);
    return this.queryBus.execute(new GetProgramYearQuery(fund.programCode, fund.fiscalYear, parseBooksAt(asOfDate, atPos)));
  }

  @Get('programs/:programCode/years/:fiscalYear/regions')
  @ApiOperation({ summary: 'One balance per region that holds or held money' })
  @ApiQuery(asOf)
  @ApiQuery(atPosition)
  listRegionBalances(
    @Param('programCode') programCode: string,
    @Param('fiscalYear') fiscalYear: string,
    @Query('asOf') asOfDate?: string,
    @Query('atPosition') atPos?: string,
  ) {
    const fund = parseFund(programCode, fiscalYear);
    return this.queryBus.execute(new ListRegionBalancesQuery(fund.programCode, fund.fiscalYear, parseBooksAt(asOfDate, atPos)));
  }

  @Get('programs/:programCode/years/:fiscalYear/regions/:regionCode')
  @ApiOperation({ summary: "A region's balance, its settlement and its children's sums" })
  @ApiQuery(asOf)
  @ApiQuery(atPosition)
  getRegionBalance(
    @Param('programCode') programCode: string,
    @Param('fiscalYear') fiscalYear: string,
    @Param('regionCode') regionCode: string,
    @Query('asOf') asOfDate?: string,
    @Query('atPosition') atPos?: string,
  ) {
    const fund = parseFund(programCode, fiscalYear);
    return this.queryBus.execute(
      new GetRegionBalanceQuery(fund.programCode, fund.fiscalYear, parseRegionCode(regionCode), parseBooksAt(asOfDate, atPos)),
    );
  }

  @Get('programs/:programCode/years/:fiscalYear/regions/:regionCode/trail')
  @ApiOperation({ summary: "The region's audit trail, oldest first" })
  @ApiQuery(asOf)
  @ApiQuery(atPosition)
  getRegionTrail(
    @Param('programCode') programCode: string,
    @Param('fiscalYear') fiscalYear: string,
    @Param('regionCode') regionCode: string,
    @Query('asOf') asOfDate?: string,
    @Query('atPosition') atPos?: string,
  ) {
    const fund = parseFund(programCode, fiscalYear);
    return this.queryBus.execute(
      new GetRegionTrailQuery(fund.programCode, fund.fiscalYear, parseRegionCode(regionCode), parseBooksAt(asOfDate, atPos)),
    );
  }
}
