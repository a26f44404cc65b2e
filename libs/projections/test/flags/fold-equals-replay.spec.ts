import fc from 'fast-check';
import type { RecordedEvent } from '@earmark/event-store';
import {
  computeIdentifiedFlags,
  computePerformance,
  evaluateFlags,
  evaluatePerformance,
  FundAuditFold,
  FundJudge,
  effectiveDateOf,
  type FlagThresholds,
} from '../../src';
import { FundLog, registry, thresholds } from '../support/fund-log';

/**
 * The fold kept per fund and caught up batch by batch judges exactly as a replay of the whole
 * stream: after every batch, whatever the split, the flags (ids included) and the performance rows
 * on any day on or after the latest effective date equal those of a one-shot replay of the events
 * so far. The histories are generated without most of the decider's rules (overdrafts, payments
 * after settlement, reversals dated before their payment), so the fold is held to the replay on
 * histories the ledger would refuse too.
 */

// Two cities with districts, one 扩权县 paid by the province directly.
const cities = ['510100', '510300'] as const;
const districts: Record<string, readonly string[]> = { '510100': ['510104', '510105'], '510300': ['510302'] };
const direct = '510321';
const spenders = ['510100', '510104', '510105', '510300', '510302', direct];
const days = ['2024-01-18', '2024-02-01', '2024-03-15', '2024-06-30', '2024-07-20', '2024-09-30', '2024-12-31', '2025-01-15', '2025-03-31', '2025-05-20'];

const yuan = fc.integer({ min: 1, max: 400_000 }).map((value) => `${value}.00`);
const day = fc.constantFrom(...days);

type Step =
  | { kind: 'allocation'; amounts: string[]; on: string; topUp: boolean }
  | { kind: 'pass-down'; city: number; district: number; amount: string; on: string }
  | { kind: 'document'; city: number; amounts: string[]; on: string }
  | { kind: 'payment'; region: number; amount: string; persons: number; on: string }
  | { kind: 'return'; region: number; amount: string; on: string }
  | { kind: 'reversal'; which: number; on: string }
  | { kind: 'settlement'; region: number; persons: number; on: string }
  | { kind: 'targets'; region: number; enrolment: string; standard: string }
  | { kind: 'actual'; region: number; value: string; on: string }
  | { kind: 'refusal'; region: number; on: string; code: 'insufficient-funds' | 'date-out-of-range' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('allocation' as const), amounts: fc.array(yuan, { minLength: 3, maxLength: 3 }), on: day, topUp: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('pass-down' as const), city: fc.nat(1), district: fc.nat(1), amount: yuan, on: day }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('document' as const), city: fc.nat(1), amounts: fc.array(yuan, { minLength: 1, maxLength: 2 }), on: day }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('payment' as const), region: fc.nat(spenders.length - 1), amount: yuan, persons: fc.integer({ min: 0, max: 5000 }), on: day }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('return' as const), region: fc.nat(spenders.length - 1), amount: yuan, on: day }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reversal' as const), which: fc.nat(), on: day }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('settlement' as const), region: fc.nat(3), persons: fc.integer({ min: 0, max: 8000 }), on: fc.constantFrom('2025-03-31', '2025-04-15') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('targets' as const), region: fc.nat(1), enrolment: fc.constantFrom('≥95%', '≥90%', '长期'), standard: fc.constantFrom('100元', '120元', '按规定') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('actual' as const), region: fc.nat(2), value: fc.constantFrom('93.5', '96', '99.99'), on: day }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('refusal' as const), region: fc.nat(spenders.length - 1), on: day, code: fc.constantFrom('insufficient-funds' as const, 'date-out-of-range' as const) }) },
);

function historyOf(steps: readonly Step[]): FundLog {
  const log = new FundLog();
  log.allocation([
    ['510100', '900000.00'],
    ['510300', '500000.00'],
    [direct, '200000.00'],
  ]);
  const disbursements: { id: string }[] = [];
  const reversed = new Set<string>();
  const settled = new Set<string>();
  // The domain's state the log keeps refuses an event about a region no money has reached yet.
  const opened = new Set<string>([...cities, direct]);
  for (const s of steps) {
    switch (s.kind) {
      case 'allocation':
        log.allocation(
          [
            ['510100', s.amounts[0]],
            ['510300', s.amounts[1]],
            [direct, s.amounts[2]],
          ],
          { issuedOn: s.on, kind: s.topUp ? 'top-up' : 'pre-allocation', documentNo: `川财社〔2024〕${disbursements.length + 10}号` },
        );
        break;
      case 'pass-down': {
        const city = cities[s.city];
        const to = districts[city][s.district % districts[city].length];
        disbursements.push(log.passDown(city, to, s.amount, s.on));
        opened.add(to);
        break;
      }
      case 'document': {
        const city = cities[s.city];
        const lines: [string, string][] = s.amounts.map((amount, index) => [districts[city][index % districts[city].length], amount]);
        log.passDownDocument(city, lines, s.on);
        for (const [to] of lines) opened.add(to);
        break;
      }
      case 'payment':
        if (!opened.has(spenders[s.region])) break;
        disbursements.push(log.payment(spenders[s.region], s.amount, s.persons, s.on));
        break;
      case 'return':
        if (!opened.has(spenders[s.region])) break;
        disbursements.push(log.returned(spenders[s.region], s.amount, s.on));
        break;
      case 'reversal': {
        // A second reversal of one disbursement is the one refusal kept here: the rules' figures
        // (a negative amount paid) are not defined for it.
        const standing = disbursements.filter((disbursement) => !reversed.has(disbursement.id));
        if (standing.length === 0) break;
        const original = standing[s.which % standing.length];
        reversed.add(original.id);
        log.reversal(original, s.on);
        break;
      }
      case 'settlement': {
        const region = ['510100', '510300', direct, '510104'][s.region];
        if (settled.has(region) || !opened.has(region)) break;
        settled.add(region);
        log.settlement(region, [{ persons: s.persons, perPerson: '100.00' }], { settledOn: s.on });
        break;
      }
      case 'targets':
        log.targets(cities[s.region], { 'enrolment-rate': s.enrolment, 'minimum-standard': s.standard });
        break;
      case 'actual':
        if (!opened.has(['510100', '510300', '510104'][s.region])) break;
        log.actual(['510100', '510300', '510104'][s.region], 'enrolment-rate', s.value, s.on);
        break;
      case 'refusal':
        log.refused({ actor: 'finance-city', code: s.code, regionCode: spenders[s.region], attemptedOn: `${s.on}T03:00:00.000Z`, detail: 'refused' });
        break;
    }
  }
  return log;
}

/** Cut points splitting `count` events into consecutive batches. */
const splits = fc.array(fc.nat(), { maxLength: 8 });

function batchesOf(events: readonly RecordedEvent[], cuts: readonly number[]): RecordedEvent[][] {
  const points = [...new Set(cuts.map((cut) => cut % (events.length + 1)))].sort((a, b) => a - b);
  const batches: RecordedEvent[][] = [];
  let from = 0;
  for (const point of [...points, events.length]) {
    batches.push(events.slice(from, point));
    from = point;
  }
  return batches;
}

function latestEffective(events: readonly RecordedEvent[]): string {
  return events.reduce((latest, event) => {
    const on = effectiveDateOf(event);
    return on > latest ? on : latest;
  }, '2024-01-01');
}

const looser: FlagThresholds = { ...thresholds, latePassDownDays: 10, clawbackOpenDays: 15, minimumStandardFen: 12000n };

describe('the fund fold caught up in batches', () => {
  it('judges exactly as a one-shot replay of the events so far, after every batch', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), splits, fc.constantFrom(thresholds, looser), fc.nat(400), (steps, cuts, chosen, extraDays) => {
        const log = historyOf(steps);
        const fold = new FundAuditFold();
        const sofar: RecordedEvent[] = [];
        // Judges kept across batches, as the service keeps them: each judges again only the groups
        // of regions the batch touched. One per day asked, and one for a day after every history.
        const judges = new Map<string, FundJudge>();
        const judgeOf = (asOf: string): FundJudge => {
          const judge = judges.get(asOf) ?? new FundJudge(registry, asOf, chosen);
          judges.set(asOf, judge);
          return judge;
        };
        for (const batch of batchesOf(log.fundEvents, cuts)) {
          for (const event of batch) fold.apply(event);
          sofar.push(...batch);
          const lastPosition = sofar.length === 0 ? 0n : sofar[sofar.length - 1].position;
          // The refusals attempted so far, so that they too arrive between calls.
          const refusals = log.refusalEvents.filter((refusal) => refusal.position <= lastPosition);
          const latest = latestEffective(sofar);
          expect(fold.latestEffectiveOn ?? '2024-01-01').toBe(sofar.length === 0 ? '2024-01-01' : latest);
          // The latest day itself, a later one, and one after every history.
          const later = new Date(Date.parse(`${latest}T00:00:00Z`) + extraDays * 86_400_000).toISOString().slice(0, 10);
          for (const asOf of [latest, later, '2026-06-30']) {
            const input = { fundEvents: sofar, refusalEvents: refusals, registry, asOf, thresholds: chosen };
            const replayed = computeIdentifiedFlags(input);
            expect(evaluateFlags({ audit: fold.audit, refusalEvents: refusals, registry, asOf, thresholds: chosen })).toEqual(replayed);
            expect(judgeOf(asOf).flags(fold, refusals)).toEqual(replayed);
            const rows = computePerformance({ fundEvents: sofar, registry, thresholds: chosen, asOf });
            expect(evaluatePerformance(fold.audit, registry, chosen, asOf)).toEqual(rows);
            expect(judgeOf(asOf).performance(fold)).toEqual(rows);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('gives each flag an id no other flag of the list has', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const log = historyOf(steps);
        const flags = computeIdentifiedFlags({ fundEvents: log.fundEvents, refusalEvents: log.refusalEvents, registry, asOf: '2025-12-31', thresholds });
        expect(new Set(flags.map((flag) => flag.id)).size).toBe(flags.length);
      }),
      { numRuns: 100 },
    );
  });

  it('takes the log in order only', () => {
    const log = historyOf([]);
    const fold = new FundAuditFold();
    fold.apply(log.fundEvents[0]);
    expect(() => fold.apply(log.fundEvents[0])).toThrow('the fold takes the log in order');
  });
});
