/**
 * Work that runs long on the event loop hands the loop a turn once it has run this long without
 * one, so that other requests, commands included, are not held up for its whole length. An
 * embedded store (SQLite) answers a read at once, within the same turn: a loop over many of its
 * pages (a fund's stream folded, the whole log verified or hashed into the Merkle tree) would
 * otherwise run from its first page to its last without one, as would judging and listing a
 * large fund's flags.
 */
export const eventLoopSliceMs = 10;

/**
 * A pause to await between steps of long work: it yields to the event loop (`setImmediate`, after
 * pending I/O) only when `ms` have passed since the last turn it gave, so short work never waits.
 */
export function pauseEvery(ms: number): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < ms) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    since = performance.now();
  };
}
