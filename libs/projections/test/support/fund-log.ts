import { readFileSync } from 'fs';
import { join } from 'path';
import {
  closingSettlement,
  entitledFen,
  evolveFund,
  fenFromString,
  fenToString,
  fundStreamName,
  initialFundState,
  parseRegionsTsv,
  parseYuan,
  refusalStreamName,
  RegionRegistry,
  settlementTerms,
  type CommandRefused,
  type DisbursementRecorded,
  type FundEvent,
  type PerformanceIndicator,
  type PerformanceTarget,
  type RecordAllocation,
  type RecordPerformanceTargets,
  type RuleErrorCode,
} from '@earmark/domain';
import type { JsonObject, RecordedEvent } from '@earmark/event-store';
import { computeFlags, defaultFlagThresholds, type Flag, type FlagRule, type FlagThresholds } from '../../src';
import { reversalOf } from '../../../domain/test/support/fund-spec';

/**
 * Hand-made recorded events for the auditors' rules: a scenario writes the fund's history line by
 * line, in log order, and reads back the positions it needs as evidence. Amounts are written in 元
 * as people read them and stored as 分. What the decider derives (a return's destination, whether
 * the subtree was already settled, a settlement's figures) is derived here from the domain's own
 * fund state, so events have the decider's shape; the rules themselves are not enforced, so that a
 * scenario can also write a history the decider would have refused.
 */

export const programCode = 'sc-pension-contribution-subsidy';
export const fiscalYear = 2024;
export const thresholds: FlagThresholds = defaultFlagThresholds;

const seedsDir = join(__dirname, '..', '..', '..', '..', 'seeds');

export const registry = new RegionRegistry(parseRegionsTsv(readFileSync(join(seedsDir, 'sichuan-regions.tsv'), 'utf8')));

/** The seed notice 川财社〔2024〕2号 as text, for a scenario that imports it. */
export const seedNoticeText = (): string =>
  readFileSync(join(seedsDir, 'sichuan-2024-pension-contribution-preallocation.txt'), 'utf8');

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

type DisbursementFields = Omit<
  DisbursementRecorded['data'],
  'disbursementId' | 'programCode' | 'fiscalYear' | 'afterSettlement' | 'toParentRegionCode'
>;

export class FundLog {
  readonly fundEvents: RecordedEvent[] = [];
  readonly refusalEvents: RecordedEvent[] = [];
  private position = 0n;
  private nextDisbursement = 1;
  private nextDocument = 1;
  private readonly state = initialFundState(programCode, fiscalYear);

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

  /** A notice as the importer reads it: its allocation, then each 市(州)'s targets. */
  notice(
    parsed: { readonly allocation: RecordAllocation['data']; readonly targets: readonly RecordPerformanceTargets['data'][] },
    recordedAt = '2024-01-18T02:00:00.000Z',
  ): void {
    this.fund({ type: 'AllocationRecorded', data: parsed.allocation }, { recordedAt });
    for (const table of parsed.targets) this.fund({ type: 'PerformanceTargetsRecorded', data: table }, { recordedAt });
  }

  /** A single pass-down through a disbursement. */
  passDown(from: string, to: string, yuan: string, paidOn: string, voucherNo = `PD-${this.nextDisbursement}`): { position: number; id: string } {
    return this.disbursement({ regionCode: from, kind: 'pass-down', amountFen: fen(yuan), paidOn, voucherNo, toRegionCode: to });
  }

  /** A 市's 下达 document: one event, one line per district. */
  passDownDocument(
    from: string,
    lines: [regionCode: string, yuan: string][],
    passedOn: string,
    documentNo = `下达-${this.nextDocument++}`,
  ): number {
    const amounts = lines.map(([regionCode, yuan]) => ({ regionCode, amountFen: fen(yuan) }));
    return this.fund({
      type: 'PassDownRecorded',
      data: {
        programCode,
        fiscalYear,
        regionCode: from,
        documentNo,
        passedOn,
        totalFen: amounts.reduce((sum, line) => sum + BigInt(line.amountFen), 0n).toString(),
        lines: amounts,
        afterSettlement: this.isClosed(from),
      },
    });
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

  /** A return to the region that funds the payer: the province for one it pays directly, else the city. */
  returned(regionCode: string, yuan: string, paidOn: string, voucherNo = `RET-${this.nextDisbursement}`): { position: number; id: string } {
    return this.disbursement({ regionCode, kind: 'return', amountFen: fen(yuan), paidOn, voucherNo });
  }

  reversal(original: { id: string }, reversedOn: string): number {
    const recorded = this.fundEvents.find((event) => event.type === 'DisbursementRecorded' && event.data['disbursementId'] === original.id);
    if (!recorded) throw new Error(`no disbursement ${original.id} in this log`);
    return this.fund(reversalOf({ type: 'DisbursementRecorded', data: recorded.data as unknown as DisbursementRecorded['data'] }, reversedOn));
  }

  /** A settlement with the figures the decider computes from the actuals and the books so far. */
  settlement(
    regionCode: string,
    actuals: { persons: number; perPerson: string }[],
    options: { settledOn?: string; documentNo?: string } = {},
  ): number {
    const settledActuals = actuals.map((actual, index) => ({
      category: `category-${index + 1}`,
      persons: actual.persons,
      perPersonFen: fen(actual.perPerson),
    }));
    const region = this.state.regions.get(regionCode);
    if (!region) throw new Error(`${regionCode} holds no money in this log`);
    const documentNo = options.documentNo ?? '川财社〔2025〕9号';
    const settledOn = options.settledOn ?? '2025-03-31';
    const terms = settlementTerms(
      region.counters,
      documentNo,
      settledOn,
      entitledFen(settledActuals.map((actual) => ({ persons: actual.persons, perPersonFen: fenFromString(actual.perPersonFen) }))),
    );
    return this.fund({
      type: 'RegionYearSettled',
      data: {
        programCode,
        fiscalYear,
        regionCode,
        documentNo,
        settledOn,
        actuals: settledActuals,
        entitledFen: fenToString(terms.entitledFen),
        preAllocatedFen: fenToString(terms.preAllocatedFen),
        returnedBeforeFen: fenToString(terms.returnedBeforeFen),
        allocatedFen: fenToString(terms.allocatedFen),
        adjustmentFen: fenToString(terms.adjustmentFen),
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

  /** A refused command; 'forbidden' stands for a scope refusal, should the log ever hold one. */
  refused(refusal: {
    actor: string;
    code: RuleErrorCode | 'forbidden';
    regionCode: string | null;
    attemptedOn: string;
    detail: string;
    commandType?: CommandRefused['data']['commandType'];
  }): number {
    const data: CommandRefused['data'] = {
      commandType: refusal.commandType ?? 'RecordDisbursement',
      code: refusal.code as RuleErrorCode,
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

  private disbursement(fields: DisbursementFields): { position: number; id: string } {
    const id = `d-${this.nextDisbursement++}`;
    const toParentRegionCode = fields.kind === 'return' ? registry.fundingParentOf(fields.regionCode) : null;
    const position = this.fund({
      type: 'DisbursementRecorded',
      data: {
        disbursementId: id,
        programCode,
        fiscalYear,
        ...fields,
        ...(toParentRegionCode === null ? {} : { toParentRegionCode }),
        afterSettlement: this.isClosed(fields.regionCode),
      },
    });
    return { position, id };
  }

  private isClosed(regionCode: string): boolean {
    return closingSettlement(this.state, regionCode, (code) => registry.fundingParentOf(code)) !== null;
  }

  private fund(event: FundEvent, options: { recordedAt?: string; actor?: string } = {}): number {
    evolveFund(this.state, event);
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

/** All flags as they stood at the end of `asOf`. */
export function allFlags(log: FundLog, asOf: string, options: { thresholds?: FlagThresholds } = {}): Flag[] {
  return computeFlags({
    fundEvents: log.fundEvents,
    refusalEvents: log.refusalEvents,
    registry,
    asOf,
    thresholds: options.thresholds ?? thresholds,
  });
}

/** The flags of one rule as they stood at the end of `asOf`. */
export function flagsOf(log: FundLog, rule: FlagRule, asOf: string, options: { thresholds?: FlagThresholds } = {}): Flag[] {
  return allFlags(log, asOf, options).filter((flag) => flag.rule === rule);
}
