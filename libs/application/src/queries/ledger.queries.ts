import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { RegionRegistry } from '@earmark/domain';
import type { EventStore, ReadModelStore, StoredDoc } from '@earmark/event-store';
import {
  childrenByParent,
  collections,
  docsOf,
  fundKey,
  ledgerProjectionName,
  programSummaryView,
  programYearPartition,
  programYearView,
  regionBalanceView,
  regionKey,
  trailView,
  type ProgramYearDoc,
  type RegionBalanceDoc,
  type TrailEntryDoc,
} from '@earmark/projections';
import { ApplicationError } from '../problem';
import { EVENT_STORE, LEDGER_SETTINGS, READ_MODELS, REGION_REGISTRY, type LedgerSettings } from '../ports';
import { booksAt, type BooksAt } from './books-at';

/** Reads the documents either live or as the books stood at a date or position. */
class DocSource {
  constructor(private readonly readModels: ReadModelStore, private readonly store: EventStore) {}

  async forFund(programCode: string, fiscalYear: number, at: BooksAt | undefined) {
    if (!at) {
      return {
        get: (collection: string, id: string) => this.readModels.getDoc(collection, id),
        list: (collection: string, partition: string) => this.readModels.listDocs(collection, partition),
      };
    }
    const docs = await booksAt(this.store, programCode, fiscalYear, at);
    return {
      get: async (collection: string, id: string): Promise<StoredDoc | null> => docs.get(collection, id),
      list: async (collection: string, partition: string): Promise<StoredDoc[]> => docs.list(collection, partition),
    };
  }
}

/** Waits until the projections have reached a position (?minPosition=N). */
export class ProjectionWaiter {
  constructor(private readonly readModels: ReadModelStore, private readonly settings: LedgerSettings) {}

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

export class ListProgramsQuery extends Query<ReturnType<typeof programSummaryView>[]> {}

@QueryHandler(ListProgramsQuery)
export class ListProgramsHandler implements IQueryHandler<ListProgramsQuery> {
  constructor(@Inject(READ_MODELS) private readonly readModels: ReadModelStore) {}
  async execute() {
    const docs = docsOf<ProgramYearDoc>(await this.readModels.listDocs(collections.programYear, programYearPartition));
    return docs.map(programSummaryView);
  }
}

export class GetProgramYearQuery extends Query<ReturnType<typeof programYearView>> {
  constructor(readonly programCode: string, readonly fiscalYear: number, readonly at?: BooksAt) {
    super();
  }
}

@QueryHandler(GetProgramYearQuery)
export class GetProgramYearHandler implements IQueryHandler<GetProgramYearQuery> {
  private readonly source: DocSource;
  constructor(@Inject(READ_MODELS) readModels: ReadModelStore, @Inject(EVENT_STORE) store: EventStore) {
    this.source = new DocSource(readModels, store);
  }
  async execute({ programCode, fiscalYear, at }: GetProgramYearQuery) {
    const docs = await this.source.forFund(programCode, fiscalYear, at);
    const stored = await docs.get(collections.programYear, fundKey(programCode, fiscalYear));
    if (!stored) throw new ApplicationError('not-found', `no program ${programCode} in ${fiscalYear}`);
    return programYearView(stored.doc as ProgramYearDoc);
  }
}

export class ListRegionBalancesQuery extends Query<ReturnType<typeof regionBalanceView>[]> {
  constructor(readonly programCode: string, readonly fiscalYear: number, readonly at?: BooksAt) {
    super();
  }
}

@QueryHandler(ListRegionBalancesQuery)
export class ListRegionBalancesHandler implements IQueryHandler<ListRegionBalancesQuery> {
  private readonly source: DocSource;
  constructor(
    @Inject(READ_MODELS) readModels: ReadModelStore,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(REGION_REGISTRY) private readonly registry: RegionRegistry,
  ) {
    this.source = new DocSource(readModels, store);
  }
  async execute({ programCode, fiscalYear, at }: ListRegionBalancesQuery) {
    const docs = await this.source.forFund(programCode, fiscalYear, at);
    if (!(await docs.get(collections.programYear, fundKey(programCode, fiscalYear)))) {
      throw new ApplicationError('not-found', `no program ${programCode} in ${fiscalYear}`);
    }
    const regions = docsOf<RegionBalanceDoc>(await docs.list(collections.regionBalance, fundKey(programCode, fiscalYear)));
    const children = childrenByParent(regions, this.registry);
    return regions.map((region) => regionBalanceView(region, children.get(region.regionCode) ?? [], this.registry));
  }
}

export class GetRegionBalanceQuery extends Query<ReturnType<typeof regionBalanceView>> {
  constructor(readonly programCode: string, readonly fiscalYear: number, readonly regionCode: string, readonly at?: BooksAt) {
    super();
  }
}

@QueryHandler(GetRegionBalanceQuery)
export class GetRegionBalanceHandler implements IQueryHandler<GetRegionBalanceQuery> {
  private readonly source: DocSource;
  constructor(
    @Inject(READ_MODELS) readModels: ReadModelStore,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(REGION_REGISTRY) private readonly registry: RegionRegistry,
  ) {
    this.source = new DocSource(readModels, store);
  }
  async execute({ programCode, fiscalYear, regionCode, at }: GetRegionBalanceQuery) {
    const docs = await this.source.forFund(programCode, fiscalYear, at);
    const stored = await docs.get(collections.regionBalance, regionKey(programCode, fiscalYear, regionCode));
    if (!stored) {
      throw new ApplicationError('not-found', `region ${regionCode} holds no money of ${programCode} in ${fiscalYear}`);
    }
    const regions = docsOf<RegionBalanceDoc>(await docs.list(collections.regionBalance, fundKey(programCode, fiscalYear)));
    const doc = stored.doc as RegionBalanceDoc;
    return regionBalanceView(doc, childrenByParent(regions, this.registry).get(doc.regionCode) ?? [], this.registry);
  }
}

export class GetRegionTrailQuery extends Query<ReturnType<typeof trailView>> {
  constructor(readonly programCode: string, readonly fiscalYear: number, readonly regionCode: string, readonly at?: BooksAt) {
    super();
  }
}

@QueryHandler(GetRegionTrailQuery)
export class GetRegionTrailHandler implements IQueryHandler<GetRegionTrailQuery> {
  private readonly source: DocSource;
  constructor(@Inject(READ_MODELS) readModels: ReadModelStore, @Inject(EVENT_STORE) store: EventStore) {
    this.source = new DocSource(readModels, store);
  }
  async execute({ programCode, fiscalYear, regionCode, at }: GetRegionTrailQuery) {
    const docs = await this.source.forFund(programCode, fiscalYear, at);
    if (!(await docs.get(collections.regionBalance, regionKey(programCode, fiscalYear, regionCode)))) {
      throw new ApplicationError('not-found', `region ${regionCode} holds no money of ${programCode} in ${fiscalYear}`);
    }
    const entries = docsOf<TrailEntryDoc>(await docs.list(collections.trail, regionKey(programCode, fiscalYear, regionCode)));
    return trailView(entries);
  }
}

export const ledgerQueryHandlers = [
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
    useFactory: (readModels: ReadModelStore, settings: LedgerSettings) => new ProjectionWaiter(readModels, settings),
  };
}
