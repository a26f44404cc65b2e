import { Inject, Injectable } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { RegionRegistry } from '@earmark/domain';
import type { EventStore, LedgerReadModels, ProgramYearRow } from '@earmark/event-store';
import {
  childrenByParent,
  coveredProgramSummaryView,
  ledgerProjectionName,
  programSummaryView,
  programYearDocOf,
  programYearView,
  regionBalanceDocOf,
  regionBalanceView,
  trailEntryDocOf,
  trailView,
  type RegionBalanceDoc,
} from '@earmark/projections';
import { ApplicationError } from '../problem';
import { EVENT_STORE, LEDGER_SETTINGS, READ_MODELS, REGION_REGISTRY, type LedgerSettings } from '../ports';
import { ReadScope, type Reader } from '../read-scope';
import { BooksAtViews, type BooksAt } from './books-at';
import { ReplayTurns } from './replay-turns';

/**
 * What the ledger's queries read: the tables, live or as the books stood at a date or position,
 * and the region registry a reader's scope is judged with.
 */
@Injectable()
export class LedgerSource {
  constructor(
    @Inject(READ_MODELS) readonly readModels: LedgerReadModels,
    @Inject(EVENT_STORE) readonly store: EventStore,
    @Inject(REGION_REGISTRY) readonly registry: RegionRegistry,
    private readonly past: BooksAtViews,
  ) {}

  async forFund(programCode: string, fiscalYear: number, at: BooksAt | undefined): Promise<LedgerReadModels> {
    return at ? this.past.tables(programCode, fiscalYear, at) : this.readModels;
  }

  scopeOf(reader: Reader): ReadScope {
    return new ReadScope(this.registry, reader);
  }

  /**
   * Whether the key covers a region that holds a balance of the fund now. A region held money in a
   * past view only if it holds a balance row now (rows are never removed), so without one a past
   * view holds none of the key's regions either, and the fund need not be replayed for it.
   */
  async coversRegionHoldingMoney(programCode: string, fiscalYear: number, scope: ReadScope): Promise<boolean> {
    return (await this.readModels.regionBalances(programCode, fiscalYear)).some((row) => scope.covers(row.regionCode));
  }
}

/** Waits until the projections have reached a position (?minPosition=N). */
export class ProjectionWaiter {
  constructor(private readonly readModels: LedgerReadModels, private readonly settings: LedgerSettings) {}

  async waitFor(position: bigint): Promise<void> {
    const pollMs = 20;
    const deadline = Date.now() + this.settings.minPositionWaitMs;
    for (;;) {
      if ((await this.readModels.checkpoint(ledgerProjectionName)) >= position) return;
      if (Date.now() >= deadline) {
        throw new ApplicationError('projection-lagging', `projections have not reached position ${position}`);
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }
}

/** A program-year's funding root: the issuer of its first allocation, as its row records it. */
function rootOf(row: ProgramYearRow): string | null {
  return row.issuerRegionCode || null;
}

/** The regions a key covers, among a fund's balances: a balance's children are summed over these only. */
function coveredRegions(regions: readonly RegionBalanceDoc[], scope: ReadScope): RegionBalanceDoc[] {
  return regions.filter((region) => scope.covers(region.regionCode));
}

/**
 * Every program-year the key may read something of, live or as the books stood `at`: with its
 * totals where the key covers the funding root; otherwise, where a region the key covers holds a
 * balance, with the figures of the regions it covers only. A program-year with nothing allocated
 * yet `at` is left out; with `only`, every other one is.
 */
export class ListProgramsQuery extends Query<ReturnType<typeof programSummaryView>[]> {
  constructor(
    readonly reader: Reader,
    readonly at?: BooksAt,
    /** One program-year alone: the list narrowed to it, and only its fund replayed for `at`. */
    readonly only?: { readonly programCode: string; readonly fiscalYear: number },
  ) {
    super();
  }
}

@QueryHandler(ListProgramsQuery)
export class ListProgramsHandler implements IQueryHandler<ListProgramsQuery> {
  constructor(private readonly source: LedgerSource) {}
  async execute({ reader, at, only }: ListProgramsQuery) {
    const scope = this.source.scopeOf(reader);
    // The program-years are those of the live list: one with no row now had none in the past.
    const listed = await this.source.readModels.listProgramYears();
    const rows = only ? listed.filter((row) => row.programCode === only.programCode && row.fiscalYear === only.fiscalYear) : listed;
    const summaryOf = (row: ProgramYearRow) => this.summaryOf(row, scope, at);
    // As the books stood, one program-year after another: each may replay its fund, and replays take
    // their turn (ReplayTurns), so asking for all at once would fill the queue from one call.
    const summaries = at ? await inTurn(rows, summaryOf) : await Promise.all(rows.map(summaryOf));
    return summaries.filter((summary) => summary !== null);
  }

  private async summaryOf(live: ProgramYearRow, scope: ReadScope, at: BooksAt | undefined) {
    const { programCode, fiscalYear } = live;
    // The root is fixed by the first allocation, so the live row names it for every past view.
    const coversRoot = scope.coversRoot(rootOf(live));
    if (at && !coversRoot && !(await this.source.coversRegionHoldingMoney(programCode, fiscalYear, scope))) return null;
    const tables = await this.source.forFund(programCode, fiscalYear, at);
    const row = at ? await tables.programYear(programCode, fiscalYear) : live;
    if (!row) return null;
    const doc = programYearDocOf(row, []);
    if (coversRoot) return programSummaryView(doc);
    const funded = await tables.regionBalances(programCode, fiscalYear);
    const regions = coveredRegions(funded.map(regionBalanceDocOf), scope);
    return regions.length === 0 ? null : coveredProgramSummaryView(doc, regions);
  }
}

/** `answer` for each item, one after the other, in order. */
async function inTurn<Item, Answer>(items: readonly Item[], answer: (item: Item) => Promise<Answer>): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const item of items) answers.push(await answer(item));
  return answers;
}

/** A question about one program-year, asked by `reader`, of the books live or as they stood `at`. */
abstract class ProgramYearQuery<Answer> extends Query<Answer> {
  constructor(readonly programCode: string, readonly fiscalYear: number, readonly reader: Reader, readonly at?: BooksAt) {
    super();
  }
}

/** Totals and documents sum every region's money: a key covering the funding root only. */
export class GetProgramYearQuery extends ProgramYearQuery<ReturnType<typeof programYearView>> {}

@QueryHandler(GetProgramYearQuery)
export class GetProgramYearHandler implements IQueryHandler<GetProgramYearQuery> {
  constructor(private readonly source: LedgerSource) {}
  async execute({ programCode, fiscalYear, reader, at }: GetProgramYearQuery) {
    const scope = this.source.scopeOf(reader);
    if (at) {
      // The root is fixed by the first allocation, so the live row names it for every past view: a
      // key that may not read the totals is refused before the fund is replayed for it.
      const live = await this.source.readModels.programYear(programCode, fiscalYear);
      if (!live) throw new ApplicationError('not-found', `no program ${programCode} in ${fiscalYear}`);
      scope.requireRoot(rootOf(live), `the totals of ${programCode} ${fiscalYear}`);
    }
    const tables = await this.source.forFund(programCode, fiscalYear, at);
    // Asked together: on a server store the two reads share one wait instead of two in a row.
    const [row, documents] = await Promise.all([tables.programYear(programCode, fiscalYear), tables.programDocuments(programCode, fiscalYear)]);
    if (!row) throw new ApplicationError('not-found', `no program ${programCode} in ${fiscalYear}`);
    scope.requireRoot(rootOf(row), `the totals of ${programCode} ${fiscalYear}`);
    return programYearView(programYearDocOf(row, documents));
  }
}

/** The balances of the regions the key covers. */
export class ListRegionBalancesQuery extends ProgramYearQuery<ReturnType<typeof regionBalanceView>[]> {}

@QueryHandler(ListRegionBalancesQuery)
export class ListRegionBalancesHandler implements IQueryHandler<ListRegionBalancesQuery> {
  constructor(private readonly source: LedgerSource) {}
  async execute({ programCode, fiscalYear, reader, at }: ListRegionBalancesQuery) {
    const scope = this.source.scopeOf(reader);
    if (at && !(await this.coversAnyRegion(programCode, fiscalYear, scope))) return [];
    const tables = await this.source.forFund(programCode, fiscalYear, at);
    if (!(await tables.programYear(programCode, fiscalYear))) {
      throw new ApplicationError('not-found', `no program ${programCode} in ${fiscalYear}`);
    }
    const funded = (await tables.regionBalances(programCode, fiscalYear)).map(regionBalanceDocOf);
    const regions = coveredRegions(funded, scope);
    const children = childrenByParent(regions, this.source.registry);
    return regions.map((region) => regionBalanceView(region, children.get(region.regionCode) ?? [], this.source.registry));
  }

  /**
   * Whether the key covers a region that holds money now: without one the past list is empty too,
   * and the fund is not replayed for it. An unknown program-year is left to the answer below (404).
   */
  private async coversAnyRegion(programCode: string, fiscalYear: number, scope: ReadScope): Promise<boolean> {
    if (!(await this.source.readModels.programYear(programCode, fiscalYear))) return true;
    return this.source.coversRegionHoldingMoney(programCode, fiscalYear, scope);
  }
}

/** One region's balance: a key covering the region; its children are summed over those the key covers. */
export class GetRegionBalanceQuery extends Query<ReturnType<typeof regionBalanceView>> {
  constructor(
    readonly programCode: string,
    readonly fiscalYear: number,
    readonly regionCode: string,
    readonly reader: Reader,
    readonly at?: BooksAt,
  ) {
    super();
  }
}

@QueryHandler(GetRegionBalanceQuery)
export class GetRegionBalanceHandler implements IQueryHandler<GetRegionBalanceQuery> {
  constructor(private readonly source: LedgerSource) {}
  async execute({ programCode, fiscalYear, regionCode, reader, at }: GetRegionBalanceQuery) {
    const scope = this.source.scopeOf(reader);
    scope.requireRegion(regionCode);
    const tables = await this.source.forFund(programCode, fiscalYear, at);
    // The region and its own children in one read: reading the fund's every balance made this the
    // slowest query, and a read for the region then one for its children cost two round trips.
    const registry = this.source.registry;
    const childCodes = registry
      .childrenOf(regionCode)
      .map((child) => child.code)
      .filter((code) => scope.covers(code));
    const rows =
      childCodes.length === 0
        ? [await tables.regionBalance(programCode, fiscalYear, regionCode)].filter((found) => found !== null)
        : await tables.regionBalances(programCode, fiscalYear, [regionCode, ...childCodes]);
    const row = rows.find((found) => found.regionCode === regionCode);
    if (!row) {
      throw new ApplicationError('not-found', `region ${regionCode} holds no money of ${programCode} in ${fiscalYear}`);
    }
    const children = rows.filter((found) => found !== row).map(regionBalanceDocOf);
    return regionBalanceView(regionBalanceDocOf(row), children, registry);
  }
}

/** API.md's trail page: 1,000 entries unless asked, 10,000 at most. */
export const defaultTrailPageSize = 1_000;
export const maxTrailPageSize = 10_000;

export interface TrailPage {
  readonly entries: ReturnType<typeof trailView>;
  /** The position to ask `after` for the next page; null on the last page. */
  readonly nextAfter: number | null;
}

/** One page of a region's audit trail, oldest first: a key covering the region. */
export class GetRegionTrailQuery extends Query<TrailPage> {
  constructor(
    readonly programCode: string,
    readonly fiscalYear: number,
    readonly regionCode: string,
    readonly reader: Reader,
    readonly at?: BooksAt,
    readonly page: { readonly after: bigint; readonly limit: number } = { after: 0n, limit: defaultTrailPageSize },
  ) {
    super();
  }
}

@QueryHandler(GetRegionTrailQuery)
export class GetRegionTrailHandler implements IQueryHandler<GetRegionTrailQuery> {
  constructor(private readonly source: LedgerSource) {}
  async execute({ programCode, fiscalYear, regionCode, reader, at, page }: GetRegionTrailQuery): Promise<TrailPage> {
    if (!(page.limit >= 1 && page.limit <= maxTrailPageSize)) throw new Error(`trail page of ${page.limit} entries`);
    this.source.scopeOf(reader).requireRegion(regionCode);
    const tables = await this.source.forFund(programCode, fiscalYear, at);
    // One more than asked tells whether another page follows.
    const found = await tables.trailPage(programCode, fiscalYear, regionCode, { after: page.after, limit: page.limit + 1 });
    // A trail entry is a posting to the region, so a region with entries holds a balance row: only
    // an empty page asks whether the region is known at all.
    if (found.length === 0 && !(await tables.regionBalance(programCode, fiscalYear, regionCode))) {
      throw new ApplicationError('not-found', `region ${regionCode} holds no money of ${programCode} in ${fiscalYear}`);
    }
    const entries = trailView(found.slice(0, page.limit).map(trailEntryDocOf));
    const last = entries[entries.length - 1];
    return { entries, nextAfter: found.length > page.limit && last !== undefined ? last.position : null };
  }
}

/** The ledger's query handlers, with the source they read from (live tables, or the books replayed to a date). */
export const ledgerQueryHandlers = [
  ReplayTurns,
  BooksAtViews,
  LedgerSource,
  ListProgramsHandler,
  GetProgramYearHandler,
  ListRegionBalancesHandler,
  GetRegionBalanceHandler,
  GetRegionTrailHandler,
];

export function projectionWaiterProvider() {
  return {
    provide: ProjectionWaiter,
    inject: [READ_MODELS, LEDGER_SETTINGS],
    useFactory: (readModels: LedgerReadModels, settings: LedgerSettings) => new ProjectionWaiter(readModels, settings),
  };
}
