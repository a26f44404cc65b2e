import { readFileSync } from 'fs';
import { join } from 'path';
import {
  fundStreamName,
  parseRegionsTsv,
  parseYuan,
  refusalStreamName,
  RegionRegistry,
  type CommandRefused,
  type FundEvent,
  type PerformanceIndicator,
  type PerformanceTarget,
  type RuleErrorCode,
} from '@earmark/domain';
import type { JsonObject, RecordedEvent } from '@earmark/event-store';
import { computeFlags, defaultFlagThresholds, type Flag, type FlagRule, type FlagThresholds } from '../../src';

/**
 * Hand-made recorded events for the auditors' rules: a scenario writes the fund's history line by
 * line, in log order, and reads back the positions it needs as evidence. Amounts are written in 元
 * as people read them and stored as 分, as the decider would have.
 */

export const programCode = 'sc-pension-contribution-subsidy';
export const fiscalYear = 2024;
export const thresholds: FlagThresholds = defaultFlagThresholds;

export const registry = new RegionRegistry(
  parseRegionsTsv(readFileSync(join(__dirname, '..', '..', '..', '..', 'seeds', 'sichuan-regions.tsv'), 'utf8')),
);

const fen = (yuan: string): string => parseYuan(yuan).toString();

/** Annex 2's six rows as the seed notice writes them; a scenario overrides the values it is about. */
export const annex2Values: Record<PerformanceIndicator, string> = {
  'persons-covered': '按照政策规定应缴尽缴',
  'enrolment-rate': '≥95%',
  'on-time-pass-down-rate': '≥95%',
  'minimum-standard': '100元',
  effect: '长期',
  satisfaction: '≥95%',
};

export class FundLog {
  readonly fundEvents: RecordedEvent[] = [];
  readonly refusalEvents: RecordedEvent[] = [];
  private position = 0n;
  private nextDisbursement = 1;
  private readonly settled = new Set<string>();

  /** A pre-allocation (or top-up) from the province, dated 2024-01-18 unless told. */
  allocation(
    lines: [regionCode: string, yuan: string][],
    options: { issuedOn?: string; documentNo?: string; kind?: 'pre-allocation' | 'top-up' } = {},
  ): number {
    const amounts = lines.map(([regionCode, yuan]) => ({ regionCode, amountFen: fen(yuan) }));
    return this.fund({
      type: 'AllocationRecorded',
      data: {
        documentNo: options.documentNo ?? '川财社〔2024〕2号',
        title: '关于预拨2024年困难群体养老保险个人缴费省级财政代缴资金的通知',
        kind: options.kind ?? 'pre-allocation',
        programCode,
        programName: '困难群体养老保险个人缴费省级财政代缴资金',
        fiscalYear,
        issuedOn: options.issuedOn ?? '2024-01-18',
        issuerRegionCode: '510000',
        incomeSubject: '1100299',
        expenditureSubject: '2083001',
        totalFen: amounts.reduce((sum, line) => sum + BigInt(line.amountFen), 0n).toString(),
        lines: amounts,
      },
    });
  }

  passDown(from: string, to: string, yuan: string, paidOn: string, voucherNo = `PD-${this.nextDisbursement}`): { position: number; id: string } {
    return this.disbursement({ regionCode: from, kind: 'pass-down', amountFen: fen(yuan), paidOn, voucherNo, toRegionCode: to });
  }

  payment(regionCode: string, yuan: string, beneficiaries: number, paidOn: string, voucherNo = `PAY-${this.nextDisbursement}`): { position: number; id: string } {
    return this.disbursement({
      regionCode,
      kind: 'beneficiary-payment',
      amountFen: fen(yuan),
      paidOn,
      voucherNo,
      expenditureSubject: '2083001',
      beneficiaries,
    });
  }

  /** A return to `toParentRegionCode`: the province for a region it pays directly, else the city. */
  returned(regionCode: string, toParentRegionCode: string, yuan: string, paidOn: string, voucherNo = `RET-${this.nextDisbursement}`): { position: number; id: string } {
    return this.disbursement({ regionCode, kind: 'return', amountFen: fen(yuan), paidOn, voucherNo, toParentRegionCode });
  }

  reversal(original: { id: string }, reversedOn: string): number {
    const recorded = this.fundEvents.find((event) => event.data['disbursementId'] === original.id);
    if (!recorded) throw new Error(`no disbursement ${original.id} in this log`);
    const data = recorded.data as unknown as Extract<FundEvent, { type: 'DisbursementRecorded' }>['data'];
    return this.fund({
      type: 'DisbursementReversed',
      data: {
        programCode,
        fiscalYear,
        disbursementId: data.disbursementId,
        reason: 'voucher cancelled by the treasury',
        reversedOn,
        regionCode: data.regionCode,
        kind: data.kind,
        amountFen: data.amountFen,
        voucherNo: data.voucherNo,
        ...(data.beneficiaries === undefined ? {} : { beneficiaries: data.beneficiaries }),
        ...(data.toRegionCode === undefined ? {} : { toRegionCode: data.toRegionCode }),
        ...(data.toParentRegionCode === undefined ? {} : { toParentRegionCode: data.toParentRegionCode }),
      },
    });
  }

  /**
   * A settlement with the figures the decider computes from the actuals, unless the scenario gives
   * others (a damaged event).
   */
  settlement(
    regionCode: string,
    actuals: { persons: number; perPerson: string }[],
    allocatedYuan: string,
    options: { settledOn?: string; entitledYuan?: string; adjustmentFen?: string } = {},
  ): number {
    const entitled = actuals.reduce((sum, actual) => sum + BigInt(actual.persons) * parseYuan(actual.perPerson), 0n);
    const entitledFen = options.entitledYuan === undefined ? entitled : parseYuan(options.entitledYuan);
    const allocatedFen = parseYuan(allocatedYuan);
    this.settled.add(regionCode);
    return this.fund({
      type: 'RegionYearSettled',
      data: {
        programCode,
        fiscalYear,
        regionCode,
        documentNo: '川财社〔2025〕9号',
        settledOn: options.settledOn ?? '2025-03-31',
        actuals: actuals.map((actual, index) => ({ category: `category-${index + 1}`, persons: actual.persons, perPersonFen: fen(actual.perPerson) })),
        entitledFen: entitledFen.toString(),
        allocatedFen: allocatedFen.toString(),
        adjustmentFen: options.adjustmentFen ?? (entitledFen - allocatedFen).toString(),
      },
    });
  }

  targets(regionCode: string, values: Partial<Record<PerformanceIndicator, string>> = {}, recordedAt = '2024-01-20T02:00:00.000Z'): number {
    const targets: PerformanceTarget[] = (Object.keys(annex2Values) as PerformanceIndicator[]).map((indicator) => ({
      level1: '产出指标',
      level2: '',
      level3: indicator,
      indicator,
      value: values[indicator] ?? annex2Values[indicator],
    }));
    return this.fund(
      {
        type: 'PerformanceTargetsRecorded',
        data: {
          programCode,
          fiscalYear,
          regionCode,
          documentNo: '川财社〔2024〕2号',
          amountFen: '0',
          overallGoal: '确保困难群体应保尽保',
          targets,
          warnings: [],
        },
      },
      { recordedAt },
    );
  }

  actual(regionCode: string, indicator: string, value: string, reportedOn: string, actor = 'finance-city'): number {
    return this.fund(
      { type: 'PerformanceActualReported', data: { programCode, fiscalYear, regionCode, indicator, value, period: '2024', reportedOn } },
      { actor },
    );
  }

  refused(refusal: { actor: string; code: RuleErrorCode; regionCode: string | null; attemptedOn: string; detail: string }): number {
    const data: CommandRefused['data'] = {
      commandType: 'RecordDisbursement',
      code: refusal.code,
      detail: refusal.detail,
      programCode,
      fiscalYear,
      regionCode: refusal.regionCode,
      actor: refusal.actor,
      attemptedOn: refusal.attemptedOn,
      command: {},
    };
    return this.record(this.refusalEvents, refusalStreamName(programCode, fiscalYear), 'CommandRefused', data, { actor: refusal.actor });
  }

  private disbursement(
    fields: Omit<Extract<FundEvent, { type: 'DisbursementRecorded' }>['data'], 'disbursementId' | 'programCode' | 'fiscalYear' | 'afterSettlement'>,
  ): { position: number; id: string } {
    const id = `d-${this.nextDisbursement++}`;
    const position = this.fund({
      type: 'DisbursementRecorded',
      data: { disbursementId: id, programCode, fiscalYear, ...fields, afterSettlement: this.settled.has(fields.regionCode) },
    });
    return { position, id };
  }

  private fund(event: FundEvent, options: { recordedAt?: string; actor?: string } = {}): number {
    return this.record(this.fundEvents, fundStreamName(programCode, fiscalYear), event.type, event.data, options);
  }

  private record(
    stream: RecordedEvent[],
    streamName: string,
    type: string,
    data: object,
    options: { recordedAt?: string; actor?: string },
  ): number {
    this.position += 1n;
    stream.push({
      id: `event-${this.position}`,
      type,
      data: data as unknown as JsonObject,
      metadata: { actor: options.actor ?? 'finance-sichuan', role: 'finance', commandId: `command-${this.position}` },
      streamName,
      streamVersion: BigInt(stream.length),
      position: this.position,
      recordedAt: options.recordedAt ?? '2024-01-20T02:00:00.000Z',
      hash: this.position.toString(16).padStart(64, '0'),
      previousHash: (this.position - 1n).toString(16).padStart(64, '0'),
    });
    return Number(this.position);
  }
}

/** The flags of one rule as they stood at the end of `asOf`. */
export function flagsOf(log: FundLog, rule: FlagRule, asOf: string, options: { thresholds?: FlagThresholds } = {}): Flag[] {
  return computeFlags({
    fundEvents: log.fundEvents,
    refusalEvents: log.refusalEvents,
    registry,
    asOf,
    thresholds: options.thresholds ?? thresholds,
  }).filter((flag) => flag.rule === rule);
}
