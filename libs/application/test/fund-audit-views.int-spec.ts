import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flagHandlingStreamName, fundStreamName, parseRegionsTsv, RegionRegistry } from '@earmark/domain';
import type { EventStore, NewEvent, RecordedEvent } from '@earmark/event-store';
import { SqliteEventStore } from '@earmark/event-store/sqlite';
import { computeIdentifiedFlags, computePerformance, defaultFlagThresholds } from '@earmark/projections';
import { defaultLedgerSettings, FundAuditViews, placeOfFlag, ReplayTurns } from '../src';
import { allocationEvent, countingStreamReads, paymentEvent } from './support/fund-stream';

/**
 * The auditors' views kept per fund, over a real SQLite store: each call reads only the events
 * after those already folded, a repeated call is a lookup, and what they answer is what a replay
 * of the whole stream answers.
 */

const registry = new RegionRegistry(parseRegionsTsv(readFileSync(join(__dirname, '..', '..', '..', 'seeds', 'sichuan-regions.tsv'), 'utf8')));
const programCode = 'views-fund';
const fiscalYear = 2024;
const stream = fundStreamName(programCode, fiscalYear);

const allocation = (program = programCode): NewEvent => allocationEvent(program, fiscalYear);
const payment = (regionCode: string, amountFen: string, paidOn: string): NewEvent => paymentEvent(programCode, fiscalYear, regionCode, amountFen, paidOn);

describe('FundAuditViews over SQLite', () => {
  let dir: string;
  let store: SqliteEventStore;
  let version = -1n;
  /** Events the views read from the fund's stream, call by call. */
  let readFromFund = 0;
  let views: FundAuditViews;
  /** The store with the fund stream's reads counted. */
  let countedStore: EventStore;

  const append = async (...events: NewEvent[]) => {
    await store.append({ streams: [{ streamName: stream, expectedVersion: version < 0n ? 'no-stream' : version, events }] });
    version += BigInt(events.length);
  };
  const wholeStream = async (): Promise<RecordedEvent[]> => store.readStream(stream, { fromVersion: 0n, maxCount: 100_000 });
  const replayedFlags = async (asOf: string) =>
    computeIdentifiedFlags({ fundEvents: await wholeStream(), refusalEvents: [], registry, asOf, thresholds: defaultFlagThresholds });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'earmark-views-'));
    store = new SqliteEventStore({ file: join(dir, 'events.sqlite') });
    await store.init();
    countedStore = countingStreamReads(store, stream, (events) => {
      readFromFund += events;
    });
    views = new FundAuditViews(countedStore, registry, new ReplayTurns(), defaultLedgerSettings);
    await append(allocation(), ...Array.from({ length: 10 }, (_, n) => payment(n % 2 === 0 ? '510100' : '510300', '100', '2024-03-01')));
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('folds the stream once, then reads only what arrived since', async () => {
    readFromFund = 0;
    const first = await views.flags(programCode, fiscalYear, '2024-12-31', defaultFlagThresholds);
    expect(readFromFund).toBe(12); // its 11 events, and its last once more for its size
    expect(first).toEqual(await replayedFlags('2024-12-31'));
    expect(first.filter((flag) => flag.rule === 'headcount-mismatch')).toHaveLength(12);

    readFromFund = 0;
    expect(await views.flags(programCode, fiscalYear, '2024-12-31', defaultFlagThresholds)).toBe(first);
    expect(readFromFund).toBe(0);

    await append(payment('510100', '10000', '2024-04-01'), payment('510300', '300', '2024-04-02'), payment('510100', '500', '2024-04-03'));
    readFromFund = 0;
    const after = await views.flags(programCode, fiscalYear, '2024-12-31', defaultFlagThresholds);
    expect(readFromFund).toBe(3);
    expect(after).toEqual(await replayedFlags('2024-12-31'));
    expect(after).not.toEqual(first);
    // The ten earlier payments' own flags did not change: the new list holds the same objects.
    const afterById = new Map(after.map((flag) => [flag.id, flag]));
    const paymentFlags = first.filter((flag) => /^headcount-mismatch:[0-9]{6}:payment-[0-9]+$/.test(flag.id));
    expect(paymentFlags).toHaveLength(10);
    expect(paymentFlags.filter((flag) => afterById.get(flag.id) !== flag)).toEqual([]);
  });

  it('replays a day before the latest event, and answers as the replay does', async () => {
    const earlier = await views.flags(programCode, fiscalYear, '2024-03-15', defaultFlagThresholds);
    expect(earlier).toEqual(await replayedFlags('2024-03-15'));
    expect(earlier.filter((flag) => flag.rule === 'headcount-mismatch')).toHaveLength(12);
  });

  it('keeps the performance rows the same way', async () => {
    const rows = await views.performance(programCode, fiscalYear, '2024-12-31', defaultFlagThresholds);
    expect(rows).toEqual(computePerformance({ fundEvents: await wholeStream(), registry, thresholds: defaultFlagThresholds, asOf: '2024-12-31' }));
    expect(await views.performance(programCode, fiscalYear, '2024-12-31', defaultFlagThresholds)).toBe(rows);
  });

  it('keeps the eight funds asked most recently, and folds one dropped anew when asked again', async () => {
    const others = Array.from({ length: 8 }, (_, n) => `views-other-${n}`);
    for (const other of others) {
      await store.append({ streams: [{ streamName: fundStreamName(other, fiscalYear), expectedVersion: 'no-stream', events: [allocation(other)] }] });
    }
    readFromFund = 0;
    await views.flags(programCode, fiscalYear, '2024-12-31', defaultFlagThresholds);
    expect(readFromFund).toBe(0);
    for (const other of others) await views.flags(other, fiscalYear, '2024-12-31', defaultFlagThresholds);
    const flags = await views.flags(programCode, fiscalYear, '2024-12-31', defaultFlagThresholds);
    expect(readFromFund).toBe(15);
    expect(flags).toEqual(await replayedFlags('2024-12-31'));
  });

  it('drops the funds asked longest ago once the events kept pass the bound, keeping the one just asked', async () => {
    /** Holds 15 events: this fund's 14 and one other fund's allocation. */
    class FewEventsViews extends FundAuditViews {
      protected override readonly eventsKept = 15;
    }
    const few = new FewEventsViews(countedStore, registry, new ReplayTurns(), defaultLedgerSettings);
    readFromFund = 0;
    await few.flags(programCode, fiscalYear, '2024-12-31', defaultFlagThresholds);
    expect(readFromFund).toBe(15); // 14 events, and the last once more for the size
    await few.flags('views-other-0', fiscalYear, '2024-12-31', defaultFlagThresholds);
    // 15 kept: still folded.
    await few.flags(programCode, fiscalYear, '2024-12-31', defaultFlagThresholds);
    expect(readFromFund).toBe(15);
    // 16 would be kept: the one asked longest ago, views-other-0, goes; this fund stays.
    await few.flags('views-other-1', fiscalYear, '2024-12-31', defaultFlagThresholds);
    // Now this fund is the one asked longest ago; it goes, and is folded anew when asked.
    await few.flags('views-other-2', fiscalYear, '2024-12-31', defaultFlagThresholds);
    const flags = await few.flags(programCode, fiscalYear, '2024-12-31', defaultFlagThresholds);
    expect(readFromFund).toBe(30);
    expect(flags).toEqual(await replayedFlags('2024-12-31'));

    // A bound smaller than one fund still answers it, and keeps it.
    class TinyViews extends FundAuditViews {
      protected override readonly eventsKept = 1;
    }
    const tiny = new TinyViews(countedStore, registry, new ReplayTurns(), defaultLedgerSettings);
    readFromFund = 0;
    const once = await tiny.flags(programCode, fiscalYear, '2024-12-31', defaultFlagThresholds);
    expect(await tiny.flags(programCode, fiscalYear, '2024-12-31', defaultFlagThresholds)).toBe(once);
    expect(readFromFund).toBe(15);
  });

  it('refuses, 503 unavailable, to fold a fund of more events than its bound, reading only its last event', async () => {
    const bounded = new FundAuditViews(countedStore, registry, new ReplayTurns(), { replayMaxFundEvents: 13 });
    readFromFund = 0;
    await expect(bounded.flags(programCode, fiscalYear, '2024-12-31', defaultFlagThresholds)).rejects.toMatchObject({
      code: 'unavailable',
      detail: `${stream} holds 14 events, more than the 13 this service folds in memory for a view of one fund (EARMARK_REPLAY_MAX_FUND_EVENTS)`,
    });
    await expect(bounded.performance(programCode, fiscalYear, '2024-12-31', defaultFlagThresholds)).rejects.toMatchObject({ code: 'unavailable' });
    expect(readFromFund).toBe(2);

    // A fund folded within the bound and grown past it since is let go at the next call.
    const atBound = new FundAuditViews(countedStore, registry, new ReplayTurns(), { replayMaxFundEvents: 14 });
    expect(await atBound.flags(programCode, fiscalYear, '2024-12-31', defaultFlagThresholds)).toEqual(await replayedFlags('2024-12-31'));
    await append(payment('510100', '100', '2024-03-02'));
    await expect(atBound.flags(programCode, fiscalYear, '2024-12-31', defaultFlagThresholds)).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('gives callers asking for a fund not folded yet at the same time one fold', async () => {
    const fresh = new FundAuditViews(countedStore, registry, new ReplayTurns(), defaultLedgerSettings);
    readFromFund = 0;
    const answers = await Promise.all(Array.from({ length: 5 }, () => fresh.flags(programCode, fiscalYear, '2024-12-31', defaultFlagThresholds)));
    expect(new Set(answers).size).toBe(1);
    // Its events once, and its last once more for its size.
    expect(readFromFund).toBe(Number(version) + 2);
    expect(answers[0]).toEqual(await replayedFlags('2024-12-31'));
    expect(fresh.fundsKept).toBe(1);
  });

  it('knows no fund nothing was recorded or refused for, and keeps nothing for it', async () => {
    const fresh = new FundAuditViews(countedStore, registry, new ReplayTurns(), defaultLedgerSettings);
    await expect(
      Promise.all([1, 2].map(() => fresh.flags('no-such-fund', fiscalYear, '2024-12-31', defaultFlagThresholds))),
    ).rejects.toMatchObject({ code: 'not-found' });
    expect(fresh.fundsKept).toBe(0);
  });

  it('lists the flags a new event did not change as the same objects, with their handling states', async () => {
    const today = '2024-12-31';
    const program = 'views-handled';
    const handledStream = fundStreamName(program, fiscalYear);
    const fresh = new FundAuditViews(store, registry, new ReplayTurns(), defaultLedgerSettings);
    const handledPayment = (regionCode: string, amountFen: string, paidOn: string) => paymentEvent(program, fiscalYear, regionCode, amountFen, paidOn);
    await store.append({
      streams: [
        {
          streamName: handledStream,
          expectedVersion: 'no-stream',
          events: [allocation(program), handledPayment('510100', '100', '2024-03-01'), handledPayment('510300', '10000', '2024-03-02'), handledPayment('510300', '300', '2024-03-03')],
        },
      ],
    });
    const before = await fresh.handledFlags(program, fiscalYear, today, undefined, defaultFlagThresholds);
    await store.append({ streams: [{ streamName: handledStream, expectedVersion: 3n, events: [handledPayment('510100', '700', '2024-04-05')] }] });
    const after = await fresh.handledFlags(program, fiscalYear, today, undefined, defaultFlagThresholds);

    const replayed = computeIdentifiedFlags({
      fundEvents: await store.readStream(handledStream),
      refusalEvents: [],
      registry,
      asOf: today,
      thresholds: defaultFlagThresholds,
    });
    expect(after.map(({ state: _state, resolved: _resolved, ...flag }) => flag)).toEqual(replayed);
    expect(after.map((flag) => [flag.state, flag.resolved])).toEqual(after.map(() => ['raised', false]));
    // The two earlier payments off the standard (1.00 and 3.00 元 for one person each) are flagged
    // before and after, by the same objects; the new one (7.00 元) adds a flag of its own.
    const paymentIds = (flags: readonly { id: string }[]) => flags.map((flag) => flag.id).filter((id) => /:payment-[0-9]+$/.test(id));
    expect(paymentIds(after).length - paymentIds(before).length).toBe(1);
    const afterById = new Map(after.map((flag) => [flag.id, flag]));
    const earlier = before.filter((flag) => /:payment-[0-9]+$/.test(flag.id));
    expect(earlier).toHaveLength(2);
    expect(earlier.filter((flag) => afterById.get(flag.id) !== flag)).toEqual([]);
  });

  it('finds each flag of a handled list from its id, keeps the flags no step touched as they were listed, and resolved flags last', async () => {
    const today = '2024-12-31';
    const program = 'views-places';
    const placesStream = fundStreamName(program, fiscalYear);
    const fresh = new FundAuditViews(store, registry, new ReplayTurns(), defaultLedgerSettings);
    const placesPayment = (regionCode: string, amountFen: string, paidOn: string) => paymentEvent(program, fiscalYear, regionCode, amountFen, paidOn);
    await store.append({
      streams: [
        {
          streamName: placesStream,
          expectedVersion: 'no-stream',
          events: [allocation(program), placesPayment('510100', '100', '2024-03-01'), placesPayment('510300', '300', '2024-03-02'), placesPayment('510300', '500', '2024-03-03')],
        },
      ],
    });
    const before = await fresh.handledFlags(program, fiscalYear, today, undefined, defaultFlagThresholds);
    const paymentFlag = before.find((flag) => flag.id.startsWith('headcount-mismatch:510300:payment-'));
    if (!paymentFlag) throw new Error('no payment flag of 510300');
    const step = (flagId: string, regionCode: string, version: bigint | 'no-stream'): Parameters<EventStore['append']>[0] => ({
      streams: [
        {
          streamName: flagHandlingStreamName(program, fiscalYear),
          expectedVersion: version,
          events: [
            {
              id: `step-${flagId}`,
              type: 'FlagActionRecorded',
              metadata: { actor: 'zg-operator' },
              data: {
                flagId,
                rule: 'headcount-mismatch',
                regionCode,
                severity: 'warning',
                detail: 'as listed then',
                since: '2024-03-02',
                threshold: '100.00 元 per person (configured)',
                programCode: program,
                fiscalYear,
                action: 'acknowledge',
                note: 'seen',
                fromState: 'raised',
                toState: 'acknowledged',
                actor: 'zg-operator',
                actedAt: '2024-04-01T00:00:00.000Z',
              },
            },
          ],
        },
      ],
    });
    // One step on a standing flag, one on a flag no rule finds any more (a payment since reversed).
    await store.append(step(paymentFlag.id, '510300', 'no-stream'));
    await store.append(step('headcount-mismatch:510300:payment-999', '510300', 0n));
    const after = await fresh.handledFlags(program, fiscalYear, today, undefined, defaultFlagThresholds);

    expect(after.filter((flag) => flag.state !== 'raised').map((flag) => [flag.id, flag.state, flag.resolved])).toEqual([
      [paymentFlag.id, 'acknowledged', false],
      ['headcount-mismatch:510300:payment-999', 'acknowledged', true],
    ]);
    expect(after[after.length - 1].id).toBe('headcount-mismatch:510300:payment-999');
    expect(after.map((flag) => placeOfFlag(after, flag.id))).toEqual(after.map((_flag, index) => index));
    expect(placeOfFlag(after, 'headcount-mismatch:510300:payment-1000')).toBeUndefined();
    expect(placeOfFlag(after, 'not an id')).toBeUndefined();
    // Every flag but the one acknowledged is listed as the same object, the resolved one added last.
    const changed = after.filter((flag, index) => before[index] !== flag).map((flag) => flag.id);
    expect(changed).toEqual([paymentFlag.id, 'headcount-mismatch:510300:payment-999']);
  });
});
