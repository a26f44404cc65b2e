import { BalanceReplay, generateSigningKey, merkleRoot, signCheckpoint, verifyLedger } from '@earmark/audit';
import {
  chain,
  cleanLedgerFacts,
  fundStream,
  registry,
} from './support/ledger-fixture';

const facts = cleanLedgerFacts();

describe('verifyLedger on a clean ledger', () => {
  const events = chain(facts);

  it('passes the chain and the balances, and names the last position checked', () => {
    expect(verifyLedger({ events, registry })).toEqual({
      ok: true,
      events: 10,
      checkedThrough: 10n,
      checks: { chain: 'passed', merkle: 'skipped', signature: 'skipped', balances: 'passed' },
    });
  });

  it('passes every check against a signed checkpoint of the whole log, given in any order', () => {
    const key = generateSigningKey();
    const rootHash = merkleRoot(events.map((e) => Buffer.from(e.hash, 'hex'))).toString('hex');
    const checkpoint = signCheckpoint({ treeSize: 10, rootHash, issuedAt: '2024-03-06T00:00:00Z' }, key.privateKeyPem);
    const shuffled = [events[4], events[9], events[0], ...events.slice(5, 9), events[2], events[1], events[3]];
    expect(verifyLedger({ events: shuffled, checkpoint, publicKeyPem: key.publicKeyPem, registry })).toEqual({
      ok: true,
      events: 10,
      checkedThrough: 10n,
      checks: { chain: 'passed', merkle: 'passed', signature: 'passed', balances: 'passed' },
    });
  });

  it('accepts a log that has grown past its checkpoint', () => {
    const key = generateSigningKey();
    const rootHash = merkleRoot(events.slice(0, 6).map((e) => Buffer.from(e.hash, 'hex'))).toString('hex');
    const checkpoint = signCheckpoint({ treeSize: 6, rootHash, issuedAt: '2024-03-02T00:00:00Z' }, key.privateKeyPem);
    const report = verifyLedger({ events, checkpoint, publicKeyPem: key.publicKeyPem, registry });
    expect(report.ok).toBe(true);
    expect(report.checks.merkle).toBe('passed');
  });

  it('replays the balances independently, to the 分', () => {
    const replay = new BalanceReplay(registry);
    for (const event of events) expect(replay.apply(event)).toBeNull();
    const [fund] = replay.balances();
    expect(fund.streamName).toBe(fundStream);
    expect(fund.expenditureSubject).toBe('2083001');
    expect(Object.fromEntries(fund.heldFen)).toEqual({
      '510100': 209_000_000n,
      '510104': 90_000_000n,
      '510300': 50_000_000n,
      '510321': 18_000_000n,
    });
    expect(Object.fromEntries(fund.sourceFen)).toEqual({ '510000': -368_000_000n });
    expect(fund.paidOutFen).toBe(1_000_000n);
    expect(replay.recountFen()).toBe(0n);
  });

  it('passes an empty log', () => {
    expect(verifyLedger({ events: [], registry })).toEqual({
      ok: true,
      events: 0,
      checkedThrough: 0n,
      checks: { chain: 'passed', merkle: 'skipped', signature: 'skipped', balances: 'passed' },
    });
  });
});
