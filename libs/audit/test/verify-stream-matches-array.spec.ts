import { generateSigningKey, merkleRoot, signCheckpoint, verifyLedger, verifyLedgerStream, type Checkpoint, type VerifyReport } from '@earmark/audit';
import { chainEvent, type RecordedEvent } from '@earmark/event-store';
import {
  allocation,
  chain,
  cleanLedgerFacts,
  fundStream,
  passDown,
  payment,
  refusal,
  registry,
  returnUp,
  reversal,
  tamper,
  type Fact,
} from './support/ledger-fixture';

const cleanFacts = cleanLedgerFacts();
const clean = chain(cleanFacts);
const key = generateSigningKey();
const otherKey = generateSigningKey();

const rootOf = (log: readonly RecordedEvent[]): string => merkleRoot(log.map((e) => Buffer.from(e.hash, 'hex'))).toString('hex');
const checkpointOf = (log: readonly RecordedEvent[]): Checkpoint =>
  signCheckpoint({ treeSize: log.length, rootHash: rootOf(log), issuedAt: '2024-03-06T00:00:00Z' }, key.privateKeyPem);

const chengdu = allocation('川财社〔2024〕2号', [['510100', 100_000n]]);
const paid = payment('510100', 30_000n, { id: 'd-1' });
const overdrawn = chain([chengdu, payment('510100', 60_000n, { id: 'd-1' }), payment('510100', 50_000n, { id: 'd-2' }), refusal('510105')]);
const rewritten = chain([...cleanFacts.slice(0, 3), payment('510104', 1_500_000n, { id: 'd-2', beneficiaries: 100 }), ...cleanFacts.slice(4)]);

const passed = { chain: 'passed', merkle: 'skipped', signature: 'skipped', balances: 'passed' } as const;
const chainFailed = { chain: 'failed', merkle: 'not-run', signature: 'not-run', balances: 'not-run' } as const;
const merkleFailed = { chain: 'passed', merkle: 'failed', signature: 'not-run', balances: 'not-run' } as const;
const balancesFailed = { chain: 'passed', merkle: 'skipped', signature: 'skipped', balances: 'failed' } as const;

/** The report when the checkpoint's signature does not verify with the key given (`givenKeyId`'s). */
const signatureFailed = (events: number, givenKeyId: string): VerifyReport => ({
  ok: false,
  events,
  checkedThrough: 0n,
  reason: `the checkpoint's signature (key ${key.keyId}) does not verify with the public key given (key ${givenKeyId})`,
  checks: { chain: 'passed', merkle: 'passed', signature: 'failed', balances: 'not-run' },
});
const failed = (events: number, position: bigint, reason: string, checks: VerifyReport['checks']): VerifyReport => ({
  ok: false,
  events,
  checkedThrough: position - 1n,
  firstBadPosition: position,
  reason,
  checks,
});

interface Case {
  readonly name: string;
  /** Any order: verifyLedger sorts, the stream is given the log sorted, as a store reads it. */
  readonly events: readonly RecordedEvent[];
  readonly checkpoint?: Checkpoint | null;
  readonly publicKeyPem?: string;
  readonly expected: VerifyReport;
}

const balanceCase = (name: string, facts: readonly Fact[], position: bigint, reason: string): Case => ({
  name: `balances: ${name}`,
  events: chain(facts),
  expected: failed(facts.length, position, reason, balancesFailed),
});

const cases: readonly Case[] = [
  { name: 'a clean log', events: clean, expected: { ok: true, events: 10, checkedThrough: 10n, checks: passed } },
  { name: 'an empty log', events: [], expected: { ok: true, events: 0, checkedThrough: 0n, checks: passed } },
  {
    name: 'a clean log with a signed checkpoint of all of it',
    events: clean,
    checkpoint: checkpointOf(clean),
    publicKeyPem: key.publicKeyPem,
    expected: { ok: true, events: 10, checkedThrough: 10n, checks: { chain: 'passed', merkle: 'passed', signature: 'passed', balances: 'passed' } },
  },
  {
    name: 'a log grown past its checkpoint, without a key',
    events: clean,
    checkpoint: checkpointOf(clean.slice(0, 6)),
    expected: { ok: true, events: 10, checkedThrough: 10n, checks: { chain: 'passed', merkle: 'passed', signature: 'skipped', balances: 'passed' } },
  },
  {
    name: 'a checkpoint of no events',
    events: clean,
    checkpoint: checkpointOf([]),
    publicKeyPem: key.publicKeyPem,
    expected: { ok: true, events: 10, checkedThrough: 10n, checks: { chain: 'passed', merkle: 'passed', signature: 'passed', balances: 'passed' } },
  },
  {
    name: 'a hash that does not match its event',
    events: tamper(clean, 3n, (data) => ({ ...data, amountFen: '9000000' })),
    expected: failed(10, 3n, 'position 3: hash does not match its contents', chainFailed),
  },
  {
    name: 'a hash recomputed after an edit',
    events: clean.map((e) => (e.position === 3n ? chainEvent({ ...e, data: { ...e.data, amountFen: '9000000' } }, e.previousHash) : e)),
    expected: failed(10, 4n, 'position 4: previousHash is not the hash of position 3', chainFailed),
  },
  {
    name: 'a position missing',
    events: clean.filter((e) => e.position !== 2n),
    expected: failed(9, 2n, 'position 2: missing (the log jumps from 1 to 3)', chainFailed),
  },
  {
    name: 'a log that does not start at position 1',
    events: clean.slice(1),
    expected: failed(9, 1n, 'position 1: missing (the log starts at 2)', chainFailed),
  },
  {
    name: 'a position recorded twice',
    events: [...clean, clean[3]],
    expected: failed(11, 4n, 'position 4: recorded twice', chainFailed),
  },
  {
    name: 'a first event not chained to the genesis hash',
    events: [chainEvent(clean[0], 'f'.repeat(64)), ...clean.slice(1)],
    expected: failed(10, 1n, 'position 1: previousHash is not the genesis hash', chainFailed),
  },
  {
    name: 'a stream version skipped',
    events: clean.map((e) => (e.position === 3n ? chainEvent({ ...e, streamVersion: 3n }, e.previousHash) : e)),
    expected: failed(10, 3n, `position 3: ${fundStream} goes to version 3 where 1 is due`, chainFailed),
  },
  {
    name: 'a log rewritten with a fresh chain, against the old checkpoint',
    events: rewritten,
    checkpoint: checkpointOf(clean),
    publicKeyPem: key.publicKeyPem,
    expected: {
      ok: false,
      events: 10,
      checkedThrough: 0n,
      reason: `the Merkle root of positions 1..10 is ${rootOf(rewritten)}, the checkpoint signs ${rootOf(clean)}: the log is not the one that was signed`,
      checks: merkleFailed,
    },
  },
  {
    name: 'a log shorter than its checkpoint',
    events: clean.slice(0, 8),
    checkpoint: checkpointOf(clean),
    publicKeyPem: key.publicKeyPem,
    expected: failed(8, 9n, 'position 9: missing: the checkpoint signs 10 events and the log holds 8, so events were removed', merkleFailed),
  },
  {
    name: 'a malformed checkpoint',
    events: clean,
    checkpoint: { ...checkpointOf(clean), treeSize: -1 },
    publicKeyPem: key.publicKeyPem,
    expected: {
      ok: false,
      events: 10,
      checkedThrough: 0n,
      reason: 'the checkpoint is malformed: treeSize is not a whole number ≥ 0',
      checks: merkleFailed,
    },
  },
  {
    name: 'a checkpoint signed by another key',
    events: clean,
    checkpoint: checkpointOf(clean),
    publicKeyPem: otherKey.publicKeyPem,
    expected: signatureFailed(10, otherKey.keyId),
  },
  {
    name: 'a checkpoint whose root was edited to match a rewritten log',
    events: rewritten,
    checkpoint: { ...checkpointOf(clean), rootHash: rootOf(rewritten) },
    publicKeyPem: key.publicKeyPem,
    expected: signatureFailed(10, key.keyId),
  },
  balanceCase(
    'an overdraft',
    [chengdu, payment('510100', 60_000n, { id: 'd-1' }), payment('510100', 50_000n, { id: 'd-2' })],
    3n,
    'position 3: 510100 would hold -100.00 元',
  ),
  balanceCase(
    'a payment under another subject',
    [chengdu, payment('510100', 10_000n, { id: 'd-1', expenditureSubject: '2080505' })],
    2n,
    `position 2: 510100 pays under subject 2080505, but ${fundStream} is earmarked for 2083001`,
  ),
  balanceCase(
    'lines that do not sum to the total',
    [allocation('川财社〔2024〕2号', [['510100', 100_000n], ['510300', 50_000n]], { totalFen: 150_001n })],
    1n,
    'position 1: document 川财社〔2024〕2号\'s lines sum to 1500.00 元, its total says 1500.01 元',
  ),
  balanceCase(
    'a later allocation under other subjects',
    [chengdu, allocation('川财社〔2024〕7号', [['510300', 50_000n]], { expenditureSubject: '2080505' })],
    2n,
    `position 2: document 川财社〔2024〕7号 uses subjects 1100299/2080505, but ${fundStream} is earmarked for 1100299/2083001`,
  ),
  balanceCase(
    'an allocation line to a region the issuer does not fund directly',
    [allocation('川财社〔2024〕2号', [['510104', 100_000n]])],
    1n,
    'position 1: 510104 does not receive money from 510000 directly',
  ),
  balanceCase('a document number twice', [chengdu, chengdu], 2n, 'position 2: document 川财社〔2024〕2号 is recorded twice'),
  balanceCase(
    'a pass-down across cities',
    [chengdu, passDown('510100', '510302', 10_000n, { id: 'd-1' })],
    2n,
    'position 2: 510100 passes money to 510302, which is not its child',
  ),
  balanceCase(
    'a return to the wrong region',
    [chengdu, passDown('510100', '510104', 50_000n, { id: 'd-1' }), returnUp('510104', '510000', 10_000n, { id: 'd-2' })],
    3n,
    'position 3: 510104 returns money to 510000, but its money comes from 510100',
  ),
  balanceCase(
    'a reversal that misstates what it reverses',
    [chengdu, paid, { ...reversal(paid), data: { ...reversal(paid).data, amountFen: '3000' } }],
    3n,
    'position 3: the reversal of d-1 says amountFen 3000, the disbursement says 30000',
  ),
  balanceCase('a reversal twice', [chengdu, paid, reversal(paid), reversal(paid)], 4n, 'position 4: disbursement d-1 is reversed twice'),
  balanceCase(
    'a voucher twice',
    [chengdu, payment('510100', 100n, { id: 'd-1', voucherNo: 'CD-1' }), payment('510100', 100n, { id: 'd-2', voucherNo: 'CD-1' })],
    3n,
    'position 3: voucher CD-1 of 510100 is recorded twice',
  ),
  balanceCase(
    'money outside a fund stream',
    [chengdu, { ...payment('510100', 100n, { id: 'd-1' }), streamName: 'document-川财社〔2024〕2号' }],
    2n,
    'position 2: DisbursementRecorded outside a fund stream (in document-川财社〔2024〕2号) moves money nobody books',
  ),
  balanceCase(
    'a payment by a region with no account',
    [chengdu, payment('510300', 100n, { id: 'd-1' })],
    2n,
    `position 2: 510300 holds no account in ${fundStream}`,
  ),
  {
    name: 'balances broken at 3 and the chain at 4: the chain is reported',
    events: tamper(overdrawn, 4n, (data) => ({ ...data, regionCode: '510104' })),
    expected: failed(4, 4n, 'position 4: hash does not match its contents', chainFailed),
  },
  {
    name: 'balances broken at 3 and the root wrong: the root is reported',
    events: overdrawn,
    checkpoint: { ...checkpointOf(overdrawn), rootHash: rootOf(clean) },
    publicKeyPem: key.publicKeyPem,
    expected: {
      ok: false,
      events: 4,
      checkedThrough: 0n,
      reason: `the Merkle root of positions 1..4 is ${rootOf(overdrawn)}, the checkpoint signs ${rootOf(clean)}: the log is not the one that was signed`,
      checks: merkleFailed,
    },
  },
  {
    name: 'balances broken at 3 and the signature wrong: the signature is reported',
    events: overdrawn,
    checkpoint: checkpointOf(overdrawn),
    publicKeyPem: otherKey.publicKeyPem,
    expected: signatureFailed(4, otherKey.keyId),
  },
  {
    name: 'balances broken at 3 under a sound checkpoint',
    events: overdrawn,
    checkpoint: checkpointOf(overdrawn),
    publicKeyPem: key.publicKeyPem,
    expected: failed(4, 3n, 'position 3: 510100 would hold -100.00 元', { chain: 'passed', merkle: 'passed', signature: 'passed', balances: 'failed' }),
  },
];

function inPositionOrder(events: readonly RecordedEvent[]): RecordedEvent[] {
  return [...events].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
}

async function* pagesOf(events: readonly RecordedEvent[], pageEvents: number): AsyncGenerator<RecordedEvent[]> {
  for (let i = 0; i < events.length; i += pageEvents) yield events.slice(i, i + pageEvents);
}

describe('verifyLedgerStream gives the report verifyLedger gives', () => {
  describe.each(cases.map((c) => [c.name, c] as const))('on %s', (_name, { events, checkpoint, publicKeyPem, expected }) => {
    const options = { checkpoint, publicKeyPem, registry };

    it('as an array', () => {
      expect(verifyLedger({ events, ...options })).toEqual(expected);
    });

    it.each([1, 7, 1_000])('in pages of %i', async (pageEvents) => {
      expect(await verifyLedgerStream(pagesOf(inPositionOrder(events), pageEvents), options)).toEqual(expected);
    });
  });

  it('takes pages that are plain arrays, empty ones included', async () => {
    expect(await verifyLedgerStream([[], clean.slice(0, 4), [], clean.slice(4)], { registry })).toEqual(verifyLedger({ events: clean, registry }));
  });
});

describe('verifyLedgerStream on a log out of order', () => {
  it('fails at the position that should have come, where verifyLedger sorts first and passes', async () => {
    const swapped = [clean[0], clean[2], clean[1], ...clean.slice(3)];
    expect(verifyLedger({ events: swapped, registry }).ok).toBe(true);
    expect(await verifyLedgerStream(pagesOf(swapped, 7), { registry })).toEqual(
      failed(10, 2n, 'position 2: missing (the log jumps from 1 to 3)', chainFailed),
    );
  });

  it('names a position that comes back later as recorded twice, as in the log sorted', async () => {
    const repeated = [...clean.slice(0, 6), clean[2], ...clean.slice(6)];
    const expected = failed(11, 3n, 'position 3: recorded twice', chainFailed);
    expect(verifyLedger({ events: repeated, registry })).toEqual(expected);
    expect(await verifyLedgerStream(pagesOf(repeated, 7), { registry })).toEqual(expected);
  });
});
