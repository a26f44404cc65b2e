import { Inject, Injectable } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { chinaDateOf, type FlagState, type RegionRegistry } from '@earmark/domain';
import {
  defaultFlagThresholds,
  type FlagRule,
  type FlagSeverity,
  type FlagThresholds,
  type IdentifiedFlag,
  type PerformanceRow,
} from '@earmark/projections';
import { ApplicationError } from '../problem';
import { CLOCK, REGION_REGISTRY, type Clock } from '../ports';
import { ReadScope, type Reader } from '../read-scope';
import { FundAuditViews, placeOfFlag, type HandledFlag } from './fund-audit-views';

/**
 * Flags per page of the HTTP list unless the caller asks for fewer or more. Smaller than the
 * trail's page: a flag is several times the size of a trail entry (its detail, and up to 200
 * evidence positions), and a hundred is more than a screen shows.
 */
export const defaultFlagPageSize = 100;
/** The most flags one page holds. */
export const maxFlagPageSize = 1_000;

/**
 * The day it is in China, for views that default to today: the day the decider checks dates
 * against and the flags date what has no date of its own by, so that a view taken between 16:00
 * and 24:00 UTC does not leave out what was recorded a moment ago.
 */
export function todayInChina(clock: Clock): string {
  return chinaDateOf(clock.now().toISOString());
}

/** What the audit views' queries share: the views, whom a key covers, and today's date in China. */
@Injectable()
export class AuditReading {
  constructor(
    readonly views: FundAuditViews,
    @Inject(REGION_REGISTRY) private readonly registry: RegionRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  today(): string {
    return todayInChina(this.clock);
  }

  scopeOf(reader: Reader): ReadScope {
    return new ReadScope(this.registry, reader);
  }
}

/** The flags about the regions the key covers, all of them (the report's list). */
export class GetFlagsQuery extends Query<IdentifiedFlag[]> {
  constructor(
    readonly programCode: string,
    readonly fiscalYear: number,
    readonly reader: Reader,
    /** YYYY-MM-DD; today when absent. Only events effective by then count. */
    readonly asOf?: string,
    readonly thresholds: FlagThresholds = defaultFlagThresholds,
  ) {
    super();
  }
}

@QueryHandler(GetFlagsQuery)
export class GetFlagsHandler implements IQueryHandler<GetFlagsQuery> {
  constructor(private readonly reading: AuditReading) {}

  async execute({ programCode, fiscalYear, reader, asOf, thresholds }: GetFlagsQuery): Promise<IdentifiedFlag[]> {
    const flags = await this.reading.views.flags(programCode, fiscalYear, asOf ?? this.reading.today(), thresholds);
    const scope = this.reading.scopeOf(reader);
    return flags.filter((flag) => scope.coversRegionOrRoot(flag.regionCode));
  }
}

/** Which flags a page holds: those after `after` (a flag id) that pass the filters, at most `limit`. */
export interface FlagPageRequest {
  readonly limit: number;
  readonly after?: string;
  readonly rule?: FlagRule;
  readonly severity?: FlagSeverity;
  readonly regionCode?: string;
  readonly state?: FlagState;
}

export interface FlagPage {
  readonly flags: HandledFlag[];
  /** The id of the page's last flag when more follow, else null. */
  readonly nextAfter: string | null;
}

/** One page of the flags about the regions the key covers, in the list's order (rule, region, since, anchor). */
export class GetFlagPageQuery extends Query<FlagPage> {
  constructor(
    readonly programCode: string,
    readonly fiscalYear: number,
    readonly reader: Reader,
    readonly page: FlagPageRequest,
    /** YYYY-MM-DD; today when absent. */
    readonly asOf?: string,
    readonly thresholds: FlagThresholds = defaultFlagThresholds,
  ) {
    super();
  }
}

@QueryHandler(GetFlagPageQuery)
export class GetFlagPageHandler implements IQueryHandler<GetFlagPageQuery> {
  constructor(private readonly reading: AuditReading) {}

  async execute({ programCode, fiscalYear, reader, page, asOf, thresholds }: GetFlagPageQuery): Promise<FlagPage> {
    if (!(Number.isSafeInteger(page.limit) && page.limit >= 1 && page.limit <= maxFlagPageSize)) {
      throw new Error(`flag page of ${page.limit} flags`);
    }
    const flags = await this.reading.views.handledFlags(programCode, fiscalYear, this.reading.today(), asOf, thresholds);
    let start = 0;
    if (page.after !== undefined) {
      const index = placeOfFlag(flags, page.after);
      if (index === undefined) {
        throw new ApplicationError(
          'validation-failed',
          `after: no flag ${page.after} in this list (its cause may be gone); start again without after`,
        );
      }
      start = index + 1;
    }
    const readScope = this.reading.scopeOf(reader);
    // A list holds many flags per region: each region's cover is worked out once per call.
    const covered = new Map<string, boolean>();
    const scope = {
      coversRegionOrRoot(regionCode: string): boolean {
        let covers = covered.get(regionCode);
        if (covers === undefined) {
          covers = readScope.coversRegionOrRoot(regionCode);
          covered.set(regionCode, covers);
        }
        return covers;
      },
    };
    const found: HandledFlag[] = [];
    // Stops one past the page: that one only says whether more follow.
    for (let index = start; index < flags.length && found.length <= page.limit; index += 1) {
      const flag = flags[index];
      if (page.rule !== undefined && flag.rule !== page.rule) continue;
      if (page.severity !== undefined && flag.severity !== page.severity) continue;
      if (page.regionCode !== undefined && flag.regionCode !== page.regionCode) continue;
      if (page.state !== undefined && flag.state !== page.state) continue;
      if (!scope.coversRegionOrRoot(flag.regionCode)) continue;
      found.push(flag);
    }
    if (found.length <= page.limit) return { flags: found, nextAfter: null };
    const shown = found.slice(0, page.limit);
    return { flags: shown, nextAfter: shown[shown.length - 1].id };
  }
}

/** The performance rows of the 市(州) the key covers. */
export class GetPerformanceQuery extends Query<PerformanceRow[]> {
  constructor(
    readonly programCode: string,
    readonly fiscalYear: number,
    readonly reader: Reader,
    readonly thresholds: FlagThresholds = defaultFlagThresholds,
  ) {
    super();
  }
}

@QueryHandler(GetPerformanceQuery)
export class GetPerformanceHandler implements IQueryHandler<GetPerformanceQuery> {
  constructor(private readonly reading: AuditReading) {}

  async execute({ programCode, fiscalYear, reader, thresholds }: GetPerformanceQuery): Promise<PerformanceRow[]> {
    // As of today: money still inside its pass-down window is not yet late.
    const rows = await this.reading.views.performance(programCode, fiscalYear, this.reading.today(), thresholds);
    const scope = this.reading.scopeOf(reader);
    return rows.filter((row) => scope.covers(row.regionCode));
  }
}

export const auditViewQueryHandlers = [FundAuditViews, AuditReading, GetFlagsHandler, GetFlagPageHandler, GetPerformanceHandler];
