import { TokenBuckets } from '../src/ops/rate-limit.guard';

describe('token buckets per key', () => {
  it('a burst of the limit, then one request per 60/limit seconds, each key on its own', () => {
    let nowMs = 0;
    const buckets = new TokenBuckets(6, () => nowMs);
    expect(Array.from({ length: 8 }, () => buckets.take('a'))).toEqual([0, 0, 0, 0, 0, 0, 10, 10]);
    expect(buckets.take('b')).toBe(0);
    nowMs = 4_000;
    expect(buckets.take('a')).toBe(6);
    nowMs = 10_000;
    expect(buckets.take('a')).toBe(0);
    expect(buckets.take('a')).toBe(10);
    nowMs = 10_000 + 60_000 * 5;
    expect(Array.from({ length: 7 }, () => buckets.take('a'))).toEqual([0, 0, 0, 0, 0, 0, 10]);
  });
});
