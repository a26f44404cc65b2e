/** Resolves with the rejection of a promise that must fail, or fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error: unknown) {
    return error;
  }
  throw new Error('expected the promise to reject, it resolved');
}

export const waitLimitMs = 10_000;
const pollEveryMs = 5;

/** Polls until the predicate holds; fails after waitLimitMs so that a hung subscription fails fast. */
export async function waitUntil(predicate: () => boolean, what: string, limitMs = waitLimitMs): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
    await sleep(pollEveryMs);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
