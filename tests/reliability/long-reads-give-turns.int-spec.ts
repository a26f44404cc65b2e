import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DisbursementLocator, streamPages } from '@earmark/application';
import { LedgerTree } from '@earmark/audit';
import { SqliteEventStore } from '@earmark/event-store/sqlite';
import { loadConfig, loadRegistry, readLogPages, verifyStore } from '@earmark/runtime';
import { appendFiller, fillerEvent } from '../support/filler-events';

/**
 * SQLite answers a read within the turn that asked for it, so a loop over many pages of it never
 * lets the event loop run anything else unless it pauses. In the service that froze every request,
 * health checks included, for as long as an auditor's GET /v1/audit/verify ran (11 s at 300,000
 * events), a restart's first checkpoint built its Merkle tree, or a fund was replayed. Each long
 * reader must let a timer set before it fire before it ends.
 */

const events = 30_000;
/**
 * Runs `work` with a timer set just before it; says whether the timer fired before the work ended,
 * and what the timer's own work (run when it fired) and the work gave.
 */
async function timerDuring<T, U>(work: () => Promise<T>, onTimer: () => Promise<U> | U): Promise<{ firedBefore: boolean; result: T; timer: U }> {
  let ended = false;
  let firedBefore: boolean | null = null;
  let timer: Promise<U> | null = null;
  setTimeout(() => {
    firedBefore = !ended;
    timer = Promise.resolve(onTimer());
  }, 0);
  const result = await work();
  ended = true;
  while (timer === null) await new Promise((resolve) => setTimeout(resolve, 1));
  return { firedBefore: firedBefore!, result, timer: await (timer as Promise<U>) };
}

/**
 * Counts the events of the pages, working `busyMs` on each as a caller would (the verifier, a
 * fold): the pages together take well over a slice.
 */
async function countPages(pages: AsyncIterable<readonly unknown[]>, busyMs: number): Promise<number> {
  let read = 0;
  for await (const page of pages) {
    read += page.length;
    const until = performance.now() + busyMs;
    while (performance.now() < until);
  }
  return read;
}

describe('long reads of the embedded store give the event loop turns', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'earmark-long-reads-'));
    store = new SqliteEventStore({ file: join(dir, 'store.sqlite') });
    await store.init();
    await appendFiller(store, 'account-1', events);
  }, 60_000);

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifying the store: a timer fires during it, and what it appends is left out (the log as it stood when asked)', async () => {
    const registry = loadRegistry(loadConfig({ EARMARK_DATA_DIR: dir }));
    const head = await store.headPosition();
    const run = await timerDuring(
      () => verifyStore(store, registry, undefined, 90),
      () => store.append({ streams: [{ streamName: 'account-2', expectedVersion: 'no-stream', events: [fillerEvent(events + 1)] }] }),
    );
    expect(run.firedBefore).toBe(true);
    expect(run.timer.lastPosition).toBe(head + 1n);
    expect([run.result.report.events, run.result.report.checks.chain, run.result.report.checkedThrough <= head]).toEqual([events, 'passed', true]);
  }, 60_000);

  it('reading the whole log: a timer fires between pages', async () => {
    const run = await timerDuring(
      () => countPages(readLogPages(store, BigInt(events)), 1),
      () => 'fired',
    );
    expect([run.firedBefore, run.result]).toEqual([true, events]);
  });

  it('catching the Merkle tree up with the log: a timer fires during it', async () => {
    const tree = new LedgerTree(store);
    const run = await timerDuring(() => tree.catchUp(), () => 'fired');
    expect(run.firedBefore).toBe(true);
    expect(run.result).toBe(Number(await store.headPosition()));
  });

  it('looking a disbursement up in a log written before locators: a timer fires during the scan', async () => {
    const run = await timerDuring(() => new DisbursementLocator(store).fundOf('00000000-0000-4000-8000-0000ffffffff'), () => 'fired');
    expect([run.firedBefore, run.result]).toEqual([true, null]);
  });

  it("reading a fund's stream page by page (the replays of the books and the auditors' views): a timer fires between pages", async () => {
    const run = await timerDuring(
      () => countPages(streamPages(store, 'account-1', 0n), 6),
      () => 'fired',
    );
    expect([run.firedBefore, run.result]).toEqual([true, events]);
  });
});
