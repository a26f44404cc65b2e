import {
  ledgerFundKey,
  ledgerRegionKey,
  type EventStore,
  type LedgerAggregates,
  type LedgerDelta,
  type LedgerRebuildSink,
  type LedgerState,
  type LedgerTablesProjection,
  type PerformanceActualRow,
  type PerformanceTargetsRow,
  type ProgramYearRow,
  type RegionBalanceRow,
} from '@earmark/event-store';

/** The aggregate rows of the whole ledger, as a rebuild folds the log: small (funds × regions). */
class AggregatesInMemory {
  private readonly programYears = new Map<string, ProgramYearRow>();
  private readonly regionBalances = new Map<string, RegionBalanceRow>();
  private readonly targets = new Map<string, PerformanceTargetsRow>();
  private readonly actuals = new Map<string, PerformanceActualRow>();

  /** The fold reads only the rows of the keys its events name; handing it every row costs nothing. */
  state(): LedgerState {
    return { programYears: this.programYears, regionBalances: this.regionBalances };
  }

  keep(delta: LedgerDelta): void {
    for (const row of delta.programYears) this.programYears.set(ledgerFundKey(row.programCode, row.fiscalYear), row);
    for (const row of delta.regionBalances) this.regionBalances.set(ledgerRegionKey(row.programCode, row.fiscalYear, row.regionCode), row);
    for (const row of delta.performanceTargets) this.targets.set(ledgerRegionKey(row.programCode, row.fiscalYear, row.regionCode), row);
    for (const row of delta.performanceActuals) {
      this.actuals.set(`${ledgerRegionKey(row.programCode, row.fiscalYear, row.regionCode)}/${row.indicator}`, row);
    }
  }

  rows(): LedgerAggregates {
    return {
      programYears: [...this.programYears.values()],
      regionBalances: [...this.regionBalances.values()],
      performanceTargets: [...this.targets.values()],
      performanceActuals: [...this.actuals.values()],
    };
  }
}

export interface LedgerRebuildReport {
  readonly events: number;
  readonly lastPosition: bigint;
}

/**
 * Rebuilds the ledger tables as a stream: the log read in position order a page at a time, the
 * aggregates folded in memory, each page's appended rows (trail, documents, disbursements,
 * refusals) written in log order into fresh tables beside the live ones, and at the end, under the
 * store's write lock, the events appended meanwhile folded too, the aggregates written, and the
 * fresh tables swapped in. Readers keep the old tables until that commit.
 */
export async function rebuildLedgerTables(
  store: EventStore,
  sink: LedgerRebuildSink,
  projection: LedgerTablesProjection,
  pageSize: number,
  onProgress?: (position: bigint) => void,
): Promise<LedgerRebuildReport> {
  const aggregates = new AggregatesInMemory();
  const fold = (events: Parameters<LedgerTablesProjection['fold']>[0]): LedgerDelta => {
    const delta = projection.fold(events, aggregates.state());
    aggregates.keep(delta);
    return delta;
  };
  const target = await sink.beginLedgerRebuild();
  // One page's rows are written while the next page is read and folded: where the store's database
  // is another process (PostgreSQL), the two go on at once. Pages are written one at a time, in order.
  let writing: Promise<void> = Promise.resolve();
  try {
    let after = 0n;
    let events = 0;
    for (;;) {
      const page = await store.readAll({ afterPosition: after, maxCount: pageSize });
      if (page.length === 0) break;
      const delta = fold(page);
      await writing;
      writing = target.appendRows(delta);
      // Its failure is met at the next await of it; meanwhile it is not an unhandled rejection.
      writing.catch(() => undefined);
      events += page.length;
      after = page[page.length - 1]!.position;
      onProgress?.(after);
    }
    await writing;
    const lastPosition = await target.swapIn(projection.name, after, (late) => {
      events += late.length;
      return { delta: fold(late), aggregates: aggregates.rows() };
    });
    return { events, lastPosition };
  } catch (error) {
    await writing.catch(() => undefined);
    await target.abandon().catch(() => undefined);
    throw error;
  }
}
