import { createHash } from 'node:crypto';
import { ledgerRoot, verifyLedgerStream, type Checkpoint } from '@earmark/audit';
import type { RecordedEvent } from '@earmark/event-store';
import { allocation, chain, payment, registry } from './support/ledger-fixture';

const events = chain([
  allocation('川财社〔2024〕2号', [['510100', 100_000n]]),
  ...Array.from({ length: 199 }, (_, i) => payment('510100', 100n, { id: `d-${i + 1}` })),
]);
const unsignedRoot = '0'.repeat(64);

/** RFC 9162 §2.1.1 written out as the RFC states it, sharing nothing with the code under test. */
function referenceRoot(leaves: readonly Buffer[]): Buffer {
  const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return sha256(Buffer.from([0]), leaves[0]);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha256(Buffer.from([1]), referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

async function* pagesOf(log: readonly RecordedEvent[], pageEvents: number): AsyncGenerator<RecordedEvent[]> {
  for (let i = 0; i < log.length; i += pageEvents) yield log.slice(i, i + pageEvents);
}

describe('the root of the signed prefix, taken while the log streams past', () => {
  const sizes = Array.from({ length: 200 }, (_, i) => i + 1);

  it.each(sizes)('of size %i is ledgerRoot of that prefix, and the RFC’s', async (treeSize) => {
    const expected = ledgerRoot(events, treeSize).toString('hex');
    expect(expected).toBe(referenceRoot(events.slice(0, treeSize).map((e) => Buffer.from(e.hash, 'hex'))).toString('hex'));
    // A root that cannot match makes the report quote the one the verifier computed.
    const checkpoint: Checkpoint = { treeSize, rootHash: unsignedRoot, issuedAt: '2024-03-06T00:00:00Z', signature: '', keyId: '' };
    const report = await verifyLedgerStream(pagesOf(events, 7), { checkpoint, registry });
    expect(report).toEqual({
      ok: false,
      events: 200,
      checkedThrough: 0n,
      reason: `the Merkle root of positions 1..${treeSize} is ${expected}, the checkpoint signs ${unsignedRoot}: the log is not the one that was signed`,
      checks: { chain: 'passed', merkle: 'failed', signature: 'not-run', balances: 'not-run' },
    });
  });
});
