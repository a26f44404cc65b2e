import {
  closingSettlement,
  decideFund,
  emptyCounters,
  entitledFen,
  evolveFund,
  initialFundState,
  regionFigures,
  RuleError,
  settlementTerms,
  type Actor,
  type FundCommand,
  type FundEvent,
  type FundState,
  type RecordAllocation,
} from '@earmark/domain';
import { BalanceReplay } from '@earmark/audit';
import type { JsonObject, RecordedEvent } from '@earmark/event-store';
import { chain, extend, fiscalYear, fundStream, programCode, registry, type Fact } from './support/ledger-fixture';
import { passedThrough, verdict } from './support/verdict';

/**
 * The verifier is a second implementation of the rules the decider enforces. Here the decider
 * meets a seeded stream of commands, many of them wrong: every event it records must verify, and
 * every command it refuses, recorded anyway as the event it would have made, must fail the
 * verifier at exactly that position. The two never share code; this is where they must agree.
 */
const commandsPerRun = 400;
const seeds = [1, 2, 3, 4, 5];
/** Later than every date the commands carry, so that no refusal is for a date in the future. */
const now = '2030-01-01T00:00:00Z';
const actor: Actor = { name: 'sc-finance', role: 'finance' };
const directRecipients = ['510100', '510300', '510321'];
const districts = ['510104', '510105', '510302'];
const payers = [...directRecipients, ...districts];

/** mulberry32: a small PRNG, so that each run replays the same commands. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

class CommandSource {
  private readonly next: () => number;
  private day = '2024-01-10';
  private counter = 0;
  readonly documentNos: string[] = [];
  /** Recorded disbursements, the only ones a reversal names. */
  readonly disbursementIds: string[] = [];

  constructor(seed: number) {
    this.next = prng(seed);
  }

  /** An allocation of this program-year: what varies from one to the next, in the order it is drawn. */
  private allocation(
    varying: Pick<RecordAllocation['data'], 'documentNo' | 'kind' | 'issuedOn' | 'issuerRegionCode' | 'expenditureSubject' | 'totalFen' | 'lines'>,
    metadata: RecordAllocation['metadata'],
  ): RecordAllocation {
    const { documentNo, kind, issuedOn, issuerRegionCode, expenditureSubject, totalFen, lines } = varying;
    return {
      type: 'RecordAllocation',
      data: {
        programCode,
        fiscalYear,
        documentNo,
        title: '预拨',
        kind,
        programName: '困难群体养老保险个人缴费省级财政代缴资金',
        issuedOn,
        issuerRegionCode,
        incomeSubject: '1100299',
        expenditureSubject,
        totalFen,
        lines,
      },
      metadata,
    };
  }

  command(): FundCommand {
    this.day = addDays(this.day, this.int(5));
    this.counter += 1;
    const metadata = { actor, now, commandId: `c-${this.counter}` };
    const fund = { programCode, fiscalYear };
    const roll = this.counter === 1 ? 0 : this.next();
    if (this.counter === 1) {
      // The notice itself, so that most later commands have money to move.
      return this.allocation(
        {
          documentNo: this.documentNo('川财社'),
          kind: 'pre-allocation',
          issuedOn: this.day,
          issuerRegionCode: '510000',
          expenditureSubject: '2083001',
          totalFen: '1000000',
          lines: directRecipients.map((regionCode) => ({ regionCode, amountFen: regionCode === '510321' ? '200000' : '400000' })),
        },
        metadata,
      );
    }
    if (roll < 0.1) {
      return this.allocation(
        {
          documentNo: this.documentNo('川财社'),
          kind: this.chance(0.5) ? 'pre-allocation' : 'top-up',
          issuedOn: this.date(),
          issuerRegionCode: this.chance(0.2) ? '510100' : '510000',
          expenditureSubject: this.chance(0.03) ? '2080505' : '2083001',
          ...this.lines(this.chance(0.1) ? payers : directRecipients, [1_000n, 5_000n, 20_000n, 100_000n]),
        },
        metadata,
      );
    }
    // Settlements come once actuals are known, after the year; before that the roll pays.
    if (roll < 0.55 || (roll >= 0.8 && this.day < `${fiscalYear + 1}-01-15`)) {
      const kind = this.pick(['beneficiary-payment', 'beneficiary-payment', 'pass-down', 'return'] as const);
      const regionCode = this.pick(payers);
      const disbursementId = `d-${this.counter}`;
      const amountFen = this.pick([1_000n, 5_000n, 10_000n, 30_000n]);
      return {
        type: 'RecordDisbursement',
        data: {
          ...fund,
          disbursementId,
          regionCode,
          kind,
          amountFen: amountFen.toString(),
          paidOn: this.date(),
          voucherNo: this.chance(0.03) ? 'V-1' : `V-${this.counter}`,
          ...(kind === 'beneficiary-payment'
            ? { expenditureSubject: this.chance(0.03) ? '2080505' : '2083001', beneficiaries: Number(amountFen / 10_000n) + 1 }
            : {}),
          ...(kind === 'pass-down' ? { toRegionCode: this.pick([...districts, '510321']) } : {}),
        },
        metadata,
      };
    }
    if (roll < 0.68) {
      return {
        type: 'RecordPassDown',
        data: {
          ...fund,
          regionCode: this.pick(['510100', '510100', '510300']),
          documentNo: this.documentNo('市财'),
          passedOn: this.date(),
          ...this.lines([...districts, '510321'], [1_000n, 5_000n, 10_000n]),
        },
        metadata,
      };
    }
    if (roll < 0.8 && this.disbursementIds.length > 0) {
      return {
        type: 'ReverseDisbursement',
        data: { ...fund, disbursementId: this.pick(this.disbursementIds), reason: 'voucher cancelled', reversedOn: this.date() },
        metadata,
      };
    }
    return {
      type: 'SettleRegionYear',
      data: {
        ...fund,
        regionCode: this.pick(directRecipients),
        documentNo: '川财社〔2025〕9号',
        settledOn: this.date(),
        actuals: [
          { category: 'dibao', persons: 20 + this.int(30), perPersonFen: this.chance(0.03) ? '0' : '10000' },
          { category: 'tekun', persons: this.int(10), perPersonFen: '10000' },
        ],
      },
      metadata,
    };
  }

  /** Mostly today; sometimes weeks back, to meet the date rules. */
  private date(): string {
    return this.chance(0.1) ? addDays(this.day, -this.int(60)) : this.day;
  }

  private documentNo(prefix: string): string {
    if (this.documentNos.length > 0 && this.chance(0.03)) return this.pick(this.documentNos);
    const documentNo = `${prefix}〔2024〕${this.counter}号`;
    this.documentNos.push(documentNo);
    return documentNo;
  }

  private lines(regions: readonly string[], amounts: readonly bigint[]) {
    const first = this.pick(regions);
    const second = this.pick(regions);
    const chosen = first === second || this.chance(0.5) ? [first] : [first, second];
    const lines = chosen.map((regionCode) => ({ regionCode, amountFen: this.pick(amounts).toString() }));
    const sumFen = lines.reduce((sum, line) => sum + BigInt(line.amountFen), 0n);
    return { totalFen: (this.chance(0.03) ? sumFen + 1n : sumFen).toString(), lines };
  }

  private int(below: number): number {
    return Math.floor(this.next() * below);
  }

  private chance(probability: number): boolean {
    return this.next() < probability;
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** The event a writer that skipped the decider would have recorded for a refused command. */
function forgedEvent(command: FundCommand, state: FundState): FundEvent {
  const closed = (regionCode: string) => closingSettlement(state, regionCode, (code) => registry.fundingParentOf(code)) !== null;
  switch (command.type) {
    case 'RecordAllocation':
      return { type: 'AllocationRecorded', data: command.data };
    case 'RecordDisbursement': {
      const { data } = command;
      const toParent = data.kind === 'return' ? { toParentRegionCode: registry.fundingParentOf(data.regionCode) ?? '' } : {};
      return { type: 'DisbursementRecorded', data: { ...data, ...toParent, afterSettlement: closed(data.regionCode) } };
    }
    case 'RecordPassDown':
      return { type: 'PassDownRecorded', data: { ...command.data, afterSettlement: closed(command.data.regionCode) } };
    case 'ReverseDisbursement': {
      const entry = state.disbursements.get(command.data.disbursementId);
      if (!entry) throw new Error(`the commands reverse only disbursements they made, not ${command.data.disbursementId}`);
      return {
        type: 'DisbursementReversed',
        data: {
          ...command.data,
          regionCode: entry.regionCode,
          kind: entry.kind,
          amountFen: entry.amountFen.toString(),
          voucherNo: entry.voucherNo,
          ...(entry.beneficiaries === undefined ? {} : { beneficiaries: entry.beneficiaries }),
          ...(entry.toRegionCode === undefined ? {} : { toRegionCode: entry.toRegionCode }),
          ...(entry.toParentRegionCode === undefined ? {} : { toParentRegionCode: entry.toParentRegionCode }),
          afterSettlement: entry.afterSettlement,
        },
      };
    }
    case 'SettleRegionYear': {
      const { data } = command;
      const counters = state.regions.get(data.regionCode)?.counters ?? emptyCounters();
      const actuals = data.actuals.map((actual) => ({ persons: actual.persons, perPersonFen: BigInt(actual.perPersonFen) }));
      const terms = settlementTerms(counters, data.documentNo, data.settledOn, entitledFen(actuals));
      return {
        type: 'RegionYearSettled',
        data: {
          ...data,
          entitledFen: terms.entitledFen.toString(),
          preAllocatedFen: terms.preAllocatedFen.toString(),
          returnedBeforeFen: terms.returnedBeforeFen.toString(),
          allocatedFen: terms.allocatedFen.toString(),
          adjustmentFen: terms.adjustmentFen.toString(),
        },
      };
    }
    default:
      throw new Error(`the commands make no ${command.type}`);
  }
}

const factOf = (event: FundEvent): Fact => ({
  streamName: fundStream,
  type: event.type,
  data: JSON.parse(JSON.stringify(event.data)) as JsonObject,
});

/**
 * The replay's first objection to a chained log, with its position. The whole verifier (chain
 * included) runs once per seed on the recorded log; per refusal the replay alone is enough.
 */
function firstObjection(log: readonly RecordedEvent[]): { position: bigint; reason: string } | null {
  const replay = new BalanceReplay(registry);
  for (const event of log) {
    const reason = replay.apply(event);
    if (reason !== null) return { position: event.position, reason };
  }
  return null;
}

interface Run {
  readonly state: FundState;
  readonly facts: Fact[];
  readonly disagreements: string[];
  readonly refusedCodes: Set<string>;
}

function run(seed: number): Run {
  const source = new CommandSource(seed);
  const state = initialFundState(programCode, fiscalYear);
  const facts: Fact[] = [];
  let log: RecordedEvent[] = [];
  const disagreements: string[] = [];
  const refusedCodes = new Set<string>();
  for (let i = 0; i < commandsPerRun; i += 1) {
    const command = source.command();
    let events: FundEvent[];
    try {
      events = decideFund(command, state, registry);
    } catch (error) {
      if (!(error instanceof RuleError)) throw error;
      refusedCodes.add(error.code);
      const reason = firstObjection(extend(log, [factOf(forgedEvent(command, state))]));
      if (reason?.position !== BigInt(facts.length + 1)) {
        disagreements.push(`${command.type} refused (${error.code}: ${error.detail}) but the verifier says ${reason?.reason ?? 'nothing'}`);
      }
      continue;
    }
    for (const event of events) {
      evolveFund(state, event);
      facts.push(factOf(event));
      log = extend(log, [factOf(event)]);
      if (event.type === 'DisbursementRecorded') source.disbursementIds.push(event.data.disbursementId);
    }
  }
  return { state, facts, disagreements, refusedCodes };
}

describe('the verifier and the decider on seeded commands', () => {
  it.each(seeds)('agree on every command of seed %i: what one records the other verifies, what one refuses the other refuses', (seed) => {
    const { state, facts, disagreements, refusedCodes } = run(seed);
    expect(disagreements).toEqual([]);
    expect(verdict(facts)).toEqual(passedThrough(BigInt(facts.length)));

    // Region by region, the replay holds what the decider says is available.
    const replay = new BalanceReplay(registry);
    for (const event of chain(facts)) replay.apply(event);
    const decided = Object.fromEntries([...state.regions.keys()].map((code) => [code, regionFigures(state, code).availableFen]));
    expect(Object.fromEntries(replay.balances()[0].heldFen)).toEqual(decided);

    // The commands reach every kind of event, the closed subtrees and the refusals that matter.
    expect([...new Set(facts.map((fact) => fact.type))].sort()).toEqual([
      'AllocationRecorded',
      'DisbursementRecorded',
      'DisbursementReversed',
      'PassDownRecorded',
      'RegionYearSettled',
    ]);
    expect(facts.some((fact) => fact.data.afterSettlement === true)).toBe(true);
    expect([...refusedCodes]).toEqual(
      expect.arrayContaining(['adjustment-exceeded', 'date-out-of-range', 'insufficient-funds', 'issuer-not-root', 'year-settled']),
    );
  });
});
