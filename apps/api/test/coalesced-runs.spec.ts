import { CoalescedRuns } from '../src/audit/coalesced-runs';

/** Work whose runs the test ends by hand, numbered in the order they started. */
function heldWork(): { work: () => Promise<number>; started: () => number; end: (run: number, error?: Error) => void } {
  const endings: { resolve: (value: number) => void; reject: (error: Error) => void }[] = [];
  return {
    work: () =>
      new Promise<number>((resolve, reject) => {
        endings.push({ resolve, reject });
      }).then((value) => value),
    started: () => endings.length,
    end: (run, error) => (error ? endings[run - 1].reject(error) : endings[run - 1].resolve(run)),
  };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('CoalescedRuns', () => {
  it('runs once at a time; callers during a run share the next one, which starts when it ends', async () => {
    const held = heldWork();
    const runs = new CoalescedRuns(held.work);
    const first = runs.run();
    await turn();
    const during = [runs.run(), runs.run(), runs.run()];
    await turn();
    expect(held.started()).toBe(1);
    held.end(1);
    expect(await first).toBe(1);
    await turn();
    expect(held.started()).toBe(2);
    // Callers during the second run wait for a third.
    const later = runs.run();
    held.end(2);
    expect(await Promise.all(during)).toEqual([2, 2, 2]);
    await turn();
    expect(held.started()).toBe(3);
    held.end(3);
    expect(await later).toBe(3);
    // Idle again: the next caller starts a run at once.
    const idle = runs.run();
    await turn();
    expect(held.started()).toBe(4);
    held.end(4);
    expect(await idle).toBe(4);
  });

  it('a run that fails fails its callers alone; the next run still starts', async () => {
    const held = heldWork();
    const runs = new CoalescedRuns(held.work);
    const first = runs.run().catch((error: Error) => error.message);
    await turn();
    const second = runs.run();
    held.end(1, new Error('the store went away'));
    expect(await first).toBe('the store went away');
    await turn();
    expect(held.started()).toBe(2);
    held.end(2);
    expect(await second).toBe(2);
  });
});
