import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  consistencyProof,
  hashLeaf,
  inclusionProof,
  merkleRoot,
  readExport,
  signCheckpoint,
  verifyLedger,
  writeExport,
} from '@earmark/audit';
import { canonicalEventBytes, chainEvent, genesisHash, type RecordedEvent, type UnhashedEvent } from '@earmark/event-store';
import { registry } from './support/ledger-fixture';

/*
 * The worked example of docs/hash-chain.md and docs/export-format.md. Every expected value here
 * was computed by a separate Python implementation (hashlib, json, cryptography) from the
 * description in the docs, so this test keeps the docs and the code saying the same thing.
 */
const fund = 'fund-sc-pension-contribution-subsidy-2024';
const unhashed: UnhashedEvent[] = [
  {
    id: 'e0000000-0000-4000-8000-000000000001',
    type: 'AllocationRecorded',
    streamName: fund,
    streamVersion: 0n,
    position: 1n,
    recordedAt: '2024-01-18T02:00:01.000Z',
    data: {
      documentNo: '川财社〔2024〕2号',
      title: '关于预拨2024年困难群体养老保险个人缴费省级财政代缴资金的通知',
      kind: 'pre-allocation',
      programCode: 'sc-pension-contribution-subsidy',
      programName: '困难群体养老保险个人缴费省级财政代缴资金',
      fiscalYear: 2024,
      issuedOn: '2024-01-18',
      issuerRegionCode: '510000',
      incomeSubject: '1100299',
      expenditureSubject: '2083001',
      totalFen: '255660000',
      lines: [{ regionCode: '510100', amountFen: '255660000' }],
    },
    metadata: { actor: 'sc-finance', role: 'finance', commandId: 'c-0001' },
  },
  {
    id: 'e0000000-0000-4000-8000-000000000002',
    type: 'DisbursementRecorded',
    streamName: fund,
    streamVersion: 1n,
    position: 2n,
    recordedAt: '2024-02-01T03:00:00.000Z',
    data: {
      disbursementId: 'd-0001',
      programCode: 'sc-pension-contribution-subsidy',
      fiscalYear: 2024,
      regionCode: '510100',
      kind: 'pass-down',
      amountFen: '100000000',
      paidOn: '2024-02-01',
      voucherNo: 'CD-2024-0001',
      toRegionCode: '510104',
      afterSettlement: false,
    },
    metadata: { actor: 'cd-finance', role: 'finance', commandId: 'c-0002' },
  },
  {
    id: 'e0000000-0000-4000-8000-000000000003',
    type: 'DisbursementRecorded',
    streamName: fund,
    streamVersion: 2n,
    position: 3n,
    recordedAt: '2024-03-01T04:00:00.000Z',
    data: {
      disbursementId: 'd-0002',
      programCode: 'sc-pension-contribution-subsidy',
      fiscalYear: 2024,
      regionCode: '510104',
      kind: 'beneficiary-payment',
      amountFen: '1000000',
      paidOn: '2024-03-01',
      voucherNo: 'JJ-2024-0001',
      expenditureSubject: '2083001',
      beneficiaries: 100,
      afterSettlement: false,
    },
    metadata: { actor: 'jj-finance', role: 'finance', commandId: 'c-0003' },
  },
];

function chainAll(events: readonly UnhashedEvent[]): RecordedEvent[] {
  let previousHash = genesisHash;
  return events.map((event) => {
    const recorded = chainEvent(event, previousHash);
    previousHash = recorded.hash;
    return recorded;
  });
}

const examplePrivateKeyPem =
  '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n';
const examplePublicKeyPem =
  '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n';

describe('the worked example of the docs', () => {
  const events = chainAll(unhashed);
  const leaves = events.map((e) => Buffer.from(e.hash, 'hex'));

  it('encodes event 3 canonically, byte for byte', () => {
    expect(canonicalEventBytes(unhashed[2], events[1].hash).toString('utf8')).toBe(
        '{"data":{"afterSettlement":false,"amountFen":"1000000","beneficiaries":100,"disbursementId":"d-0002","expenditureSubject":"2083001","fiscalYear":2024,"kind":"beneficiary-payment","paidOn":"2024-03-01","programCode":"sc-pension-contribution-subsidy","regionCode":"510104","voucherNo":"JJ-2024-0001"},"id":"e0000000-0000-4000-8000-000000000003","metadata":{"actor":"jj-finance","commandId":"c-0003","role":"finance"},"position":"3","previousHash":"03bce1a90ee7354d27bbeb3a9a45f8e44ca845ba7987448e149d427d392c9d01","recordedAt":"2024-03-01T04:00:00.000Z","streamName":"fund-sc-pension-contribution-subsidy-2024","streamVersion":"2","type":"DisbursementRecorded"}',
    );
  });

  it('chains the three hashes', () => {
    expect(events.map((e) => e.hash)).toEqual([
      'b62e520881d66072645604b59d56781de509eb9983ab27ea8806da0f25dc1f02',
      '03bce1a90ee7354d27bbeb3a9a45f8e44ca845ba7987448e149d427d392c9d01',
      'f357ababe55aa12b750b564a507543011c9ef96eeeca870b3dceb4e58f519377',
    ]);
  });

  it('hashes the leaves, the node and the root', () => {
    expect(leaves.map((leaf) => hashLeaf(leaf).toString('hex'))).toEqual([
      '0b37b364dd2dd640620cd48c4b78046a41636301d0bf383e7339ae97a0f9747d',
      '617f9d3a0c648ddb515cad75ba7299be00cefd71817d1ddb01ecda324b3f9ab8',
      'bb72bcdc9281754005a213f02babe8ce3f78c6cec671cde126539dcea095da56',
    ]);
    expect(merkleRoot(leaves.slice(0, 2)).toString('hex')).toBe('b896273b37b7428bfa09599818dbce0d13d04349343690d1d190b2b4a03c3188');
    expect(merkleRoot(leaves).toString('hex')).toBe('6ee336085f97777fd78b897f6b23711a2cdcf4d2eeec95cd027502c22ccae535');
  });

  it('proves position 2 included and size 2 consistent with size 3', () => {
    expect(inclusionProof(leaves, 1).map((h) => h.toString('hex'))).toEqual([
      '0b37b364dd2dd640620cd48c4b78046a41636301d0bf383e7339ae97a0f9747d',
      'bb72bcdc9281754005a213f02babe8ce3f78c6cec671cde126539dcea095da56',
    ]);
    expect(consistencyProof(leaves, 2).map((h) => h.toString('hex'))).toEqual([
      'bb72bcdc9281754005a213f02babe8ce3f78c6cec671cde126539dcea095da56',
    ]);
  });

  it('signs the checkpoint and the whole ledger verifies', () => {
    const checkpoint = signCheckpoint(
      { treeSize: 3, rootHash: '6ee336085f97777fd78b897f6b23711a2cdcf4d2eeec95cd027502c22ccae535', issuedAt: '2024-03-01T04:00:05Z' },
      examplePrivateKeyPem,
    );
    expect(checkpoint).toEqual({
      treeSize: 3,
      rootHash: '6ee336085f97777fd78b897f6b23711a2cdcf4d2eeec95cd027502c22ccae535',
      signature: '1vxk6wqngl59d5rLrUfiBMr4RN0qaYCTpDvPlYmSjqBDfKFfH6iaOyL99NZYafa1rKMj+QyxDcp+BcJJyt33Bw==',
      keyId: '06e3fd8fda29bb60',
      issuedAt: '2024-03-01T04:00:05Z',
    });
    expect(verifyLedger({ events, checkpoint, publicKeyPem: examplePublicKeyPem, registry }).ok).toBe(true);
  });

  it('exports to exactly the file the docs show, which reads back and verifies', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'earmark-example-'));
    try {
      const path = join(dir, 'example.jsonl');
      const checkpoint = signCheckpoint(
        { treeSize: 3, rootHash: merkleRoot(leaves).toString('hex'), issuedAt: '2024-03-01T04:00:05Z' },
        examplePrivateKeyPem,
      );
      await writeExport(path, { events, checkpoint, publicKeyPem: examplePublicKeyPem, exportedAt: '2024-03-06T09:30:00.000Z' });
      expect((await readFile(path, 'utf8')).split('\n')).toEqual([
        '{"format":"earmark-export/v1","exportedAt":"2024-03-06T09:30:00.000Z","events":3}',
        '{"position":"1","id":"e0000000-0000-4000-8000-000000000001","type":"AllocationRecorded","streamName":"fund-sc-pension-contribution-subsidy-2024","streamVersion":"0","recordedAt":"2024-01-18T02:00:01.000Z","data":{"documentNo":"川财社〔2024〕2号","title":"关于预拨2024年困难群体养老保险个人缴费省级财政代缴资金的通知","kind":"pre-allocation","programCode":"sc-pension-contribution-subsidy","programName":"困难群体养老保险个人缴费省级财政代缴资金","fiscalYear":2024,"issuedOn":"2024-01-18","issuerRegionCode":"510000","incomeSubject":"1100299","expenditureSubject":"2083001","totalFen":"255660000","lines":[{"regionCode":"510100","amountFen":"255660000"}]},"metadata":{"actor":"sc-finance","role":"finance","commandId":"c-0001"},"previousHash":"0000000000000000000000000000000000000000000000000000000000000000","hash":"b62e520881d66072645604b59d56781de509eb9983ab27ea8806da0f25dc1f02"}',
        '{"position":"2","id":"e0000000-0000-4000-8000-000000000002","type":"DisbursementRecorded","streamName":"fund-sc-pension-contribution-subsidy-2024","streamVersion":"1","recordedAt":"2024-02-01T03:00:00.000Z","data":{"disbursementId":"d-0001","programCode":"sc-pension-contribution-subsidy","fiscalYear":2024,"regionCode":"510100","kind":"pass-down","amountFen":"100000000","paidOn":"2024-02-01","voucherNo":"CD-2024-0001","toRegionCode":"510104","afterSettlement":false},"metadata":{"actor":"cd-finance","role":"finance","commandId":"c-0002"},"previousHash":"b62e520881d66072645604b59d56781de509eb9983ab27ea8806da0f25dc1f02","hash":"03bce1a90ee7354d27bbeb3a9a45f8e44ca845ba7987448e149d427d392c9d01"}',
        '{"position":"3","id":"e0000000-0000-4000-8000-000000000003","type":"DisbursementRecorded","streamName":"fund-sc-pension-contribution-subsidy-2024","streamVersion":"2","recordedAt":"2024-03-01T04:00:00.000Z","data":{"disbursementId":"d-0002","programCode":"sc-pension-contribution-subsidy","fiscalYear":2024,"regionCode":"510104","kind":"beneficiary-payment","amountFen":"1000000","paidOn":"2024-03-01","voucherNo":"JJ-2024-0001","expenditureSubject":"2083001","beneficiaries":100,"afterSettlement":false},"metadata":{"actor":"jj-finance","role":"finance","commandId":"c-0003"},"previousHash":"03bce1a90ee7354d27bbeb3a9a45f8e44ca845ba7987448e149d427d392c9d01","hash":"f357ababe55aa12b750b564a507543011c9ef96eeeca870b3dceb4e58f519377"}',
        '{"checkpoint":{"treeSize":3,"rootHash":"6ee336085f97777fd78b897f6b23711a2cdcf4d2eeec95cd027502c22ccae535","signature":"1vxk6wqngl59d5rLrUfiBMr4RN0qaYCTpDvPlYmSjqBDfKFfH6iaOyL99NZYafa1rKMj+QyxDcp+BcJJyt33Bw==","keyId":"06e3fd8fda29bb60","issuedAt":"2024-03-01T04:00:05Z"},"publicKeyPem":"-----BEGIN PUBLIC KEY-----\\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\\n-----END PUBLIC KEY-----\\n"}',
        '',
      ]);
      const read = await readExport(path);
      expect(verifyLedger({ events: read.events, checkpoint: read.checkpoint, publicKeyPem: examplePublicKeyPem, registry }).ok).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
