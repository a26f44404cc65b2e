import {
  allocatedFen,
  applyPosting,
  assertNever,
  availableFen,
  decodeLedgerEvent,
  fenFromString,
  fundAvailableDeltaFen,
  isFundEventType,
  outstandingFen,
  parseFundStreamName,
  postingsOf,
  type AllocationRecorded,
  type CommandRefused,
  type DisbursementRecorded,
  type DisbursementReversed,
  type LedgerEvent,
  type PassDownRecorded,
  type RegionYearCounters,
  type SettlementTerms,
  type PerformanceActualReported,
  type PerformanceTargetsRecorded,
  type RegionYearSettled,
} from '@earmark/domain';
import {
  docKey,
  type DocRef,
  type DocWrite,
  type DocumentProjection,
  type JsonObject,
  type RecordedEvent,
  type StoredDoc,
} from '@earmark/event-store';
import {
  collections,
  fundKey,
  paddedPosition,
  programYearPartition,
  regionKey,
  trailEntryId,
  type DisbursementDoc,
  type ProgramYearDoc,
  type RegionBalanceDoc,
  type SettlementDoc,
  type TrailEntryDoc,
} from './ledger-docs';

export const ledgerProjectionName = 'ledger';

/** Which fund an event belongs to: from its stream, or, for a refusal, from its data. */
function fundOf(event: RecordedEvent): { programCode: string; fiscalYear: number } | null {
  if (event.type !== 'CommandRefused' && !isFundEventType(event.type)) return null;
  const fromStream = parseFundStreamName(event.streamName);
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
 * The ledger's read models: region balances, program-year totals with their documents, each
 * region's trail, the disbursement index, refused attempts and performance reports. Pure: it runs
 * inline in the append's transaction, in a rebuild, and in memory for the books as of a date.
 */
export function createLedgerProjection(): DocumentProjection {
  return {
    name: ledgerProjectionName,
    refs(events) {
      const refs: DocRef[] = [];
      for (const recorded of events) {
        const fund = fundOf(recorded);
        if (!fund) continue;
        const event = asLedgerEvent(recorded);
        refs.push({ collection: collections.programYear, id: fundKey(fund.programCode, fund.fiscalYear) });
        for (const region of regionsTouched(event)) {
          refs.push({ collection: collections.regionBalance, id: regionKey(fund.programCode, fund.fiscalYear, region) });
        }
        if (event.type === 'DisbursementReversed' || event.type === 'DisbursementRecorded') {
          refs.push({ collection: collections.disbursement, id: event.data.disbursementId });
        }
      }
      return refs;
    },
    apply(events, docs) {
      const work = new DocOverlay(docs);
      for (const recorded of events) {
        const fund = fundOf(recorded);
        if (fund) applyEvent(work, recorded, fund.programCode, fund.fiscalYear);
      }
      return work.writes();
    },
  };
}

/** The loaded documents plus what this batch changed, so that later events see earlier writes. */
class DocOverlay {
  private readonly changed = new Map<string, DocWrite>();
  constructor(private readonly loaded: ReadonlyMap<string, StoredDoc | null>) {}

  get<T extends JsonObject>(collection: string, id: string): T | null {
    const key = docKey({ collection, id });
    const changed = this.changed.get(key);
    if (changed) return changed.doc as T | null;
    return (this.loaded.get(key)?.doc as T | undefined) ?? null;
  }

  put(collection: string, id: string, partition: string, doc: JsonObject): void {
    this.changed.set(docKey({ collection, id }), { collection, id, partition, doc });
  }

  writes(): DocWrite[] {
    return [...this.changed.values()];
  }
}

function applyEvent(work: DocOverlay, recorded: RecordedEvent, programCode: string, fiscalYear: number): void {
  const event = asLedgerEvent(recorded);
  const fund = fundKey(programCode, fiscalYear);
  const program = work.get<ProgramYearDoc>(collections.programYear, fund);
  if (event.type === 'CommandRefused') {
    // Keyed by its own position, so applying it again is harmless; it touches no balance.
    applyRefusal(work, recorded, event);
    return;
  }
  // Replay safety: a document that has seen this position already is left alone.
  if (program && BigInt(program.lastPosition) >= recorded.position) return;
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
      markReversed(ctx, event);
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
  readonly position: string;
  readonly actor: string;
  program: ProgramYearDoc;

  constructor(
    readonly work: DocOverlay,
    readonly recorded: RecordedEvent,
    readonly programCode: string,
    readonly fiscalYear: number,
    program: ProgramYearDoc | null,
  ) {
    this.position = recorded.position.toString();
    const actor = recorded.metadata['actor'];
    this.actor = typeof actor === 'string' ? actor : 'unknown';
    this.program = program ? { ...program, documents: [...program.documents] } : emptyProgram(programCode, fiscalYear);
  }

  region(regionCode: string): RegionBalanceDoc {
    const existing = this.work.get<RegionBalanceDoc>(
      collections.regionBalance,
      regionKey(this.programCode, this.fiscalYear, regionCode),
    );
    if (existing) return { ...existing };
    this.program.regions += 1;
    return emptyRegion(this.programCode, this.fiscalYear, regionCode);
  }

  saveRegion(region: RegionBalanceDoc): void {
    region.lastPosition = this.position;
    this.work.put(
      collections.regionBalance,
      regionKey(this.programCode, this.fiscalYear, region.regionCode),
      fundKey(this.programCode, this.fiscalYear),
      region,
    );
  }

  trail(region: RegionBalanceDoc, entry: { type: string; amountFen: bigint; effectiveOn: string; reference: string }): void {
    const doc: TrailEntryDoc = {
      position: this.position,
      recordedAt: this.recorded.recordedAt,
      effectiveOn: entry.effectiveOn,
      type: entry.type,
      amountFen: entry.amountFen.toString(),
      availableAfterFen: region.availableFen,
      reference: entry.reference,
      actor: this.actor,
      hash: this.recorded.hash,
    };
    this.work.put(
      collections.trail,
      trailEntryId(regionKey(this.programCode, this.fiscalYear, region.regionCode), this.recorded.position),
      regionKey(this.programCode, this.fiscalYear, region.regionCode),
      doc,
    );
  }

  saveProgram(): void {
    // A program-year exists once an allocation document is recorded for it, not before.
    if (this.program.documents.length === 0) return;
    this.program.lastPosition = this.position;
    this.work.put(collections.programYear, fundKey(this.programCode, this.fiscalYear), programYearPartition, this.program);
  }
}

/**
 * Every balance change goes through the domain's postings, so that this view and the decider
 * agree by construction on where money lands; only the trail's wording is the projection's own.
 */
function applyMoney(ctx: ApplyContext, event: MoneyEvent): void {
  const program = ctx.program;
  const { regions, fund } = postingsOf(event, program.issuerRegionCode === '' ? null : program.issuerRegionCode);
  program.allocatedFen = add(program.allocatedFen, fund.allocatedFen);
  program.passedDownFen = add(program.passedDownFen, fund.passedDownFen);
  program.paidFen = add(program.paidFen, fund.paidFen);
  program.beneficiaries += fund.beneficiaries;
  program.returnedFen = add(program.returnedFen, fund.returnedToRootFen);
  program.availableFen = add(program.availableFen, fundAvailableDeltaFen(fund));
  const reference = referenceOf(event);
  for (const posting of regions) {
    const doc = ctx.region(posting.regionCode);
    const counters = countersOf(doc);
    applyPosting(counters, posting);
    writeCounters(doc, counters);
    ctx.saveRegion(doc);
    ctx.trail(doc, {
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
  if (program.documents.length === 0) {
    program.programName = data.programName;
    program.issuerRegionCode = data.issuerRegionCode;
    program.incomeSubject = data.incomeSubject;
    program.expenditureSubject = data.expenditureSubject;
  }
  program.documents.push({
    documentNo: data.documentNo,
    kind: data.kind,
    title: data.title,
    issuedOn: data.issuedOn,
    issuerRegionCode: data.issuerRegionCode,
    totalFen: data.totalFen,
    lines: data.lines.length,
    position: ctx.position,
  });
  applyMoney(ctx, event);
}

function indexDisbursement(ctx: ApplyContext, event: DisbursementRecorded): void {
  const data = event.data;
  ctx.work.put(collections.disbursement, data.disbursementId, fundKey(ctx.programCode, ctx.fiscalYear), {
    disbursementId: data.disbursementId,
    programCode: data.programCode,
    fiscalYear: data.fiscalYear,
    regionCode: data.regionCode,
    kind: data.kind,
    amountFen: data.amountFen,
    voucherNo: data.voucherNo,
    paidOn: data.paidOn,
    toRegionCode: data.toRegionCode ?? null,
    toParentRegionCode: data.toParentRegionCode ?? null,
    beneficiaries: data.beneficiaries ?? null,
    afterSettlement: data.afterSettlement,
    reversed: false,
    position: ctx.position,
  } satisfies DisbursementDoc);
}

function markReversed(ctx: ApplyContext, event: DisbursementReversed): void {
  const original = ctx.work.get<DisbursementDoc>(collections.disbursement, event.data.disbursementId);
  if (original) {
    ctx.work.put(collections.disbursement, event.data.disbursementId, fundKey(ctx.programCode, ctx.fiscalYear), {
      ...original,
      reversed: true,
    });
  }
}

function applySettlement(ctx: ApplyContext, event: RegionYearSettled): void {
  const data = event.data;
  const region = ctx.region(data.regionCode);
  region.settlement = {
    documentNo: data.documentNo,
    settledOn: data.settledOn,
    entitledFen: data.entitledFen,
    preAllocatedFen: data.preAllocatedFen,
    returnedBeforeFen: data.returnedBeforeFen,
    allocatedFen: data.allocatedFen,
    adjustmentFen: data.adjustmentFen,
    outstandingFen: '0',
  };
  writeCounters(region, countersOf(region));
  ctx.program.settledRegions += 1;
  ctx.saveRegion(region);
  ctx.trail(region, { type: 'settlement', amountFen: 0n, effectiveOn: data.settledOn, reference: data.documentNo });
}

/** The domain's counters, read from a stored balance. */
export function countersOf(doc: RegionBalanceDoc): RegionYearCounters {
  return {
    preAllocatedFen: fenFromString(doc.preAllocatedFen),
    topUpReceivedFen: fenFromString(doc.topUpReceivedFen ?? '0'),
    receivedFen: fenFromString(doc.receivedFen),
    returnedInFen: fenFromString(doc.returnedInFen),
    passedDownFen: fenFromString(doc.passedDownFen),
    paidFen: fenFromString(doc.paidFen),
    beneficiaries: doc.beneficiaries,
    returnedFen: fenFromString(doc.returnedFen),
    spentAfterSettlementFen: fenFromString(doc.spentAfterSettlementFen ?? '0'),
    returnedAfterSettlementFen: fenFromString(doc.returnedAfterSettlementFen ?? '0'),
    receivedAfterSettlementFen: fenFromString(doc.receivedAfterSettlementFen ?? '0'),
    firstReceivedOn: doc.firstFundedOn,
    firstTopUpOn: doc.firstTopUpOn ?? '',
    lastEffectiveOn: doc.lastEffectiveOn ?? '',
  };
}

export function settlementTermsOf(doc: SettlementDoc): SettlementTerms {
  return {
    documentNo: doc.documentNo,
    settledOn: doc.settledOn,
    entitledFen: fenFromString(doc.entitledFen),
    preAllocatedFen: fenFromString(doc.preAllocatedFen ?? doc.allocatedFen),
    returnedBeforeFen: fenFromString(doc.returnedBeforeFen ?? '0'),
    allocatedFen: fenFromString(doc.allocatedFen),
    adjustmentFen: fenFromString(doc.adjustmentFen),
  };
}

/** Stores the counters and the figures the domain derives from them. */
function writeCounters(doc: RegionBalanceDoc, counters: RegionYearCounters): void {
  doc.allocatedFen = allocatedFen(counters).toString();
  doc.preAllocatedFen = counters.preAllocatedFen.toString();
  doc.topUpReceivedFen = counters.topUpReceivedFen.toString();
  doc.receivedFen = counters.receivedFen.toString();
  doc.returnedInFen = counters.returnedInFen.toString();
  doc.passedDownFen = counters.passedDownFen.toString();
  doc.paidFen = counters.paidFen.toString();
  doc.beneficiaries = counters.beneficiaries;
  doc.returnedFen = counters.returnedFen.toString();
  doc.spentAfterSettlementFen = counters.spentAfterSettlementFen.toString();
  doc.returnedAfterSettlementFen = counters.returnedAfterSettlementFen.toString();
  doc.receivedAfterSettlementFen = counters.receivedAfterSettlementFen.toString();
  doc.availableFen = availableFen(counters).toString();
  doc.firstFundedOn = counters.firstReceivedOn;
  doc.firstTopUpOn = counters.firstTopUpOn;
  doc.lastEffectiveOn = counters.lastEffectiveOn;
  if (doc.settlement) {
    doc.settlement = {
      ...doc.settlement,
      outstandingFen: outstandingFen(counters, settlementTermsOf(doc.settlement)).toString(),
    };
  }
}

function applyTargets(ctx: ApplyContext, event: PerformanceTargetsRecorded): void {
  const data = event.data;
  ctx.work.put(
    collections.performanceTargets,
    regionKey(data.programCode, data.fiscalYear, data.regionCode),
    fundKey(data.programCode, data.fiscalYear),
    { ...(data as unknown as JsonObject), position: ctx.position },
  );
}

function applyActual(ctx: ApplyContext, event: PerformanceActualReported): void {
  const data = event.data;
  ctx.work.put(
    collections.performanceActual,
    `${regionKey(data.programCode, data.fiscalYear, data.regionCode)}/${data.indicator}`,
    fundKey(data.programCode, data.fiscalYear),
    { ...(data as unknown as JsonObject), position: ctx.position, actor: ctx.actor },
  );
}

function applyRefusal(work: DocOverlay, recorded: RecordedEvent, event: CommandRefused): void {
  const data = event.data;
  work.put(collections.refusal, paddedPosition(recorded.position), fundKey(data.programCode, data.fiscalYear), {
    ...(data as unknown as JsonObject),
    position: recorded.position.toString(),
    recordedAt: recorded.recordedAt,
  });
}

function emptyProgram(programCode: string, fiscalYear: number): ProgramYearDoc {
  return {
    programCode,
    programName: '',
    fiscalYear,
    issuerRegionCode: '',
    incomeSubject: '',
    expenditureSubject: '',
    allocatedFen: '0',
    passedDownFen: '0',
    paidFen: '0',
    beneficiaries: 0,
    returnedFen: '0',
    availableFen: '0',
    regions: 0,
    settledRegions: 0,
    documents: [],
    lastPosition: '0',
  };
}

function emptyRegion(programCode: string, fiscalYear: number, regionCode: string): RegionBalanceDoc {
  return {
    programCode,
    fiscalYear,
    regionCode,
    allocatedFen: '0',
    preAllocatedFen: '0',
    receivedFen: '0',
    returnedInFen: '0',
    passedDownFen: '0',
    paidFen: '0',
    beneficiaries: 0,
    returnedFen: '0',
    availableFen: '0',
    topUpReceivedFen: '0',
    spentAfterSettlementFen: '0',
    returnedAfterSettlementFen: '0',
    receivedAfterSettlementFen: '0',
    settlement: null,
    firstFundedOn: '',
    firstTopUpOn: '',
    lastEffectiveOn: '',
    lastPosition: '0',
  };
}

function add(stored: string, delta: bigint): string {
  return (fenFromString(stored) + delta).toString();
}

