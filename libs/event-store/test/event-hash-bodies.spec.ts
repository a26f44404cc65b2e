import { createHash } from 'node:crypto';
import { canonicalBodies, genesisHash, hashEvent, hashEventWithBodies, sha256, sha256Hex, type UnhashedEvent } from '@earmark/event-store';

/*
 * The PostgreSQL store encodes an event's data and metadata before it takes the head lock and
 * hashes under the lock with those bodies: the hash must be the one the verifier recomputes.
 */
const events: UnhashedEvent[] = [
  {
    id: 'e0000000-0000-4000-8000-000000000001',
    type: 'DisbursementRecorded',
    streamName: 'fund-sc-pension-contribution-subsidy-2024',
    streamVersion: 41n,
    position: 1_234_567_890_123n,
    recordedAt: '2024-03-01T08:00:00.000Z',
    data: { voucherNo: '记-0301-"7"', regionCode: '510104', amountFen: '100000', beneficiaries: 3, lines: [{ b: 1, a: null }], afterSettlement: false },
    metadata: { correlationId: 'c-1', actor: '张三\\key', '\u00e9': 'é', '\ud83d\ude00': 'emoji key' },
  },
  {
    id: 'id with "quotes" and \\ backslash',
    type: 'CommandRefused',
    streamName: 'refusals-2024',
    streamVersion: 0n,
    position: 1n,
    recordedAt: '2024-12-31T23:59:59.999Z',
    data: {},
    metadata: { n: -0.5, big: 1e21, control: '\u0001\n' },
  },
];

describe('hashEventWithBodies', () => {
  it.each(events.map((event) => [event.type, event]))('%s: equals hashEvent over the whole event', (_type, event) => {
    const previousHash = event.position === 1n ? genesisHash : 'ab'.repeat(32);
    expect(hashEventWithBodies(event, canonicalBodies(event), previousHash)).toBe(hashEvent(event, previousHash));
  });
});

describe('sha256 and sha256Hex', () => {
  it('give SHA-256 of text as UTF-8 and of bytes, as FIPS 180-4 and a Hash object do', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const text = '川财社〔2024〕2号 — 1.00 元';
    expect(sha256Hex(text)).toBe(createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex'));
    expect(sha256Hex(Buffer.from(text, 'utf8'))).toBe(sha256Hex(text));
    expect(sha256(text).equals(Buffer.from(sha256Hex(text), 'hex'))).toBe(true);
    expect(sha256(text)).toHaveLength(32);
  });
});
