import {
  ledgerFundKey,
  ledgerRegionKey,
  type LedgerDelta,
  type LedgerState,
  type PerformanceActualRow,
  type PerformanceTargetsRow,
  type ProgramYearRow,
  type RegionBalanceRow,
} from './ledger-tables.port';

/**
 * Several deltas folded one after another (the appends of one group commit, each projected on its
 * own so that a refusal is its own) merged into one write: the last version of each aggregate row,
 * every appended row once. `stateOver` gives the next fold the rows as the deltas so far left them.
 */
export class LedgerDeltaAccumulator {
  private readonly programYears = new Map<string, ProgramYearRow>();
  private readonly regionBalances = new Map<string, RegionBalanceRow>();
  private readonly targets = new Map<string, PerformanceTargetsRow>();
  private readonly actuals = new Map<string, PerformanceActualRow>();
  private readonly appended: {
    readonly [K in 'documents' | 'trail' | 'disbursements' | 'reversedDisbursementIds' | 'refusals']: Mutable<LedgerDelta[K]>;
  } = {
    documents: [],
    trail: [],
    disbursements: [],
    reversedDisbursementIds: [],
    refusals: [],
  };

  stateOver(loaded: LedgerState): LedgerState {
    return {
      programYears: overlay(loaded.programYears, this.programYears),
      regionBalances: overlay(loaded.regionBalances, this.regionBalances),
    };
  }

  add(delta: LedgerDelta): void {
    for (const row of delta.programYears) this.programYears.set(ledgerFundKey(row.programCode, row.fiscalYear), row);
    for (const row of delta.regionBalances) this.regionBalances.set(ledgerRegionKey(row.programCode, row.fiscalYear, row.regionCode), row);
    for (const row of delta.performanceTargets) this.targets.set(ledgerRegionKey(row.programCode, row.fiscalYear, row.regionCode), row);
    for (const row of delta.performanceActuals) {
      this.actuals.set(`${ledgerRegionKey(row.programCode, row.fiscalYear, row.regionCode)}/${row.indicator}`, row);
    }
    for (const row of delta.documents) this.appended.documents.push(row);
    for (const row of delta.trail) this.appended.trail.push(row);
    for (const row of delta.disbursements) this.appended.disbursements.push(row);
    for (const id of delta.reversedDisbursementIds) this.appended.reversedDisbursementIds.push(id);
    for (const row of delta.refusals) this.appended.refusals.push(row);
  }

  delta(): LedgerDelta {
    return {
      ...this.appended,
      programYears: [...this.programYears.values()],
      regionBalances: [...this.regionBalances.values()],
      performanceTargets: [...this.targets.values()],
      performanceActuals: [...this.actuals.values()],
    };
  }
}

type Mutable<T> = T extends readonly (infer E)[] ? E[] : T;

/** `changed` over `base`, as a view: each append of a batch reads it, so it is not copied per append. */
function overlay<T>(base: ReadonlyMap<string, T>, changed: ReadonlyMap<string, T>): ReadonlyMap<string, T> {
  return changed.size === 0 ? base : new OverlaidMap(base, changed);
}

class OverlaidMap<T> implements ReadonlyMap<string, T> {
  constructor(
    private readonly base: ReadonlyMap<string, T>,
    private readonly changed: ReadonlyMap<string, T>,
  ) {}

  get(key: string): T | undefined {
    return this.changed.has(key) ? this.changed.get(key) : this.base.get(key);
  }

  has(key: string): boolean {
    return this.changed.has(key) || this.base.has(key);
  }

  get size(): number {
    return this.merged().size;
  }

  forEach(callback: (value: T, key: string, map: ReadonlyMap<string, T>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.merged()) callback.call(thisArg, value, key, this);
  }

  entries(): MapIterator<[string, T]> {
    return this.merged().entries();
  }

  keys(): MapIterator<string> {
    return this.merged().keys();
  }

  values(): MapIterator<T> {
    return this.merged().values();
  }

  [Symbol.iterator](): MapIterator<[string, T]> {
    return this.merged()[Symbol.iterator]();
  }

  /** A copy, in the order the copy overlay() made before it was a view: the base's keys, then the new ones. */
  private merged(): Map<string, T> {
    const merged = new Map(this.base);
    for (const [key, value] of this.changed) merged.set(key, value);
    return merged;
  }
}
