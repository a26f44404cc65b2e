import { generateSigningKey, issueCheckpoint, merkleRoot, signCheckpoint, verifyLedger, type Checkpoint } from '@earmark/audit';
import type { RecordedEvent } from '@earmark/event-store';
import { allocation, chain, passDown, payment, registry } from './support/ledger-fixture';

const facts = [
  allocation('川财社〔2024〕2号', [['510100', 300_000_000n]]),
  passDown('510100', '510104', 100_000_000n, { id: 'd-1' }),
  payment('510104', 1_000_000n, { id: 'd-2' }),
  payment('510104', 2_000_000n, { id: 'd-3' }),
];
const events = chain(facts);
const key = generateSigningKey();

const rootOf = (log: readonly RecordedEvent[]): string => merkleRoot(log.map((e) => Buffer.from(e.hash, 'hex'))).toString('hex');
const checkpointOf = (log: readonly RecordedEvent[]): Checkpoint =>
  signCheckpoint({ treeSize: log.length, rootHash: rootOf(log), issuedAt: '2024-03-06T00:00:00Z' }, key.privateKeyPem);

describe('verifyLedger against a signed checkpoint', () => {
  const checkpoint = checkpointOf(events);

  it('fails a log whose last event was removed, though its chain is intact', () => {
    expect(verifyLedger({ events: events.slice(0, 3), checkpoint, publicKeyPem: key.publicKeyPem, registry })).toEqual({
      ok: false,
      events: 3,
      checkedThrough: 3n,
      firstBadPosition: 4n,
      reason: 'position 4: missing: the checkpoint signs 4 events and the log holds 3, so events were removed',
      checks: { chain: 'passed', merkle: 'failed', signature: 'not-run', balances: 'not-run' },
    });
  });

  it('fails a log rewritten with a freshly computed chain, on the Merkle root', () => {
    const rewritten = chain([facts[0], facts[1], payment('510104', 1_500_000n, { id: 'd-2' }), facts[3]]);
    expect(verifyLedger({ events: rewritten, checkpoint, publicKeyPem: key.publicKeyPem, registry })).toEqual({
      ok: false,
      events: 4,
      checkedThrough: 0n,
      reason: `the Merkle root of positions 1..4 is ${rootOf(rewritten)}, the checkpoint signs ${checkpoint.rootHash}: the log is not the one that was signed`,
      checks: { chain: 'passed', merkle: 'failed', signature: 'not-run', balances: 'not-run' },
    });
  });

  it('fails a checkpoint whose root was edited to match, on the signature', () => {
    const rewritten = chain([facts[0], facts[1], payment('510104', 1_500_000n, { id: 'd-2' }), facts[3]]);
    const forged = { ...checkpoint, rootHash: rootOf(rewritten) };
    const report = verifyLedger({ events: rewritten, checkpoint: forged, publicKeyPem: key.publicKeyPem, registry });
    expect(report.ok).toBe(false);
    expect(report.checks).toEqual({ chain: 'passed', merkle: 'passed', signature: 'failed', balances: 'not-run' });
    expect(report.reason).toBe(
      `the checkpoint's signature (key ${key.keyId}) does not verify with the public key given (key ${key.keyId})`,
    );
  });

  it('fails a checkpoint signed by another key', () => {
    const other = generateSigningKey();
    const report = verifyLedger({ events, checkpoint, publicKeyPem: other.publicKeyPem, registry });
    expect(report.checks.signature).toBe('failed');
    expect(report.reason).toBe(
      `the checkpoint's signature (key ${key.keyId}) does not verify with the public key given (key ${other.keyId})`,
    );
  });

  it('checks the root but not the signature when no key is given', () => {
    const report = verifyLedger({ events, checkpoint, registry });
    expect(report.ok).toBe(true);
    expect(report.checks).toEqual({ chain: 'passed', merkle: 'passed', signature: 'skipped', balances: 'passed' });
  });
});

describe('issueCheckpoint', () => {
  it('signs the root of the whole log, which then verifies', () => {
    const issued = issueCheckpoint(events, '2024-03-06T00:00:00Z', key.privateKeyPem);
    expect(issued).toEqual(checkpointOf(events));
    expect(verifyLedger({ events, checkpoint: issued, publicKeyPem: key.publicKeyPem, registry }).ok).toBe(true);
  });

  it('refuses a log that is not positions 1..n in order', () => {
    expect(() => issueCheckpoint([events[1], events[0]], '2024-03-06T00:00:00Z', key.privateKeyPem)).toThrow(
      'event 1 of the log is position 2',
    );
  });
});
