import fc from 'fast-check';
import {
  allocatedFen as allocatedOf,
  availableFen as availableOf,
  commandScopeRefusal,
  decideFund,
  evolveFund,
  fundStreamName,
  initialFundState,
  outstandingFen,
  regionFigures,
  RegionRegistry,
  RuleError,
  type FundCommand,
  type FundEvent,
  type FundState,
  type KeyHolder,
  type Region,
} from '@earmark/domain';
import type { JsonObject, RecordedEvent } from '@earmark/event-store';
import { computeIdentifiedFlags, countersOf, defaultFlagThresholds, InMemoryLedgerTables, parseFlagId, programYearDocOf, regionBalanceDocOf } from '@earmark/projections';
import { BalanceReplay } from '@earmark/audit';

/**
 * Money can neither appear nor vanish, whoever holds a key: random sequences of commands from
 * every key of a small registry, hostile ones included (a 市 issuing money, a county settling
 * itself, dates in 1999 and 2099, reversals of anything). After every step: what the root
 * allocated equals what the regions hold plus what was paid out plus what went back to the root;
 * no region is below zero; the decider's figures equal the projection's and the independent
 * verifier's for every region; only a key covering the root ever created money.
 *
 * PROPERTY_RUNS sets the number of sequences (1,000 by default; `npm run test:property` runs more).
 */

const runs = Number(process.env['PROPERTY_RUNS'] ?? 1000);
const programCode = 'prop-fund';
const fiscalYear = 2024;
const now = '2025-12-31T08:00:00Z';

const region = (code: string, level: Region['level'], parentCode: string | null, directFromProvince: boolean): Region => ({
  code,
  name: code,
  shortName: code,
  level,
  parentCode,
  directFromProvince,
});

/** A province, two 市 with their districts, and a 扩权县 under each 市 that the province pays directly. */
const registry = new RegionRegistry([
  region('510000', 'province', null, false),
  region('510100', 'prefecture', '510000', true),
  region('510104', 'county', '510100', false),
  region('510105', 'county', '510100', false),
  region('510181', 'county', '510100', true),
  region('510300', 'prefecture', '510000', true),
  region('510302', 'county', '510300', false),
  region('510321', 'county', '510300', true),
]);
const regionCodes = registry.all().map((r) => r.code);

const keys: readonly KeyHolder[] = [
  { name: 'province', role: 'finance', regions: ['510000'] },
  { name: 'all', role: 'finance', regions: ['*'] },
  { name: 'chengdu', role: 'finance', regions: ['510100'] },
  { name: 'zigong', role: 'finance', regions: ['510300'] },
  { name: 'jinjiang', role: 'finance', regions: ['510104'] },
  { name: 'rongxian', role: 'finance', regions: ['510321'] },
  { name: 'operator', role: 'operator', regions: ['*'] },
];
const rootKeys = new Set(['province', 'all']);

const dates = ['1999-01-01', '2023-06-01', '2024-01-18', '2024-03-01', '2024-06-15', '2024-12-31', '2025-02-01', '2025-03-31', '2025-04-15', '2025-06-01', '2099-01-01'];
const date = fc.constantFrom(...dates);
const fen = fc.bigInt({ min: 1n, max: 3_000_000n }).map(String);
const regionArb = fc.constantFrom(...regionCodes);
const lineArb = fc.uniqueArray(fc.record({ regionCode: regionArb, amountFen: fen }), {
  minLength: 1,
  maxLength: 4,
  selector: (line) => line.regionCode,
});
const totalOf = (lines: readonly { amountFen: string }[]) => lines.reduce((sum, l) => sum + BigInt(l.amountFen), 0n).toString();

type Plan =
  | { kind: 'allocation'; allocationKind: 'pre-allocation' | 'top-up'; issuer: string; documentNo: string; issuedOn: string; lines: { regionCode: string; amountFen: string }[] }
  | { kind: 'disbursement'; disbursementKind: 'beneficiary-payment' | 'pass-down' | 'return'; regionCode: string; toRegionCode: string; amountFen: string; paidOn: string; voucherNo: string; beneficiaries: number }
  | { kind: 'pass-down-document'; regionCode: string; documentNo: string; passedOn: string; lines: { regionCode: string; amountFen: string }[] }
  | { kind: 'reversal'; pick: number; reversedOn: string }
  | { kind: 'settlement'; regionCode: string; settledOn: string; persons: number; perPersonFen: string };

const planArb: fc.Arbitrary<Plan> = fc.oneof(
  fc.record({
    kind: fc.constant('allocation' as const),
    allocationKind: fc.constantFrom('pre-allocation' as const, 'top-up' as const),
    issuer: fc.constantFrom('510000', '510000', '510100', '510300'),
    documentNo: fc.constantFrom('D-1', 'D-2', 'D-3', 'D-4', 'D-5'),
    issuedOn: date,
    lines: lineArb,
  }),
  fc.record({
    kind: fc.constant('disbursement' as const),
    disbursementKind: fc.constantFrom('beneficiary-payment' as const, 'pass-down' as const, 'return' as const),
    regionCode: regionArb,
    toRegionCode: regionArb,
    amountFen: fen,
    paidOn: date,
    voucherNo: fc.constantFrom('V-1', 'V-2', 'V-3', 'V-4', 'V-5', 'V-6'),
    beneficiaries: fc.integer({ min: 1, max: 30_000 }),
  }),
  fc.record({
    kind: fc.constant('pass-down-document' as const),
    regionCode: regionArb,
    documentNo: fc.constantFrom('P-1', 'P-2', 'D-1'),
    passedOn: date,
    lines: lineArb,
  }),
  fc.record({ kind: fc.constant('reversal' as const), pick: fc.nat(), reversedOn: date }),
  fc.record({
    kind: fc.constant('settlement' as const),
    regionCode: regionArb,
    settledOn: date,
    persons: fc.integer({ min: 0, max: 40_000 }),
    perPersonFen: fc.constantFrom('1', '5000', '10000', '12000'),
  }),
);

const stepArb = fc.record({ key: fc.oneof(fc.constant(keys[0]), fc.constantFrom(...keys)), plan: planArb });

const opening: Plan = {
  kind: 'allocation',
  allocationKind: 'pre-allocation',
  issuer: '510000',
  documentNo: 'D-0',
  issuedOn: '2024-01-18',
  lines: [
    { regionCode: '510100', amountFen: '5000000' },
    { regionCode: '510181', amountFen: '1000000' },
    { regionCode: '510300', amountFen: '3000000' },
    { regionCode: '510321', amountFen: '1000000' },
  ],
};

class Ledger {
  state: FundState = initialFundState(programCode, fiscalYear);
  readonly docs = new InMemoryLedgerTables();
  readonly verifier = new BalanceReplay(registry);
  readonly log: RecordedEvent[] = [];
  readonly disbursementIds: string[] = [];
  private commandNo = 0;
  allocatedByRootFen = 0n;

  command(key: KeyHolder, plan: Plan): FundCommand | null {
    this.commandNo += 1;
    const metadata = { actor: { name: key.name, role: key.role }, now, commandId: `c-${this.commandNo}` };
    const base = { programCode, fiscalYear };
    switch (plan.kind) {
      case 'allocation':
        return {
          type: 'RecordAllocation',
          metadata,
          data: {
            ...base,
            documentNo: plan.documentNo,
            title: 'allocation',
            kind: plan.allocationKind,
            programName: 'property fund',
            issuedOn: plan.issuedOn,
            issuerRegionCode: plan.issuer,
            incomeSubject: '1100299',
            expenditureSubject: '2083001',
            totalFen: totalOf(plan.lines),
            lines: plan.lines,
          },
        };
      case 'disbursement': {
        const id = `d-${this.commandNo}`;
        this.disbursementIds.push(id);
        return {
          type: 'RecordDisbursement',
          metadata,
          data: {
            ...base,
            disbursementId: id,
            regionCode: plan.regionCode,
            kind: plan.disbursementKind,
            amountFen: plan.amountFen,
            paidOn: plan.paidOn,
            voucherNo: plan.voucherNo,
            ...(plan.disbursementKind === 'beneficiary-payment' ? { expenditureSubject: '2083001', beneficiaries: plan.beneficiaries } : {}),
            ...(plan.disbursementKind === 'pass-down' ? { toRegionCode: plan.toRegionCode } : {}),
          },
        };
      }
      case 'pass-down-document':
        return {
          type: 'RecordPassDown',
          metadata,
          data: { ...base, regionCode: plan.regionCode, documentNo: plan.documentNo, passedOn: plan.passedOn, totalFen: totalOf(plan.lines), lines: plan.lines },
        };
      case 'reversal': {
        if (this.disbursementIds.length === 0) return null;
        const disbursementId = this.disbursementIds[plan.pick % this.disbursementIds.length];
        return { type: 'ReverseDisbursement', metadata, data: { ...base, disbursementId, reason: 'cancelled', reversedOn: plan.reversedOn } };
      }
      case 'settlement':
        return {
          type: 'SettleRegionYear',
          metadata,
          data: {
            ...base,
            regionCode: plan.regionCode,
            documentNo: 'S-1',
            settledOn: plan.settledOn,
            actuals: [{ category: 'dibao', persons: plan.persons, perPersonFen: plan.perPersonFen }],
          },
        };
    }
  }

  /** Sends a command as the service would: scope, then the decider; refusals record nothing. */
  send(key: KeyHolder, plan: Plan): FundEvent[] {
    const command = this.command(key, plan);
    if (command === null) return [];
    if (commandScopeRefusal(key, command, this.state, registry) !== null) return [];
    let events: FundEvent[];
    try {
      events = decideFund(command, this.state, registry);
    } catch (error) {
      // The generators make only what the edge lets through, so anything but a rule refusal is a bug.
      if (error instanceof RuleError) return [];
      throw error;
    }
    for (const event of events) this.record(event, key);
    return events;
  }

  private record(event: FundEvent, key: KeyHolder): void {
    const position = BigInt(this.log.length + 1);
    const recorded: RecordedEvent = {
      id: `e-${position}`,
      type: event.type,
      data: event.data as unknown as JsonObject,
      metadata: { actor: key.name, role: key.role },
      streamName: fundStreamName(programCode, fiscalYear),
      streamVersion: position - 1n,
      position,
      recordedAt: now,
      hash: '',
      previousHash: '',
    };
    this.log.push(recorded);
    this.state = evolveFund(this.state, event);
    this.docs.apply([recorded]);
    const violation = this.verifier.apply(recorded);
    if (violation !== null) throw new Error(`the verifier refuses position ${position} (${event.type}): ${violation}`);
    if (event.type === 'AllocationRecorded') {
      if (!rootKeys.has(key.name)) throw new Error(`${key.name} created money at position ${position}`);
      this.allocatedByRootFen += BigInt(event.data.totalFen);
    }
  }

  checkInvariants(): void {
    let heldFen = 0n;
    let paidFen = 0n;
    let returnedToRootFen = 0n;
    const verified = this.verifier.balances()[0];
    for (const code of regionCodes) {
      const decided = regionFigures(this.state, code);
      if (decided.availableFen < 0n) throw new Error(`${code} holds ${decided.availableFen} 分`);
      heldFen += decided.availableFen;
      paidFen += decided.paidFen;
      if (registry.fundingParentOf(code) === '510000') returnedToRootFen += decided.returnedFen;
      const storedRow = this.docs.regionBalanceNow(programCode, fiscalYear, code);
      const stored = storedRow ? regionBalanceDocOf(storedRow) : undefined;
      const projected = stored
        ? {
            allocatedFen: allocatedOf(countersOf(stored)),
            receivedFen: BigInt(stored.receivedFen),
            returnedInFen: BigInt(stored.returnedInFen),
            passedDownFen: BigInt(stored.passedDownFen),
            paidFen: BigInt(stored.paidFen),
            beneficiaries: stored.beneficiaries,
            returnedFen: BigInt(stored.returnedFen),
            availableFen: BigInt(stored.availableFen),
            outstandingFen: stored.settlement ? BigInt(stored.settlement.outstandingFen) : null,
          }
        : null;
      const fromDecider = {
        allocatedFen: decided.allocatedFen,
        receivedFen: decided.receivedFen,
        returnedInFen: decided.returnedInFen,
        passedDownFen: decided.passedDownFen,
        paidFen: decided.paidFen,
        beneficiaries: decided.beneficiaries,
        returnedFen: decided.returnedFen,
        availableFen: decided.availableFen,
        outstandingFen: decided.settlement?.outstandingFen ?? null,
      };
      if (projected !== null) expect(projected).toEqual(fromDecider);
      else expect(this.state.regions.has(code)).toBe(false);
      expect(verified?.heldFen.get(code) ?? 0n).toBe(decided.availableFen);
      const counters = this.state.regions.get(code)?.counters;
      if (counters) expect(availableOf(counters)).toBe(decided.availableFen);
      if (decided.settlement) expect(decided.settlement.outstandingFen).toBe(outstandingFen(counters!, this.state.regions.get(code)!.settlement));
    }
    expect(heldFen + paidFen + returnedToRootFen).toBe(this.allocatedByRootFen);
    const programRow = this.docs.programYearNow(programCode, fiscalYear);
    const program = programRow ? programYearDocOf(programRow, []) : undefined;
    if (program) {
      expect(BigInt(program.allocatedFen)).toBe(this.allocatedByRootFen);
      expect(BigInt(program.paidFen)).toBe(paidFen);
      expect(BigInt(program.returnedFen)).toBe(returnedToRootFen);
      expect(BigInt(program.availableFen)).toBe(heldFen);
    }
    expect(this.verifier.recountFen()).toBe(0n);
  }
}

describe('ledger invariants under random commands from every key', () => {
  it(`hold after every step of ${runs} sequences`, () => {
    let eventsRecorded = 0;
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 60, size: 'large' }), (steps) => {
        const ledger = new Ledger();
        // Most sequences start from a notice like the seed's, so that the steps have money to move.
        ledger.send(keys[0], opening);
        ledger.checkInvariants();
        for (const { key, plan } of steps) {
          ledger.send(key, plan);
          ledger.checkInvariants();
        }
        eventsRecorded += ledger.log.length;
      }),
      { numRuns: runs },
    );
    // The generators must reach the money paths, not only refusals.
    expect(eventsRecorded).toBeGreaterThan(runs);
  });

  /**
   * What a handling step relies on to find a flag without judging every fund (docs/flags.md): an id
   * whose subject is a log position names an event of the flag's own fund, and any other finding
   * but a performance one is about a region that holds a balance row in the fund.
   */
  it('names in every flag an event of its fund, or a region with a balance row there', () => {
    let positional = 0;
    let regionWide = 0;
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 60, size: 'large' }), fc.constantFrom('2024-06-30', '2025-12-31'), (steps, asOf) => {
        const ledger = new Ledger();
        ledger.send(keys[0], opening);
        for (const { key, plan } of steps) ledger.send(key, plan);
        const positions = new Set(ledger.log.map((event) => Number(event.position)));
        const flags = computeIdentifiedFlags({ fundEvents: ledger.log, refusalEvents: [], registry, asOf, thresholds: defaultFlagThresholds });
        for (const flag of flags) {
          const parts = parseFlagId(flag.id);
          expect(parts).not.toBeNull();
          if (parts?.position != null) {
            expect({ id: flag.id, inFund: positions.has(Number(parts.position)) }).toEqual({ id: flag.id, inFund: true });
            positional += 1;
          } else if (!flag.rule.startsWith('performance-')) {
            expect({ id: flag.id, row: ledger.docs.regionBalanceNow(programCode, fiscalYear, flag.regionCode) !== null }).toEqual({ id: flag.id, row: true });
            regionWide += 1;
          }
        }
      }),
      { numRuns: Math.min(runs, 500) },
    );
    // The sequences must raise flags of both kinds, not only pass quietly.
    expect(positional).toBeGreaterThan(100);
    expect(regionWide).toBeGreaterThan(100);
  });

  it('refuses every allocation from a key that does not cover the root, whatever its issuer', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...keys.filter((key) => !rootKeys.has(key.name))),
        fc.constantFrom('510000', '510100', '510300'),
        lineArb,
        (key, issuer, lines) => {
          const ledger = new Ledger();
          const events = ledger.send(key, { kind: 'allocation', allocationKind: 'pre-allocation', issuer, documentNo: 'D-1', issuedOn: '2024-01-18', lines });
          expect(events).toEqual([]);
        },
      ),
      { numRuns: Math.min(runs, 500) },
    );
  });
});
