import {
  eventsPastCheckpoint,
  ledgerFundKey,
  ledgerRegionKey,
  type DisbursementRow,
  type LedgerDelta,
  type LedgerReadModels,
  type LedgerTablesProjection,
  type PerformanceActualRow,
  type PerformanceTargetsRow,
  type ProgramDocumentRow,
  type ProgramYearRow,
  type RecordedEvent,
  type RefusalRow,
  type RegionBalanceRow,
  type StoreProjection,
  type TrailPageRequest,
  type TrailRow,
} from '@earmark/event-store';
import { createLedgerProjection } from './ledger.projection';

/** Maximum events folded per batch when replaying in memory; bounds the size of one delta. */
export const replayBatchSize = 1_000;

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Per fund, rows kept in the order the SQL tables list them. */
interface FundTables {
  readonly documents: ProgramDocumentRow[];
  readonly regions: Map<string, RegionBalanceRow>;
  readonly trail: Map<string, TrailRow[]>;
  readonly refusals: RefusalRow[];
  readonly targets: Map<string, PerformanceTargetsRow>;
  readonly actuals: Map<string, PerformanceActualRow>;
}

/**
 * The ledger tables in memory: the books as they stood at a position or on a date (the same
 * projection folded over the events up to that point), and the read models of a store that keeps
 * none of its own. Written only through `applyDelta`, as the SQL adapters write theirs.
 */
export class InMemoryLedgerTables implements LedgerReadModels {
  private readonly programYears = new Map<string, ProgramYearRow>();
  private readonly funds = new Map<string, FundTables>();
  private readonly disbursements = new Map<string, DisbursementRow>();
  private readonly checkpoints = new Map<string, bigint>();

  constructor(private readonly projection: LedgerTablesProjection = createLedgerProjection()) {}

  /** Folds events into the tables, a bounded batch at a time, and moves the checkpoint. */
  apply(events: readonly RecordedEvent[]): void {
    for (let start = 0; start < events.length; start += replayBatchSize) {
      const batch = events.slice(start, start + replayBatchSize);
      this.applyDelta(this.foldBatch(batch));
      this.checkpoints.set(this.projection.name, batch[batch.length - 1]!.position);
    }
  }

  /**
   * Applies the events after the checkpoint, which must continue it without a gap, as the SQL
   * adapters' `applyProjectionBatch` does.
   */
  async applyProjectionBatch(projection: LedgerTablesProjection, events: readonly RecordedEvent[]): Promise<bigint> {
    if (projection.name !== this.projection.name) throw new Error(`these tables hold projection ${this.projection.name}`);
    const checkpoint = this.checkpoints.get(projection.name) ?? 0n;
    const fresh = eventsPastCheckpoint(projection.name, checkpoint, events);
    if (fresh.length === 0) return checkpoint;
    this.apply(fresh);
    return fresh[fresh.length - 1]!.position;
  }

  async resetProjections(projections: readonly (string | StoreProjection)[]): Promise<void> {
    const names = projections.map((projection) => (typeof projection === 'string' ? projection : projection.name));
    if (!names.includes(this.projection.name)) return;
    this.programYears.clear();
    this.funds.clear();
    this.disbursements.clear();
    this.checkpoints.delete(this.projection.name);
  }

  private foldBatch(batch: readonly RecordedEvent[]): LedgerDelta {
    const keys = this.projection.stateKeys(batch);
    const programYears = new Map<string, ProgramYearRow>();
    for (const ref of keys.programYears) {
      const row = this.programYears.get(ledgerFundKey(ref.programCode, ref.fiscalYear));
      if (row) programYears.set(ledgerFundKey(ref.programCode, ref.fiscalYear), row);
    }
    const regionBalances = new Map<string, RegionBalanceRow>();
    for (const ref of keys.regionBalances) {
      const row = this.funds.get(ledgerFundKey(ref.programCode, ref.fiscalYear))?.regions.get(ref.regionCode);
      if (row) regionBalances.set(ledgerRegionKey(ref.programCode, ref.fiscalYear, ref.regionCode), row);
    }
    return this.projection.fold(batch, { programYears, regionBalances });
  }

  /** Writes a delta as the SQL adapters do: upserts, appends (an existing key is kept), then marks. */
  applyDelta(delta: LedgerDelta): void {
    for (const row of delta.programYears) this.programYears.set(ledgerFundKey(row.programCode, row.fiscalYear), row);
    for (const row of delta.regionBalances) this.fund(row.programCode, row.fiscalYear).regions.set(row.regionCode, row);
    for (const row of delta.documents) {
      const documents = this.fund(row.programCode, row.fiscalYear).documents;
      if (!documents.some((known) => known.position === row.position)) documents.push(row);
    }
    for (const row of delta.trail) {
      const trail = this.fund(row.programCode, row.fiscalYear).trail;
      const entries = trail.get(row.regionCode) ?? [];
      const last = entries[entries.length - 1];
      if (last === undefined || last.position < row.position) entries.push(row);
      trail.set(row.regionCode, entries);
    }
    for (const row of delta.disbursements) {
      if (!this.disbursements.has(row.disbursementId)) this.disbursements.set(row.disbursementId, row);
    }
    for (const id of delta.reversedDisbursementIds) {
      const row = this.disbursements.get(id);
      if (row) this.disbursements.set(id, { ...row, reversed: true });
    }
    for (const row of delta.refusals) {
      const refusals = this.fund(row.programCode, row.fiscalYear).refusals;
      if (!refusals.some((known) => known.position === row.position)) refusals.push(row);
    }
    for (const row of delta.performanceTargets) this.fund(row.programCode, row.fiscalYear).targets.set(row.regionCode, row);
    for (const row of delta.performanceActuals) {
      this.fund(row.programCode, row.fiscalYear).actuals.set(`${row.regionCode}/${row.indicator}`, row);
    }
  }

  private fund(programCode: string, fiscalYear: number): FundTables {
    const key = ledgerFundKey(programCode, fiscalYear);
    let tables = this.funds.get(key);
    if (!tables) {
      tables = { documents: [], regions: new Map(), trail: new Map(), refusals: [], targets: new Map(), actuals: new Map() };
      this.funds.set(key, tables);
    }
    return tables;
  }

  async listProgramYears(): Promise<ProgramYearRow[]> {
    return [...this.programYears.entries()].sort(([a], [b]) => byText(a, b)).map(([, row]) => row);
  }

  async programYear(programCode: string, fiscalYear: number): Promise<ProgramYearRow | null> {
    return this.programYearNow(programCode, fiscalYear);
  }

  programYearNow(programCode: string, fiscalYear: number): ProgramYearRow | null {
    return this.programYears.get(ledgerFundKey(programCode, fiscalYear)) ?? null;
  }

  async programDocuments(programCode: string, fiscalYear: number): Promise<ProgramDocumentRow[]> {
    return [...(this.funds.get(ledgerFundKey(programCode, fiscalYear))?.documents ?? [])];
  }

  async regionBalance(programCode: string, fiscalYear: number, regionCode: string): Promise<RegionBalanceRow | null> {
    return this.regionBalanceNow(programCode, fiscalYear, regionCode);
  }

  regionBalanceNow(programCode: string, fiscalYear: number, regionCode: string): RegionBalanceRow | null {
    return this.funds.get(ledgerFundKey(programCode, fiscalYear))?.regions.get(regionCode) ?? null;
  }

  async regionBalances(programCode: string, fiscalYear: number, regionCodes?: readonly string[]): Promise<RegionBalanceRow[]> {
    const rows = this.regionBalancesNow(programCode, fiscalYear);
    if (regionCodes === undefined) return rows;
    const wanted = new Set(regionCodes);
    return rows.filter((row) => wanted.has(row.regionCode));
  }

  regionBalancesNow(programCode: string, fiscalYear: number): RegionBalanceRow[] {
    const regions = this.funds.get(ledgerFundKey(programCode, fiscalYear))?.regions;
    return regions ? [...regions.values()].sort((a, b) => byText(a.regionCode, b.regionCode)) : [];
  }

  async trailPage(programCode: string, fiscalYear: number, regionCode: string, page: TrailPageRequest): Promise<TrailRow[]> {
    const entries = this.funds.get(ledgerFundKey(programCode, fiscalYear))?.trail.get(regionCode) ?? [];
    // Entries are in position order: the page starts at the first one after `after`.
    let low = 0;
    let high = entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (entries[middle]!.position <= page.after) low = middle + 1;
      else high = middle;
    }
    return entries.slice(low, low + page.limit);
  }

  async disbursement(disbursementId: string): Promise<DisbursementRow | null> {
    return this.disbursements.get(disbursementId) ?? null;
  }

  async refusals(programCode: string, fiscalYear: number): Promise<RefusalRow[]> {
    return [...(this.funds.get(ledgerFundKey(programCode, fiscalYear))?.refusals ?? [])];
  }

  async performanceTargets(programCode: string, fiscalYear: number): Promise<PerformanceTargetsRow[]> {
    const targets = this.funds.get(ledgerFundKey(programCode, fiscalYear))?.targets;
    return targets ? [...targets.values()].sort((a, b) => byText(a.regionCode, b.regionCode)) : [];
  }

  async performanceActuals(programCode: string, fiscalYear: number): Promise<PerformanceActualRow[]> {
    const actuals = this.funds.get(ledgerFundKey(programCode, fiscalYear))?.actuals;
    return actuals ? [...actuals.entries()].sort(([a], [b]) => byText(a, b)).map(([, row]) => row) : [];
  }

  async checkpoint(projection: string): Promise<bigint> {
    return this.checkpoints.get(projection) ?? 0n;
  }
}
