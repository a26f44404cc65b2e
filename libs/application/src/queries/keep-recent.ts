/** How much a cache of views may hold: entries, and their sizes summed (events, rows). */
export interface KeptBound<V> {
  readonly maxEntries: number;
  readonly maxSize: number;
  readonly sizeOf: (value: V) => number;
}

/**
 * Keeps `value` under `key` as the most recently asked entry of `kept` (a Map iterates in the order
 * its keys were set), then drops the entries asked longest ago until at most `maxEntries` remain
 * and their sizes sum to at most `maxSize`. The entry just kept stays whatever its size.
 */
export function keepRecent<K, V>(kept: Map<K, V>, key: K, value: V, bound: KeptBound<V>): V {
  kept.delete(key);
  kept.set(key, value);
  let size = 0;
  for (const entry of kept.values()) size += bound.sizeOf(entry);
  for (const [oldKey, oldest] of kept) {
    if (oldKey === key || (kept.size <= bound.maxEntries && size <= bound.maxSize)) break;
    kept.delete(oldKey);
    size -= bound.sizeOf(oldest);
  }
  return value;
}
