import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fundStreamName } from '@earmark/domain';
import type { EventStore, LedgerReadModels, NewEvent } from '@earmark/event-store';
import { SqliteEventStore } from '@earmark/event-store/sqlite';
import { booksAt, BooksAtViews, defaultLedgerSettings, ReplayTurns, type BooksAt } from '../src';
import { allocationEvent, countingStreamReads, paymentEvent } from './support/fund-stream';

/**
 * The books as they stood at a date or a position, kept between calls, over a real SQLite store:
 * a kept view reads only the events appended since, folds those that count (a back-dated one
 * included), and answers what a fresh replay of the whole stream answers.
 */

const programCode = 'books-at-fund';
const fiscalYear = 2024;
const stream = fundStreamName(programCode, fiscalYear);

const allocation = (): NewEvent => allocationEvent(programCode, fiscalYear);
const payment = (regionCode: string, amountFen: string, paidOn: string): NewEvent => paymentEvent(programCode, fiscalYear, regionCode, amountFen, paidOn);

/** What the queries read of a view: the totals, every balance and each region's whole trail. */
async function contents(tables: LedgerReadModels) {
  return {
    programYear: await tables.programYear(programCode, fiscalYear),
    balances: await tables.regionBalances(programCode, fiscalYear),
    trails: await Promise.all(
      ['510100', '510300'].map((region) => tables.trailPage(programCode, fiscalYear, region, { after: 0n, limit: 1_000 })),
    ),
  };
}

describe('BooksAtViews over SQLite', () => {
  let dir: string;
  let store: SqliteEventStore;
  let version = -1n;
  /** Events read from the fund's stream, call by call. */
  let readFromFund = 0;
  let countedStore: EventStore;

  const append = async (...events: NewEvent[]) => {
    const appended = await store.append({ streams: [{ streamName: stream, expectedVersion: version < 0n ? 'no-stream' : version, events }] });
    version += BigInt(events.length);
    return appended.lastPosition;
  };
  const paidBy = async (tables: LedgerReadModels, region: string) => (await tables.regionBalance(programCode, fiscalYear, region))?.paidFen;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'earmark-books-at-'));
    store = new SqliteEventStore({ file: join(dir, 'events.sqlite') });
    await store.init();
    countedStore = countingStreamReads(store, stream, (events) => {
      readFromFund += events;
    });
    await append(allocation(), payment('510100', '100', '2024-03-01'), payment('510300', '250', '2024-05-01'), payment('510100', '70', '2024-07-01'));
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replays a view once, then reads only what arrived since, folding what counts by its date', async () => {
    const views = new BooksAtViews(countedStore, new ReplayTurns(), defaultLedgerSettings);
    const at: BooksAt = { asOf: '2024-06-30' };
    readFromFund = 0;
    const first = await views.tables(programCode, fiscalYear, at);
    expect(readFromFund).toBe(5); // its 4 events, and its last once more for its size
    expect(await paidBy(first, '510100')).toBe(100n);
    expect(await paidBy(first, '510300')).toBe(250n);
    expect(await contents(first)).toEqual(await contents(await booksAt(store, programCode, fiscalYear, at)));

    // Asked again with nothing new: no event read.
    readFromFund = 0;
    expect(await views.tables(programCode, fiscalYear, at)).toBe(first);
    expect(readFromFund).toBe(0);

    // A payment after the day: read, not counted. One back-dated to it: counted.
    await append(payment('510300', '5', '2024-08-01'));
    await append(payment('510100', '3', '2024-06-30'));
    readFromFund = 0;
    const caughtUp = await views.tables(programCode, fiscalYear, at);
    expect(readFromFund).toBe(2);
    expect(await paidBy(caughtUp, '510100')).toBe(103n);
    expect(await paidBy(caughtUp, '510300')).toBe(250n);
    expect(await contents(caughtUp)).toEqual(await contents(await booksAt(store, programCode, fiscalYear, at)));
  });

  it('keeps a view by position as it stood, whatever is appended after', async () => {
    const views = new BooksAtViews(countedStore, new ReplayTurns(), defaultLedgerSettings);
    const head = await store.headPosition();
    const at: BooksAt = { atPosition: head };
    const before = await contents(await views.tables(programCode, fiscalYear, at));
    expect(await paidBy(await views.tables(programCode, fiscalYear, at), '510100')).toBe(173n);
    await append(payment('510100', '11', '2024-02-01'));
    readFromFund = 0;
    const after = await contents(await views.tables(programCode, fiscalYear, at));
    expect(after).toEqual(before);
    // That event lies past the position: once read, nothing appended later is read for the view.
    expect(readFromFund).toBe(1);
    await append(payment('510300', '1', '2024-02-01'));
    readFromFund = 0;
    expect(await contents(await views.tables(programCode, fiscalYear, at))).toEqual(before);
    expect(readFromFund).toBe(0);
    expect(after).toEqual(await contents(await booksAt(store, programCode, fiscalYear, at)));
    expect(await paidBy(await booksAt(store, programCode, fiscalYear, { atPosition: head + 1n }), '510100')).toBe(184n);
    expect(await paidBy(await views.tables(programCode, fiscalYear, at), '510100')).toBe(173n);
  });

  it('gives callers asking for one view at the same time one replay', async () => {
    const views = new BooksAtViews(countedStore, new ReplayTurns(), defaultLedgerSettings);
    readFromFund = 0;
    const at: BooksAt = { asOf: '2024-12-31' };
    const answers = await Promise.all(Array.from({ length: 5 }, () => views.tables(programCode, fiscalYear, at)));
    expect(new Set(answers).size).toBe(1);
    expect(readFromFund).toBe(Number(version) + 2);
    expect(await paidBy(answers[0], '510100')).toBe(184n);
  });

  it('refuses, 503 unavailable, to replay a fund of more events than its bound, reading only its last event', async () => {
    const events = Number(version) + 1;
    const bounded = new BooksAtViews(countedStore, new ReplayTurns(), { replayMaxFundEvents: events - 1 });
    readFromFund = 0;
    await expect(bounded.tables(programCode, fiscalYear, { asOf: '2024-12-31' })).rejects.toMatchObject({
      code: 'unavailable',
      detail: `${stream} holds ${events} events, more than the ${events - 1} this service folds in memory for a view of one fund (EARMARK_REPLAY_MAX_FUND_EVENTS)`,
    });
    expect(readFromFund).toBe(1);
    expect(bounded.viewsKept).toBe(0);
    // The CLI's one-off replay has no bound.
    expect(await paidBy(await booksAt(store, programCode, fiscalYear, { asOf: '2024-12-31' }), '510100')).toBe(184n);
  });

  it('drops the views asked longest ago past its bound of events, keeping the one just asked', async () => {
    const events = Number(version) + 1;
    /** Holds two views of this fund. */
    class TwoViews extends BooksAtViews {
      protected override readonly eventsKept = 2 * events;
    }
    const views = new TwoViews(countedStore, new ReplayTurns(), defaultLedgerSettings);
    const day = (n: number): BooksAt => ({ asOf: `2024-1${n}-01` });
    await views.tables(programCode, fiscalYear, day(0));
    await views.tables(programCode, fiscalYear, day(1));
    expect(views.viewsKept).toBe(2);
    readFromFund = 0;
    await views.tables(programCode, fiscalYear, day(0));
    expect(readFromFund).toBe(0);
    // A third: the one asked longest ago (day 1) goes.
    await views.tables(programCode, fiscalYear, day(2));
    expect(views.viewsKept).toBe(2);
    readFromFund = 0;
    await views.tables(programCode, fiscalYear, day(0));
    expect(readFromFund).toBe(0);
    await views.tables(programCode, fiscalYear, day(1));
    expect(readFromFund).toBe(events + 1);
  });
});

describe('ReplayTurns', () => {
  it('runs one replay at a time, in the order asked, and a failed one does not stop the next', async () => {
    const turns = new ReplayTurns();
    const log: string[] = [];
    let release: () => void = () => undefined;
    const first = turns.run(async () => {
      log.push('first starts');
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      log.push('first ends');
      return 1;
    });
    const failing = turns.run(async () => {
      log.push('second starts');
      throw new Error('store unavailable');
    });
    const third = turns.run(async () => {
      log.push('third starts');
      return 3;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['first starts']);
    expect(turns.queued).toBe(2);
    release();
    expect(await first).toBe(1);
    await expect(failing).rejects.toThrow('store unavailable');
    expect(await third).toBe(3);
    expect(log).toEqual(['first starts', 'first ends', 'second starts', 'third starts']);
    expect(turns.queued).toBe(0);
  });

  it('refuses a replay at once, 503 unavailable, while its bound of replays is waiting', async () => {
    class TwoWaiting extends ReplayTurns {
      protected override readonly maxWaiting = 2;
    }
    const turns = new TwoWaiting();
    let release: () => void = () => undefined;
    const running = turns.run(
      () =>
        new Promise<string>((resolve) => {
          release = () => resolve('first');
        }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    const waiting = [turns.run(async () => 'second'), turns.run(async () => 'third')];
    let ran = false;
    await expect(
      turns.run(async () => {
        ran = true;
        return 'fourth';
      }),
    ).rejects.toMatchObject({ code: 'unavailable', detail: '2 replays of whole funds are waiting (past views, first folds); retry later' });
    expect(ran).toBe(false);
    release();
    expect(await Promise.all([running, ...waiting])).toEqual(['first', 'second', 'third']);
    // Room again once they ran.
    expect(await turns.run(async () => 'fifth')).toBe('fifth');
  });
});
