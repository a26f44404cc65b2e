import { RegionRegistry, type Region } from '@earmark/domain';
import { chainEvent, genesisHash, type JsonObject, type RecordedEvent } from '@earmark/event-store';

/**
 * Builds small, validly chained logs for the verifier's tests: each test states its facts, and
 * positions, stream versions, ids, times and hashes follow from their order alone.
 */
const region = (
  code: string,
  name: string,
  level: Region['level'],
  parentCode: string | null,
  directFromProvince: boolean,
): Region => ({ code, name, shortName: name, level, parentCode, directFromProvince });

export const registry = new RegionRegistry([
  region('510000', '四川省', 'province', null, false),
  region('510100', '成都市', 'prefecture', '510000', true),
  region('510104', '锦江区', 'county', '510100', false),
  region('510105', '青羊区', 'county', '510100', false),
  region('510300', '自贡市', 'prefecture', '510000', true),
  region('510302', '自流井区', 'county', '510300', false),
  region('510321', '荣县', 'county', '510300', true),
]);

export const programCode = 'sc-pension-contribution-subsidy';
export const fiscalYear = 2024;
export const fundStream = `fund-${programCode}-${fiscalYear}`;

export interface Fact {
  readonly streamName: string;
  readonly type: string;
  readonly data: JsonObject;
}

/** Chains facts into a log: positions from 1, versions per stream from 0, a fixed clock. */
export function chain(facts: readonly Fact[]): RecordedEvent[] {
  return extend([], facts);
}

/** Chains more facts onto a log, as appending them would: the log itself is left as it is. */
export function extend(log: readonly RecordedEvent[], facts: readonly Fact[]): RecordedEvent[] {
  const versions = new Map<string, bigint>();
  for (const event of log) versions.set(event.streamName, event.streamVersion + 1n);
  const events = [...log];
  let previousHash = log.length === 0 ? genesisHash : log[log.length - 1].hash;
  facts.forEach((fact, i) => {
    const n = log.length + i + 1;
    const streamVersion = versions.get(fact.streamName) ?? 0n;
    versions.set(fact.streamName, streamVersion + 1n);
    const event = chainEvent(
      {
        id: `e0000000-0000-4000-8000-${n.toString().padStart(12, '0')}`,
        type: fact.type,
        data: fact.data,
        metadata: { actor: 'sc-finance', role: 'finance', commandId: `c-${n.toString().padStart(4, '0')}` },
        streamName: fact.streamName,
        streamVersion,
        position: BigInt(n),
        recordedAt: new Date(Date.UTC(2024, 0, 18, 2, 0, n)).toISOString(),
      },
      previousHash,
    );
    previousHash = event.hash;
    events.push(event);
  });
  return events;
}

/** The event at `position` with other data but its old hash: what an edit in the database does. */
export function tamper(events: readonly RecordedEvent[], position: bigint, edit: (data: JsonObject) => JsonObject): RecordedEvent[] {
  return events.map((event) => (event.position === position ? { ...event, data: edit(event.data) } : event));
}

export interface AllocationOptions {
  readonly totalFen?: bigint;
  readonly expenditureSubject?: string;
  readonly issuer?: string;
  readonly kind?: 'pre-allocation' | 'top-up';
  readonly issuedOn?: string;
}

export function allocation(documentNo: string, lines: readonly (readonly [string, bigint])[], options: AllocationOptions = {}): Fact {
  const totalFen = options.totalFen ?? lines.reduce((sum, [, fen]) => sum + fen, 0n);
  const kind = options.kind ?? 'pre-allocation';
  return {
    streamName: fundStream,
    type: 'AllocationRecorded',
    data: {
      documentNo,
      title:
        kind === 'pre-allocation'
          ? '关于预拨2024年困难群体养老保险个人缴费省级财政代缴资金的通知'
          : '关于补拨2024年困难群体养老保险个人缴费省级财政代缴资金的通知',
      kind,
      programCode,
      programName: '困难群体养老保险个人缴费省级财政代缴资金',
      fiscalYear,
      issuedOn: options.issuedOn ?? (kind === 'pre-allocation' ? '2024-01-18' : '2025-04-10'),
      issuerRegionCode: options.issuer ?? '510000',
      incomeSubject: '1100299',
      expenditureSubject: options.expenditureSubject ?? '2083001',
      totalFen: totalFen.toString(),
      lines: lines.map(([regionCode, fen]) => ({ regionCode, amountFen: fen.toString() })),
    },
  };
}

/** A 补拨 document: issued after the settlement it follows. */
export function topUp(documentNo: string, lines: readonly (readonly [string, bigint])[], options: Omit<AllocationOptions, 'kind'> = {}): Fact {
  return allocation(documentNo, lines, { ...options, kind: 'top-up' });
}

interface DisbursementOptions {
  readonly id: string;
  readonly voucherNo?: string;
  readonly paidOn?: string;
  /** What the domain records once the payer's subtree is closed by a settlement. */
  readonly afterSettlement?: boolean;
}

function disbursement(
  regionCode: string,
  kind: string,
  amountFen: bigint,
  options: DisbursementOptions,
  extra: JsonObject,
): Fact {
  return {
    streamName: fundStream,
    type: 'DisbursementRecorded',
    data: {
      disbursementId: options.id,
      programCode,
      fiscalYear,
      regionCode,
      kind,
      amountFen: amountFen.toString(),
      paidOn: options.paidOn ?? '2024-03-01',
      voucherNo: options.voucherNo ?? `V-${options.id}`,
      ...extra,
      afterSettlement: options.afterSettlement ?? false,
    },
  };
}

export function payment(
  regionCode: string,
  amountFen: bigint,
  options: DisbursementOptions & { expenditureSubject?: string; beneficiaries?: number },
): Fact {
  return disbursement(regionCode, 'beneficiary-payment', amountFen, options, {
    expenditureSubject: options.expenditureSubject ?? '2083001',
    beneficiaries: options.beneficiaries ?? Number(amountFen / 10_000n),
  });
}

export function passDown(regionCode: string, toRegionCode: string, amountFen: bigint, options: DisbursementOptions): Fact {
  return disbursement(regionCode, 'pass-down', amountFen, options, { toRegionCode });
}

export function returnUp(regionCode: string, toParentRegionCode: string, amountFen: bigint, options: DisbursementOptions): Fact {
  return disbursement(regionCode, 'return', amountFen, options, { toParentRegionCode });
}

/** A 市's 下达 document: one debit of the city, one credit per district. */
export function passDownDocument(
  regionCode: string,
  documentNo: string,
  lines: readonly (readonly [string, bigint])[],
  options: { passedOn?: string; totalFen?: bigint; afterSettlement?: boolean } = {},
): Fact {
  const totalFen = options.totalFen ?? lines.reduce((sum, [, fen]) => sum + fen, 0n);
  return {
    streamName: fundStream,
    type: 'PassDownRecorded',
    data: {
      programCode,
      fiscalYear,
      regionCode,
      documentNo,
      passedOn: options.passedOn ?? '2024-02-01',
      totalFen: totalFen.toString(),
      lines: lines.map(([lineRegionCode, fen]) => ({ regionCode: lineRegionCode, amountFen: fen.toString() })),
      afterSettlement: options.afterSettlement ?? false,
    },
  };
}

/** The reversal the domain would record: a copy of the original's facts, its flag included, and a reason. */
export function reversal(original: Fact, options: { reversedOn?: string } = {}): Fact {
  const { data } = original;
  const copied = ['regionCode', 'kind', 'amountFen', 'voucherNo', 'beneficiaries', 'toRegionCode', 'toParentRegionCode', 'afterSettlement'];
  return {
    streamName: fundStream,
    type: 'DisbursementReversed',
    data: {
      programCode,
      fiscalYear,
      disbursementId: data.disbursementId,
      reason: 'voucher cancelled by the treasury',
      reversedOn: options.reversedOn ?? '2024-03-05',
      ...Object.fromEntries(copied.filter((field) => data[field] !== undefined).map((field) => [field, data[field]])),
    },
  };
}

/** The same fact with some data fields changed: what a writer that skipped the rules could record. */
export function withData(fact: Fact, changes: JsonObject): Fact {
  return { ...fact, data: { ...fact.data, ...changes } };
}

/** The same fact without a data field: how logs written before the field existed read. */
export function withoutField(fact: Fact, field: string): Fact {
  const { [field]: _dropped, ...data } = fact.data;
  return { ...fact, data };
}

export interface SettlementTerms {
  readonly documentNo?: string;
  readonly settledOn?: string;
  /** `[category, persons, perPersonFen]`. */
  readonly actuals: readonly (readonly [string, number, bigint])[];
  readonly preAllocatedFen: bigint;
  readonly returnedBeforeFen?: bigint;
  /** Stated figures that differ from what the actuals and the two above make. */
  readonly entitledFen?: bigint;
  readonly allocatedFen?: bigint;
  readonly adjustmentFen?: bigint;
}

/** A settlement as v2 records it: the figures follow from the terms unless a test overrides one. */
export function settlement(regionCode: string, terms: SettlementTerms): Fact {
  const returnedBeforeFen = terms.returnedBeforeFen ?? 0n;
  const entitledFen = terms.entitledFen ?? terms.actuals.reduce((sum, [, persons, perPersonFen]) => sum + BigInt(persons) * perPersonFen, 0n);
  const allocatedFen = terms.allocatedFen ?? terms.preAllocatedFen - returnedBeforeFen;
  return {
    streamName: fundStream,
    type: 'RegionYearSettled',
    data: {
      programCode,
      fiscalYear,
      regionCode,
      documentNo: terms.documentNo ?? '川财社〔2025〕9号',
      settledOn: terms.settledOn ?? '2025-03-31',
      actuals: terms.actuals.map(([category, persons, perPersonFen]) => ({ category, persons, perPersonFen: perPersonFen.toString() })),
      entitledFen: entitledFen.toString(),
      preAllocatedFen: terms.preAllocatedFen.toString(),
      returnedBeforeFen: returnedBeforeFen.toString(),
      allocatedFen: allocatedFen.toString(),
      adjustmentFen: (terms.adjustmentFen ?? entitledFen - allocatedFen).toString(),
    },
  };
}

/** A settlement as logs before v2 recorded it: no preAllocatedFen, no returnedBeforeFen. */
export function legacySettlement(regionCode: string, entitledFen: bigint, allocatedFen: bigint): Fact {
  const v2 = settlement(regionCode, {
    actuals: [['dibao', Number(entitledFen / 10_000n), 10_000n]],
    preAllocatedFen: allocatedFen,
    entitledFen,
  });
  return withoutField(withoutField(v2, 'preAllocatedFen'), 'returnedBeforeFen');
}

export function refusal(regionCode: string): Fact {
  return {
    streamName: `refusals-${programCode}-${fiscalYear}`,
    type: 'CommandRefused',
    data: {
      commandType: 'RecordDisbursement',
      code: 'insufficient-funds',
      detail: 'available 0.00 元',
      programCode,
      fiscalYear,
      regionCode,
      actor: 'sc-finance',
      attemptedOn: '2024-03-02T00:00:00.000Z',
      command: { regionCode, kind: 'beneficiary-payment', amountFen: '100' },
    },
  };
}

export function documentReservation(documentNo: string): Fact {
  return { streamName: `document-${documentNo}`, type: 'DocumentNumberReserved', data: { documentNo, programCode, fiscalYear } };
}

/**
 * A clean ledger of every kind of movement: an allocation, a pass-down, a payment, returns to a
 * city and to the province, a reversed payment, a refusal and a settlement as logs before v2
 * wrote it.
 */
export function cleanLedgerFacts(): Fact[] {
  const cancelled = payment('510100', 5_000_000n, { id: 'd-5' });
  return [
    allocation('川财社〔2024〕2号', [
      ['510100', 300_000_000n],
      ['510300', 50_000_000n],
      ['510321', 20_000_000n],
    ]),
    documentReservation('川财社〔2024〕2号'),
    passDown('510100', '510104', 100_000_000n, { id: 'd-1' }),
    payment('510104', 1_000_000n, { id: 'd-2', beneficiaries: 100 }),
    // A county returns to its city, which holds an account: the city's holding grows.
    returnUp('510104', '510100', 9_000_000n, { id: 'd-3' }),
    // A county the province pays directly returns to the province: back to the source.
    returnUp('510321', '510000', 2_000_000n, { id: 'd-4' }),
    cancelled,
    reversal(cancelled),
    refusal('510105'),
    // As logs before v2 recorded a settlement: no preAllocatedFen, no returnedBeforeFen.
    legacySettlement('510300', 48_000_000n, 50_000_000n),
  ];
}
