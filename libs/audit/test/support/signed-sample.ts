import { generateSigningKey, merkleRoot, signCheckpoint } from '@earmark/audit';
import { allocation, chain, passDown, payment, refusal } from './ledger-fixture';

/**
 * The small signed log the export file's tests write and read: an allocation, a pass-down, a
 * payment and a refusal, a fresh key, and a checkpoint over all four events.
 */
export function signedSample() {
  const events = chain([
    allocation('川财社〔2024〕2号', [['510100', 300_000_000n], ['510321', 20_000_000n]]),
    passDown('510100', '510104', 100_000_000n, { id: 'd-1' }),
    payment('510104', 1_000_000n, { id: 'd-2' }),
    refusal('510105'),
  ]);
  const key = generateSigningKey();
  const checkpoint = signCheckpoint(
    { treeSize: 4, rootHash: merkleRoot(events.map((e) => Buffer.from(e.hash, 'hex'))).toString('hex'), issuedAt: '2024-03-06T00:00:00Z' },
    key.privateKeyPem,
  );
  return { events, key, checkpoint };
}
