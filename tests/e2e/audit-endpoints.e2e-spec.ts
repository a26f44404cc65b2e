import { eventLeaf, hashLeaf, keyIdOf, MerkleTree, verifyCheckpoint, verifyConsistency, verifyInclusion, type Checkpoint } from '@earmark/audit';
import type { RecordedEvent } from '@earmark/event-store';
import { CheckpointService } from '../../apps/api/src/audit/checkpoint.service';
import { payment, startTestApp, type TestApp } from '../support/test-app';

/** The seed records 23 events: the allocation, its document number, 21 target tables. */
const seededEvents = 23;

describe('Audit endpoints: verify, signed checkpoints, inclusion and consistency proofs', () => {
  // Each test has a freshly seeded ledger of its own: the positions below hold in any order.
  let app: TestApp;
  beforeEach(async () => (app = await startTestApp()));
  afterEach(() => app.close());

  const audit = (path: string, token = 'aud') => app.get(`/v1/audit${path}`, token);
  const hex = (hashes: readonly Buffer[]) => hashes.map((hash) => hash.toString('hex'));

  async function storedEvents(): Promise<RecordedEvent[]> {
    return app.infrastructure.store.readAll({ afterPosition: 0n, maxCount: 10_000 });
  }

  /** The same tree, built here from the store's events: what an auditor with the log computes. */
  async function localTree(): Promise<MerkleTree> {
    return MerkleTree.fromLeaves((await storedEvents()).map(eventLeaf));
  }

  function checkpointOf(body: Record<string, unknown>): Checkpoint {
    const { treeSize, rootHash, signature, keyId, issuedAt } = body as unknown as Checkpoint;
    return { treeSize, rootHash, signature, keyId, issuedAt };
  }

  it('verify on the seeded store: every event chained and the balances replayed, nothing signed yet', async () => {
    const { status, body } = await audit('/verify');
    expect(status).toBe(200);
    expect(body).toEqual({
      ok: true,
      events: seededEvents,
      checkedThrough: seededEvents,
      checks: { chain: 'passed', merkle: 'skipped', signature: 'skipped', balances: 'passed' },
    });
  });

  it('checkpoints/latest issues the first checkpoint over the seeded log; it verifies with the key it names', async () => {
    const { status, body } = await audit('/checkpoints/latest');
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['issuedAt', 'keyId', 'publicKey', 'rootHash', 'signature', 'treeSize']);
    expect(body.treeSize).toBe(seededEvents);
    expect(body.rootHash).toBe((await localTree()).root(seededEvents).toString('hex'));
    expect(body.keyId).toBe(keyIdOf(body.publicKey));
    expect(verifyCheckpoint(checkpointOf(body), body.publicKey)).toBe(true);

    // Recorded in the log right after the events it signs, and answered again rather than re-signed.
    const recorded = (await storedEvents())[seededEvents];
    expect(recorded).toMatchObject({ position: 24n, type: 'CheckpointIssued', streamName: 'audit-checkpoints' });
    expect(recorded.data).toEqual(checkpointOf(body));
    expect((await audit('/checkpoints/latest')).body).toEqual(body);

    expect((await audit('/verify')).body).toEqual({
      ok: true,
      events: seededEvents + 1,
      checkedThrough: seededEvents + 1,
      checks: { chain: 'passed', merkle: 'passed', signature: 'passed', balances: 'passed' },
    });
  });

  it('inclusion proofs of several positions verify against the checkpoint’s root', async () => {
    const checkpoint = (await audit('/checkpoints/latest')).body;
    const events = await storedEvents();
    const root = Buffer.from(checkpoint.rootHash, 'hex');
    for (const position of [1, 2, 12, 16, 23]) {
      const { status, body } = await audit(`/proofs/inclusion?position=${position}&treeSize=${checkpoint.treeSize}`);
      expect(status).toBe(200);
      expect(body).toEqual({
        leafIndex: position - 1,
        treeSize: seededEvents,
        hashes: hex((await localTree()).inclusionProof(position - 1, seededEvents)),
      });
      const leafHash = hashLeaf(eventLeaf(events[position - 1]));
      const proof = body.hashes.map((h: string) => Buffer.from(h, 'hex'));
      expect(verifyInclusion(leafHash, body.leafIndex, body.treeSize, proof, root)).toBe(true);
      // The same proof does not place another event there.
      expect(verifyInclusion(hashLeaf(eventLeaf(events[position % seededEvents])), body.leafIndex, body.treeSize, proof, root)).toBe(false);
    }
  });

  it('a consistency proof between two checkpoints verifies: the later log extends the earlier', async () => {
    const first = (await audit('/checkpoints/latest')).body;
    const paid = [
      await app.post('/v1/disbursements', payment('510400', '100.00', 'AUD-1'), 'pzh'),
      await app.post('/v1/disbursements', payment('510400', '200.00', 'AUD-2'), 'pzh'),
    ];
    expect(paid.map((answer) => answer.status)).toEqual([201, 201]);
    // After the checkpoint at 24, each payment is its locator and its own event.
    expect(paid.map((answer) => answer.body.position)).toEqual([26, 28]);
    await app.app.get(CheckpointService).issueNow();

    const second = (await audit('/checkpoints/latest')).body;
    expect(second.treeSize).toBe(28);
    expect(second.rootHash).toBe((await localTree()).root(28).toString('hex'));
    expect(verifyCheckpoint(checkpointOf(second), second.publicKey)).toBe(true);

    const { status, body } = await audit(`/proofs/consistency?from=${first.treeSize}&to=${second.treeSize}`);
    expect(status).toBe(200);
    expect(body).toEqual({ from: 23, to: 28, hashes: hex((await localTree()).consistencyProof(23, 28)) });
    const proof = body.hashes.map((h: string) => Buffer.from(h, 'hex'));
    const [rootFirst, rootSecond] = [first.rootHash, second.rootHash].map((h: string) => Buffer.from(h, 'hex'));
    expect(verifyConsistency(body.from, body.to, rootFirst, rootSecond, proof)).toBe(true);
    expect(verifyConsistency(body.from, body.to, rootSecond, rootFirst, proof)).toBe(false);
  });

  it('an operator or a finance key gets 403 on every audit endpoint; no token 401', async () => {
    const paths = ['/verify', '/checkpoints/latest', '/proofs/inclusion?position=1&treeSize=1', '/proofs/consistency?from=1&to=2'];
    for (const path of paths) {
      for (const token of ['op', 'cd']) {
        const { status, body } = await audit(path, token);
        expect([path, token, status, body.code]).toEqual([path, token, 403, 'forbidden']);
      }
      expect((await app.call('GET', `/v1/audit${path}`, { token: null })).status).toBe(401);
    }
  });

  it('bad numbers are 400 validation-failed; a position beyond the tree or a tree beyond the log is 404', async () => {
    const invalid = [
      '/proofs/inclusion?position=0&treeSize=5',
      '/proofs/inclusion?position=abc&treeSize=5',
      '/proofs/inclusion?position=-1&treeSize=5',
      '/proofs/inclusion?position=1.5&treeSize=5',
      '/proofs/inclusion?position=1',
      '/proofs/inclusion?position=1&treeSize=0',
      '/proofs/consistency?from=x&to=5',
      '/proofs/consistency?from=5',
      '/proofs/consistency?from=6&to=5',
      '/proofs/consistency?from=1&to=99999999999999999',
    ];
    for (const path of invalid) {
      const { status, body, contentType } = await audit(path);
      expect([path, status, body.code]).toEqual([path, 400, 'validation-failed']);
      expect(contentType).toContain('application/problem+json');
    }
    const missing = (await audit('/proofs/inclusion?position=1')).body;
    expect(missing.errors).toEqual([{ path: 'treeSize', message: 'is required' }]);

    const notFound = ['/proofs/inclusion?position=6&treeSize=5', '/proofs/inclusion?position=1&treeSize=5000', '/proofs/consistency?from=1&to=5000'];
    for (const path of notFound) {
      const { status, body } = await audit(path);
      expect([path, status, body.code]).toEqual([path, 404, 'not-found']);
    }
  });
});
