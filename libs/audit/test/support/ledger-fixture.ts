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
  const versions = new Map<string, bigint>();
  const events: RecordedEvent[] = [];
  let previousHash = genesisHash;
  facts.forEach((fact, i) => {
    const n = i + 1;
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

export function allocation(
  documentNo: string,
  lines: readonly (readonly [string, bigint])[],
  options: { totalFen?: bigint; expenditureSubject?: string; issuer?: string } = {},
): Fact {
  const totalFen = options.totalFen ?? lines.reduce((sum, [, fen]) => sum + fen, 0n);
  return {
    streamName: fundStream,
    type: 'AllocationRecorded',
    data: {
      documentNo,
      title: '关于预拨2024年困难群体养老保险个人缴费省级财政代缴资金的通知',
      kind: 'pre-allocation',
      programCode,
      programName: '困难群体养老保险个人缴费省级财政代缴资金',
      fiscalYear,
      issuedOn: '2024-01-18',
      issuerRegionCode: options.issuer ?? '510000',
      incomeSubject: '1100299',
      expenditureSubject: options.expenditureSubject ?? '2083001',
      totalFen: totalFen.toString(),
      lines: lines.map(([regionCode, fen]) => ({ regionCode, amountFen: fen.toString() })),
    },
  };
}

interface DisbursementOptions {
  readonly id: string;
  readonly voucherNo?: string;
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
      paidOn: '2024-03-01',
      voucherNo: options.voucherNo ?? `V-${options.id}`,
      ...extra,
      afterSettlement: false,
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

/** The reversal the domain would record: a copy of the original's facts and a reason. */
export function reversal(original: Fact): Fact {
  const { data } = original;
  const copied = ['regionCode', 'kind', 'amountFen', 'voucherNo', 'beneficiaries', 'toRegionCode', 'toParentRegionCode'];
  return {
    streamName: fundStream,
    type: 'DisbursementReversed',
    data: {
      programCode,
      fiscalYear,
      disbursementId: data.disbursementId,
      reason: 'voucher cancelled by the treasury',
      reversedOn: '2024-03-05',
      ...Object.fromEntries(copied.filter((field) => data[field] !== undefined).map((field) => [field, data[field]])),
    },
  };
}

export function settlement(regionCode: string, entitledFen: bigint, allocatedFen: bigint): Fact {
  return {
    streamName: fundStream,
    type: 'RegionYearSettled',
    data: {
      programCode,
      fiscalYear,
      regionCode,
      documentNo: '川财社〔2025〕9号',
      settledOn: '2025-03-31',
      actuals: [{ category: 'dibao', persons: Number(entitledFen / 10_000n), perPersonFen: '10000' }],
      entitledFen: entitledFen.toString(),
      allocatedFen: allocatedFen.toString(),
      adjustmentFen: (entitledFen - allocatedFen).toString(),
    },
  };
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
