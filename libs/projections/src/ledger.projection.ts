import {
  assertNever,
  fenFromString,
  parseFundStreamName,
  type AllocationRecorded,
  type CommandRefused,
  type DisbursementRecorded,
  type DisbursementReversed,
  type LedgerEvent,
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
  type DisbursementDoc,
  type ProgramYearDoc,
  type RegionBalanceDoc,
  type TrailEntryDoc,
} from './ledger-docs';

export const ledgerProjectionName = 'ledger';

const ledgerEventTypes: ReadonlySet<string> = new Set<LedgerEvent['type']>([
  'AllocationRecorded',
  'DisbursementRecorded',
  'DisbursementReversed',
  'RegionYearSettled',
  'PerformanceTargetsRecorded',
  'PerformanceActualReported',
  'CommandRefused',
]);

/** Which fund an event belongs to: from its stream, or, for a refusal, from its data. */
function fundOf(event: RecordedEvent): { programCode: string; fiscalYear: number } | null {
  if (!ledgerEventTypes.has(event.type)) return null;
  const fromStream = parseFundStreamName(event.streamName);
  if (fromStream) return fromStream;
  if (event.type === 'CommandRefused') {
    const data = event.data as unknown as CommandRefused['data'];
    return { programCode: data.programCode, fiscalYear: data.fiscalYear };
  }
  return null;
}

function asLedgerEvent(event: RecordedEvent): LedgerEvent {
  return { type: event.type, data: event.data } as unknown as LedgerEvent;
}

/** The regions whose balance an event changes. */
function regionsTouched(event: LedgerEvent): string[] {
  switch (event.type) {
    case 'AllocationRecorded':
      return event.data.lines.map((line) => line.regionCode);
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
      applyAllocation(ctx, event);
      break;
    case 'DisbursementRecorded':
      applyDisbursement(ctx, event);
      break;
    case 'DisbursementReversed':
      applyReversal(ctx, event);
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
      `${regionKey(this.programCode, this.fiscalYear, region.regionCode)}/${paddedPosition(this.recorded.position)}`,
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

function applyAllocation(ctx: ApplyContext, event: AllocationRecorded): void {
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
  program.allocatedFen = add(program.allocatedFen, fenFromString(data.totalFen));
  program.availableFen = add(program.availableFen, fenFromString(data.totalFen));
  for (const line of data.lines) {
    const amount = fenFromString(line.amountFen);
    const region = ctx.region(line.regionCode);
    region.allocatedFen = add(region.allocatedFen, amount);
    if (data.kind === 'pre-allocation') region.preAllocatedFen = add(region.preAllocatedFen, amount);
    region.availableFen = add(region.availableFen, amount);
    if (!region.firstFundedOn) region.firstFundedOn = data.issuedOn;
    if (data.kind === 'top-up' && region.settlement) {
      region.settlement = {
        ...region.settlement,
        outstandingFen: add(region.settlement.outstandingFen, -amount),
      };
    }
    ctx.saveRegion(region);
    ctx.trail(region, { type: data.kind, amountFen: amount, effectiveOn: data.issuedOn, reference: data.documentNo });
  }
}

function applyDisbursement(ctx: ApplyContext, event: DisbursementRecorded): void {
  const data = event.data;
  const amount = fenFromString(data.amountFen);
  const program = ctx.program;
  const source = ctx.region(data.regionCode);
  source.availableFen = add(source.availableFen, -amount);
  const reference = data.voucherNo;
  switch (data.kind) {
    case 'beneficiary-payment': {
      const persons = data.beneficiaries ?? 0;
      source.paidFen = add(source.paidFen, amount);
      source.beneficiaries += persons;
      program.paidFen = add(program.paidFen, amount);
      program.beneficiaries += persons;
      program.availableFen = add(program.availableFen, -amount);
      ctx.saveRegion(source);
      ctx.trail(source, { type: data.kind, amountFen: -amount, effectiveOn: data.paidOn, reference });
      break;
    }
    case 'pass-down': {
      source.passedDownFen = add(source.passedDownFen, amount);
      program.passedDownFen = add(program.passedDownFen, amount);
      ctx.saveRegion(source);
      ctx.trail(source, { type: data.kind, amountFen: -amount, effectiveOn: data.paidOn, reference });
      const child = ctx.region(requireCode(data.toRegionCode, 'toRegionCode'));
      child.receivedFen = add(child.receivedFen, amount);
      child.availableFen = add(child.availableFen, amount);
      if (!child.firstFundedOn) child.firstFundedOn = data.paidOn;
      ctx.saveRegion(child);
      ctx.trail(child, { type: 'pass-down-received', amountFen: amount, effectiveOn: data.paidOn, reference });
      break;
    }
    case 'return': {
      source.returnedFen = add(source.returnedFen, amount);
      if (data.afterSettlement && source.settlement && fenFromString(source.settlement.outstandingFen) < 0n) {
        source.settlement = { ...source.settlement, outstandingFen: add(source.settlement.outstandingFen, amount) };
      }
      ctx.saveRegion(source);
      ctx.trail(source, { type: data.kind, amountFen: -amount, effectiveOn: data.paidOn, reference });
      applyReturnReceipt(ctx, data.toParentRegionCode ?? null, amount, data.paidOn, reference, 'return-received');
      break;
    }
    default:
      assertNever(data.kind);
  }
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

/** A return lands with the parent city when the money came from it; otherwise it leaves the fund. */
function applyReturnReceipt(
  ctx: ApplyContext,
  parentCode: string | null,
  amount: bigint,
  effectiveOn: string,
  reference: string,
  type: string,
): void {
  if (parentCode !== null && parentCode !== ctx.program.issuerRegionCode) {
    const parent = ctx.region(parentCode);
    parent.returnedInFen = add(parent.returnedInFen, amount);
    parent.availableFen = add(parent.availableFen, amount);
    ctx.saveRegion(parent);
    ctx.trail(parent, { type, amountFen: amount, effectiveOn, reference });
    return;
  }
  ctx.program.returnedFen = add(ctx.program.returnedFen, amount);
  ctx.program.availableFen = add(ctx.program.availableFen, -amount);
}

function applyReversal(ctx: ApplyContext, event: DisbursementReversed): void {
  const data = event.data;
  const amount = fenFromString(data.amountFen);
  const program = ctx.program;
  const original = ctx.work.get<DisbursementDoc>(collections.disbursement, data.disbursementId);
  const reference = `${data.voucherNo}: ${data.reason}`;
  const source = ctx.region(data.regionCode);
  source.availableFen = add(source.availableFen, amount);
  switch (data.kind) {
    case 'beneficiary-payment': {
      const persons = data.beneficiaries ?? 0;
      source.paidFen = add(source.paidFen, -amount);
      source.beneficiaries -= persons;
      program.paidFen = add(program.paidFen, -amount);
      program.beneficiaries -= persons;
      program.availableFen = add(program.availableFen, amount);
      ctx.saveRegion(source);
      ctx.trail(source, { type: 'reversal', amountFen: amount, effectiveOn: data.reversedOn, reference });
      break;
    }
    case 'pass-down': {
      source.passedDownFen = add(source.passedDownFen, -amount);
      program.passedDownFen = add(program.passedDownFen, -amount);
      ctx.saveRegion(source);
      ctx.trail(source, { type: 'reversal', amountFen: amount, effectiveOn: data.reversedOn, reference });
      const child = ctx.region(requireCode(data.toRegionCode, 'toRegionCode'));
      child.receivedFen = add(child.receivedFen, -amount);
      child.availableFen = add(child.availableFen, -amount);
      ctx.saveRegion(child);
      ctx.trail(child, { type: 'reversal', amountFen: -amount, effectiveOn: data.reversedOn, reference });
      break;
    }
    case 'return': {
      source.returnedFen = add(source.returnedFen, -amount);
      if (original?.afterSettlement && source.settlement) {
        source.settlement = { ...source.settlement, outstandingFen: add(source.settlement.outstandingFen, -amount) };
      }
      ctx.saveRegion(source);
      ctx.trail(source, { type: 'reversal', amountFen: amount, effectiveOn: data.reversedOn, reference });
      const parentCode = data.toParentRegionCode ?? null;
      if (parentCode !== null && parentCode !== program.issuerRegionCode) {
        const parent = ctx.region(parentCode);
        parent.returnedInFen = add(parent.returnedInFen, -amount);
        parent.availableFen = add(parent.availableFen, -amount);
        ctx.saveRegion(parent);
        ctx.trail(parent, { type: 'reversal', amountFen: -amount, effectiveOn: data.reversedOn, reference });
      } else {
        program.returnedFen = add(program.returnedFen, -amount);
        program.availableFen = add(program.availableFen, amount);
      }
      break;
    }
    default:
      assertNever(data.kind);
  }
  if (original) {
    ctx.work.put(collections.disbursement, data.disbursementId, fundKey(ctx.programCode, ctx.fiscalYear), {
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
    allocatedFen: data.allocatedFen,
    adjustmentFen: data.adjustmentFen,
    outstandingFen: data.adjustmentFen,
  };
  ctx.program.settledRegions += 1;
  ctx.saveRegion(region);
  ctx.trail(region, { type: 'settlement', amountFen: 0n, effectiveOn: data.settledOn, reference: data.documentNo });
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
    settlement: null,
    firstFundedOn: '',
    lastPosition: '0',
  };
}

function add(stored: string, delta: bigint): string {
  return (fenFromString(stored) + delta).toString();
}

function requireCode(code: string | undefined, field: string): string {
  if (!code) throw new Error(`event is missing ${field}`);
  return code;
}
