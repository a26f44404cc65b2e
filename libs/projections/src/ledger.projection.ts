import {
  allocatedFen,
  applyPosting,
  assertNever,
  availableFen,
  decodeLedgerEvent,
  emptyCounters,
  fenFromString,
  fundAvailableDeltaFen,
  isFundEventType,
  outstandingFen,
  parseFundStreamName,
  postingsOf,
  settlementTermsOf,
  type AllocationRecorded,
  type CommandRefused,
  type DisbursementRecorded,
  type DisbursementReversed,
  type LedgerEvent,
  type PassDownRecorded,
  type PerformanceActualReported,
  type PerformanceTargetsRecorded,
  type RegionYearSettled,
} from '@earmark/domain';
import {
  ledgerFundKey,
  ledgerRegionKey,
  type DisbursementRow,
  type FundRef,
  type JsonObject,
  type LedgerDelta,
  type LedgerState,
  type LedgerStateKeys,
  type LedgerTablesProjection,
  type PerformanceActualRow,
  type PerformanceTargetsRow,
  type ProgramDocumentRow,
  type ProgramYearRow,
  type RecordedEvent,
  type RefusalRow,
  type RegionBalanceRow,
  type RegionRef,
  type TrailRow,
} from '@earmark/event-store';

export const ledgerProjectionName = 'ledger';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Which fund an event belongs to: from its stream, or, for a refusal, from its data. */
function fundOf(event: RecordedEvent, fundOfStream: (streamName: string) => FundRef | null = parseFundStreamName): FundRef | null {
  if (event.type !== 'CommandRefused' && !isFundEventType(event.type)) return null;
  const fromStream = fundOfStream(event.streamName);
  if (fromStream) return fromStream;
  if (event.type === 'CommandRefused') {
    const data = event.data as unknown as CommandRefused['data'];
    return { programCode: data.programCode, fiscalYear: data.fiscalYear };
  }
  return null;
}

function asLedgerEvent(event: RecordedEvent): LedgerEvent {
  const decoded = decodeLedgerEvent(event);
  if (decoded === null) throw new Error(`event ${event.type} at ${event.position} is not a ledger event`);
  return decoded;
}

/** The regions whose balance an event changes. */
function regionsTouched(event: LedgerEvent): string[] {
  switch (event.type) {
    case 'AllocationRecorded':
      return event.data.lines.map((line) => line.regionCode);
    case 'PassDownRecorded':
      return [event.data.regionCode, ...event.data.lines.map((line) => line.regionCode)];
    case 'DisbursementRecorded':
    case 'DisbursementReversed':
      return [
        event.data.regionCode,
        ...(event.data.toRegionCode ? [event.data.toRegionCode] : []),
        ...(event.data.toParentRegionCode ? [event.data.toParentRegionCode] : []),
      ];
    case 'RegionYearSettled':
      return [event.data.regionCode];
    case 'PerformanceTargetsRecorded':
    case 'PerformanceActualReported':
    case 'CommandRefused':
      return [];
    default:
      return assertNever(event);
  }
}

/**
 * The ledger's read models: region balances, program-year totals and their documents, each
 * region's trail, the disbursement locator, refused attempts and performance reports. Pure: a batch
 * of events and the aggregate rows it touches in, the rows to write out.
 */
export function createLedgerProjection(): LedgerTablesProjection {
  return {
    name: ledgerProjectionName,
    tables: 'ledger',
    origin: { module: __filename, exportName: 'createLedgerProjection' },
    stateKeys(events) {
      const programYears = new Map<string, FundRef>();
      const regionBalances = new Map<string, RegionRef>();
      for (const recorded of events) {
        const fund = fundOf(recorded);
        if (!fund) continue;
        const event = asLedgerEvent(recorded);
        programYears.set(ledgerFundKey(fund.programCode, fund.fiscalYear), fund);
        for (const regionCode of regionsTouched(event)) {
          regionBalances.set(ledgerRegionKey(fund.programCode, fund.fiscalYear, regionCode), { ...fund, regionCode });
        }
      }
      return { programYears: [...programYears.values()], regionBalances: [...regionBalances.values()] } satisfies LedgerStateKeys;
    },
    fold(events, state) {
      const work = new LedgerOverlay(state);
      // A batch (a rebuild's page above all) names a few streams many times over.
      const streams = new Map<string, FundRef | null>();
      const fundOfStream = (streamName: string): FundRef | null => {
        let fund = streams.get(streamName);
        if (fund === undefined) {
          fund = parseFundStreamName(streamName);
          streams.set(streamName, fund);
        }
        return fund;
      };
      for (const recorded of events) {
        const fund = fundOf(recorded, fundOfStream);
        if (fund) applyEvent(work, recorded, fund.programCode, fund.fiscalYear);
      }
      return work.delta();
    },
  };
}

/**
 * The loaded aggregate rows plus what the batch changed, so that later events see earlier ones.
 * A row the batch changes is copied once, on its first change, and the copy then changed in place:
 * the loaded rows are never touched, and a batch of many events on one region does not copy its
 * row per event.
 */
class LedgerOverlay {
  private readonly programYears = new Map<string, Mutable<ProgramYearRow>>();
  private readonly regionBalances = new Map<string, Mutable<RegionBalanceRow>>();
  readonly documents: ProgramDocumentRow[] = [];
  /** In log order; an event posting twice to one region keeps its last line (see ApplyContext.trail). */
  readonly trail: TrailRow[] = [];
  readonly disbursements: DisbursementRow[] = [];
  readonly reversedDisbursementIds: string[] = [];
  readonly refusals: RefusalRow[] = [];
  readonly performanceTargets = new Map<string, PerformanceTargetsRow>();
  readonly performanceActuals = new Map<string, PerformanceActualRow>();

  constructor(private readonly loaded: LedgerState) {}

  /** The batch's own copy of a program-year row (made now if need be), or null if there is none. */
  programYear(key: string): Mutable<ProgramYearRow> | null {
    const own = this.programYears.get(key);
    if (own) return own;
    const loaded = this.loaded.programYears.get(key);
    return loaded ? { ...loaded } : null;
  }

  putProgramYear(key: string, row: Mutable<ProgramYearRow>): void {
    this.programYears.set(key, row);
  }

  /** The batch's own copy of a region's row (made now if need be), or null if there is none. */
  regionBalance(key: string): Mutable<RegionBalanceRow> | null {
    const own = this.regionBalances.get(key);
    if (own) return own;
    const loaded = this.loaded.regionBalances.get(key);
    return loaded ? { ...loaded } : null;
  }

  putRegionBalance(key: string, row: Mutable<RegionBalanceRow>): void {
    this.regionBalances.set(key, row);
  }

  delta(): LedgerDelta {
    return {
      programYears: [...this.programYears.values()],
      regionBalances: [...this.regionBalances.values()],
      documents: this.documents,
      trail: this.trail,
      disbursements: this.disbursements,
      reversedDisbursementIds: this.reversedDisbursementIds,
      refusals: this.refusals,
      performanceTargets: [...this.performanceTargets.values()],
      performanceActuals: [...this.performanceActuals.values()],
    };
  }
}

function applyEvent(work: LedgerOverlay, recorded: RecordedEvent, programCode: string, fiscalYear: number): void {
  const event = asLedgerEvent(recorded);
  if (event.type === 'CommandRefused') {
    // Keyed by its own position, so applying it again is harmless; it touches no balance.
    applyRefusal(work, recorded, event);
    return;
  }
  const program = work.programYear(ledgerFundKey(programCode, fiscalYear));
  // Replay safety: a program-year that has seen this position already is left alone.
  if (program && program.lastPosition >= recorded.position) return;
  const ctx = new ApplyContext(work, recorded, programCode, fiscalYear, program);

  switch (event.type) {
    case 'AllocationRecorded':
      applyAllocationDocument(ctx, event);
      break;
    case 'DisbursementRecorded':
      applyMoney(ctx, event);
      indexDisbursement(ctx, event);
      break;
    case 'PassDownRecorded':
      applyMoney(ctx, event);
      break;
    case 'DisbursementReversed':
      applyMoney(ctx, event);
      work.reversedDisbursementIds.push(event.data.disbursementId);
      break;
    case 'RegionYearSettled':
      applySettlement(ctx, event);
      break;
    case 'PerformanceTargetsRecorded':
      applyTargets(ctx, event);
      break;
    case 'PerformanceActualReported':
      applyActual(ctx, event);
      break;
    default:
      assertNever(event);
  }
  ctx.saveProgram();
}

class ApplyContext {
  readonly actor: string;
  readonly program: Mutable<ProgramYearRow>;
  /** A program-year exists once an allocation document is recorded for it, not before. */
  programExists: boolean;
  /** Where this event's lines start in the batch's trail. */
  private readonly trailStart: number;

  constructor(
    readonly work: LedgerOverlay,
    readonly recorded: RecordedEvent,
    readonly programCode: string,
    readonly fiscalYear: number,
    program: ProgramYearRow | null,
  ) {
    const actor = recorded.metadata['actor'];
    this.actor = typeof actor === 'string' ? actor : 'unknown';
    this.programExists = program !== null;
    this.program = program ?? emptyProgram(programCode, fiscalYear);
    this.trailStart = work.trail.length;
  }

  get position(): bigint {
    return this.recorded.position;
  }

  /** The region's row to change, then to save with `saveRegion`. */
  region(regionCode: string): Mutable<RegionBalanceRow> {
    const existing = this.work.regionBalance(ledgerRegionKey(this.programCode, this.fiscalYear, regionCode));
    if (existing) return existing;
    this.program.regions += 1;
    return emptyRegion(this.programCode, this.fiscalYear, regionCode);
  }

  saveRegion(region: Mutable<RegionBalanceRow>): void {
    region.lastPosition = this.position;
    this.work.putRegionBalance(ledgerRegionKey(region.programCode, region.fiscalYear, region.regionCode), region);
  }

  /** A trail line of this event; a second line for the same region takes the first one's place. */
  trail(region: RegionBalanceRow, entry: { type: string; amountFen: bigint; effectiveOn: string; reference: string }): void {
    const trail = this.work.trail;
    let at = trail.length;
    for (let i = this.trailStart; i < trail.length; i += 1) {
      if (trail[i]!.regionCode === region.regionCode) at = i;
    }
    trail[at] = {
      programCode: this.programCode,
      fiscalYear: this.fiscalYear,
      regionCode: region.regionCode,
      position: this.position,
      recordedAt: this.recorded.recordedAt,
      effectiveOn: entry.effectiveOn,
      type: entry.type,
      amountFen: entry.amountFen,
      availableAfterFen: region.availableFen,
      reference: entry.reference,
      actor: this.actor,
      hash: this.recorded.hash,
    };
  }

  saveProgram(): void {
    if (!this.programExists) return;
    this.program.lastPosition = this.position;
    this.work.putProgramYear(ledgerFundKey(this.programCode, this.fiscalYear), this.program);
  }
}

/**
 * Every balance change goes through the domain's postings, so that this view and the decider
 * agree by construction on where money lands; only the trail's wording is the projection's own.
 */
function applyMoney(ctx: ApplyContext, event: MoneyEvent): void {
  const program = ctx.program;
  const { regions, fund } = postingsOf(event, program.issuerRegionCode === '' ? null : program.issuerRegionCode);
  program.allocatedFen += fund.allocatedFen;
  program.passedDownFen += fund.passedDownFen;
  program.paidFen += fund.paidFen;
  program.beneficiaries += fund.beneficiaries;
  program.returnedFen += fund.returnedToRootFen;
  program.availableFen += fundAvailableDeltaFen(fund);
  const reference = referenceOf(event);
  for (const posting of regions) {
    const row = ctx.region(posting.regionCode);
    // The row's counters are the domain's, named alike: the posting is applied to them in place.
    applyPosting(row, posting);
    writeDerivedFigures(row);
    ctx.saveRegion(row);
    ctx.trail(row, {
      type: trailType(event, posting.regionCode),
      amountFen: posting.availableDeltaFen,
      effectiveOn: posting.effectiveOn,
      reference,
    });
  }
}

type MoneyEvent = AllocationRecorded | DisbursementRecorded | PassDownRecorded | DisbursementReversed;

function referenceOf(event: MoneyEvent): string {
  switch (event.type) {
    case 'AllocationRecorded':
    case 'PassDownRecorded':
      return event.data.documentNo;
    case 'DisbursementRecorded':
      return event.data.voucherNo;
    case 'DisbursementReversed':
      return `${event.data.voucherNo}: ${event.data.reason}`;
    default:
      return assertNever(event);
  }
}

/** How the trail names an event, seen from one region it touched. */
function trailType(event: MoneyEvent, regionCode: string): string {
  switch (event.type) {
    case 'AllocationRecorded':
      return event.data.kind;
    case 'PassDownRecorded':
      return regionCode === event.data.regionCode ? 'pass-down' : 'pass-down-received';
    case 'DisbursementRecorded':
      if (regionCode === event.data.regionCode) return event.data.kind;
      return event.data.kind === 'pass-down' ? 'pass-down-received' : 'return-received';
    case 'DisbursementReversed':
      return 'reversal';
    default:
      return assertNever(event);
  }
}

function applyAllocationDocument(ctx: ApplyContext, event: AllocationRecorded): void {
  const data = event.data;
  const program = ctx.program;
  if (!ctx.programExists) {
    program.programName = data.programName;
    program.issuerRegionCode = data.issuerRegionCode;
    program.incomeSubject = data.incomeSubject;
    program.expenditureSubject = data.expenditureSubject;
    ctx.programExists = true;
  }
  ctx.work.documents.push({
    programCode: ctx.programCode,
    fiscalYear: ctx.fiscalYear,
    position: ctx.position,
    documentNo: data.documentNo,
    kind: data.kind,
    title: data.title,
    issuedOn: data.issuedOn,
    issuerRegionCode: data.issuerRegionCode,
    totalFen: fenFromString(data.totalFen),
    lines: data.lines.length,
  });
  applyMoney(ctx, event);
}

function indexDisbursement(ctx: ApplyContext, event: DisbursementRecorded): void {
  const data = event.data;
  ctx.work.disbursements.push({
    disbursementId: data.disbursementId,
    programCode: data.programCode,
    fiscalYear: data.fiscalYear,
    regionCode: data.regionCode,
    kind: data.kind,
    amountFen: fenFromString(data.amountFen),
    voucherNo: data.voucherNo,
    paidOn: data.paidOn,
    toRegionCode: data.toRegionCode ?? null,
    toParentRegionCode: data.toParentRegionCode ?? null,
    beneficiaries: data.beneficiaries ?? null,
    afterSettlement: data.afterSettlement,
    reversed: false,
    position: ctx.position,
  });
}

function applySettlement(ctx: ApplyContext, event: RegionYearSettled): void {
  const data = event.data;
  const region = ctx.region(data.regionCode);
  // The terms as the domain reads them; what is still outstanding is worked out just below.
  region.settlement = { ...settlementTermsOf(data), outstandingFen: 0n };
  writeDerivedFigures(region);
  ctx.program.settledRegions += 1;
  ctx.saveRegion(region);
  ctx.trail(region, { type: 'settlement', amountFen: 0n, effectiveOn: data.settledOn, reference: data.documentNo });
}

/** Stores beside a row's counters the figures the domain derives from them. */
function writeDerivedFigures(row: Mutable<RegionBalanceRow>): void {
  row.allocatedFen = allocatedFen(row);
  row.availableFen = availableFen(row);
  if (row.settlement) {
    row.settlement = { ...row.settlement, outstandingFen: outstandingFen(row, row.settlement) };
  }
}

function applyTargets(ctx: ApplyContext, event: PerformanceTargetsRecorded): void {
  const data = event.data;
  ctx.work.performanceTargets.set(ledgerRegionKey(data.programCode, data.fiscalYear, data.regionCode), {
    programCode: data.programCode,
    fiscalYear: data.fiscalYear,
    regionCode: data.regionCode,
    position: ctx.position,
    data: data as unknown as JsonObject,
  });
}

function applyActual(ctx: ApplyContext, event: PerformanceActualReported): void {
  const data = event.data;
  ctx.work.performanceActuals.set(`${data.programCode}/${data.fiscalYear}/${data.regionCode}/${data.indicator}`, {
    programCode: data.programCode,
    fiscalYear: data.fiscalYear,
    regionCode: data.regionCode,
    indicator: data.indicator,
    position: ctx.position,
    actor: ctx.actor,
    data: data as unknown as JsonObject,
  });
}

function applyRefusal(work: LedgerOverlay, recorded: RecordedEvent, event: CommandRefused): void {
  const data = event.data;
  work.refusals.push({
    programCode: data.programCode,
    fiscalYear: data.fiscalYear,
    position: recorded.position,
    recordedAt: recorded.recordedAt,
    regionCode: data.regionCode,
    code: data.code,
    data: data as unknown as JsonObject,
  });
}

function emptyProgram(programCode: string, fiscalYear: number): Mutable<ProgramYearRow> {
  return {
    programCode,
    fiscalYear,
    programName: '',
    issuerRegionCode: '',
    incomeSubject: '',
    expenditureSubject: '',
    allocatedFen: 0n,
    passedDownFen: 0n,
    paidFen: 0n,
    beneficiaries: 0,
    returnedFen: 0n,
    availableFen: 0n,
    regions: 0,
    settledRegions: 0,
    lastPosition: 0n,
  };
}

function emptyRegion(programCode: string, fiscalYear: number, regionCode: string): Mutable<RegionBalanceRow> {
  // The row's counters are the domain's, named alike: they start where the domain starts them.
  return { programCode, fiscalYear, regionCode, ...emptyCounters(), allocatedFen: 0n, availableFen: 0n, settlement: null, lastPosition: 0n };
}
