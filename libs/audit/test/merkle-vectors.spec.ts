import {
  consistencyProof,
  emptyTreeHash,
  hashLeaf,
  inclusionProof,
  merkleRoot,
  verifyConsistency,
  verifyInclusion,
} from '@earmark/audit';

/*
 * Known answers for the RFC 6962 / RFC 9162 hashing (SHA-256, 0x00 leaf and 0x01 node prefixes),
 * copied from github.com/transparency-dev/merkle: the leaves from testonly/constants.go
 * (LeafInputs), the roots per size from testonly/constants.go (RootHashes) and
 * proof/verify_test.go (roots), the leaf hashes from testonly/constants.go (NodeHashes level 0),
 * and the proofs from proof/verify_test.go (inclusionProofs, consistencyProofs).
 */
const hex = (text: string): Buffer => Buffer.from(text, 'hex');
const hexes = (buffers: readonly Buffer[]): string[] => buffers.map((b) => b.toString('hex'));

const leafInputs = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(hex);

const leafHashes = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
  '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
  '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
  'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
  '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
  'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
  '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
];

/** rootsBySize[n] = MTH of the first n leaves. */
const rootsBySize = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

/** verify_test.go's inclusionProofs, whose leaf numbers are 1-based: index = leaf − 1. */
const inclusionVectors: { leaf: number; size: number; proof: string[] }[] = [
  { leaf: 1, size: 1, proof: [] },
  {
    leaf: 1,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    leaf: 6,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { leaf: 3, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    leaf: 2,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

const consistencyVectors: { size1: number; size2: number; proof: string[] }[] = [
  { size1: 1, size2: 1, proof: [] },
  {
    size1: 1,
    size2: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    size1: 6,
    size2: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    size1: 2,
    size2: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    size1: 6,
    size2: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

const flipBit = (proof: readonly Buffer[], index: number, mask: number): Buffer[] =>
  proof.map((hash, i) => {
    if (i !== index) return hash;
    const copy = Buffer.from(hash);
    copy[0] ^= mask;
    return copy;
  });

describe('RFC 9162 Merkle tree hashing, against the transparency-dev/merkle vectors', () => {
  it('hashes each leaf input to its known leaf hash', () => {
    expect(hexes(leafInputs.map(hashLeaf))).toEqual(leafHashes);
  });

  it('hashes the empty tree to SHA-256 of nothing', () => {
    expect(emptyTreeHash().toString('hex')).toBe(rootsBySize[0]);
    expect(merkleRoot([]).toString('hex')).toBe(rootsBySize[0]);
  });

  it.each(rootsBySize.map((root, size) => [size, root] as const))('computes the root of the first %i leaves', (size, root) => {
    expect(merkleRoot(leafInputs.slice(0, size)).toString('hex')).toBe(root);
  });

  const inclusionCases = inclusionVectors.map((v) => [v.leaf - 1, v.size, v] as const);
  describe.each(inclusionCases)('inclusion of leaf %i in a tree of %i', (index, size, vector) => {
    const leaves = leafInputs.slice(0, size);
    const root = hex(rootsBySize[size]);
    const leafHash = hex(leafHashes[index]);
    const proof = vector.proof.map(hex);

    it('builds exactly the known proof', () => {
      expect(hexes(inclusionProof(leaves, index))).toEqual(vector.proof);
    });

    it('verifies the known proof', () => {
      expect(verifyInclusion(leafHash, index, size, proof, root)).toBe(true);
    });

    it('rejects the proof for a neighbouring leaf, another size, another leaf or another root', () => {
      expect(verifyInclusion(leafHash, index + 1, size, proof, root)).toBe(false);
      if (index > 0) expect(verifyInclusion(leafHash, index - 1, size, proof, root)).toBe(false);
      expect(verifyInclusion(leafHash, index, size * 2, proof, root)).toBe(false);
      expect(verifyInclusion(hashLeaf(Buffer.from('WrongLeaf')), index, size, proof, root)).toBe(false);
      expect(verifyInclusion(leafHash, index, size, proof, hex(rootsBySize[0]))).toBe(false);
    });

    it('rejects a tampered proof: a flipped bit, a component added or removed', () => {
      for (let i = 0; i < proof.length; i += 1) {
        expect(verifyInclusion(leafHash, index, size, flipBit(proof, i, 0x08), root)).toBe(false);
      }
      expect(verifyInclusion(leafHash, index, size, [...proof, root], root)).toBe(false);
      expect(verifyInclusion(leafHash, index, size, [root, ...proof], root)).toBe(false);
      if (proof.length > 0) expect(verifyInclusion(leafHash, index, size, proof.slice(0, -1), root)).toBe(false);
    });
  });

  const consistencyCases = consistencyVectors.map((v) => [v.size1, v.size2, v] as const);
  describe.each(consistencyCases)('consistency from %i to %i', (size1, size2, vector) => {
    const root1 = hex(rootsBySize[size1]);
    const root2 = hex(rootsBySize[size2]);
    const proof = vector.proof.map(hex);

    it('builds exactly the known proof', () => {
      expect(hexes(consistencyProof(leafInputs.slice(0, size2), size1))).toEqual(vector.proof);
    });

    it('verifies the known proof', () => {
      expect(verifyConsistency(size1, size2, root1, root2, proof)).toBe(true);
    });

    if (vector.proof.length > 0) {
      it('rejects a tampered proof: a flipped bit, a truncation, garbage before or after', () => {
        for (let i = 0; i < proof.length; i += 1) {
          expect(verifyConsistency(size1, size2, root1, root2, flipBit(proof, i, 0x10))).toBe(false);
        }
        expect(verifyConsistency(size1, size2, root1, root2, proof.slice(0, -1))).toBe(false);
        expect(verifyConsistency(size1, size2, root1, root2, [...proof, root1])).toBe(false);
        expect(verifyConsistency(size1, size2, root1, root2, [root2, ...proof])).toBe(false);
        expect(verifyConsistency(size1, size2, root1, root2, [])).toBe(false);
      });

      it('rejects other sizes and swapped roots', () => {
        expect(verifyConsistency(size1 - 1, size2, root1, root2, proof)).toBe(false);
        expect(verifyConsistency(size1 + 1, size2, root1, root2, proof)).toBe(false);
        expect(verifyConsistency(size1, size2 * 2, root1, root2, proof)).toBe(false);
        expect(verifyConsistency(size1, size2, root2, root1, proof)).toBe(false);
      });
    }
  });

  it('decides the edge cases as the reference does', () => {
    const empty = hex(rootsBySize[0]);
    const one = hex(rootsBySize[1]);
    const two = hex(rootsBySize[2]);
    expect(verifyConsistency(0, 0, empty, empty, [])).toBe(true);
    expect(verifyConsistency(0, 1, empty, one, [])).toBe(true);
    expect(verifyConsistency(1, 1, one, one, [])).toBe(true);
    expect(verifyConsistency(1, 1, one, two, [])).toBe(false);
    expect(verifyConsistency(0, 1, empty, one, [empty])).toBe(false);
    expect(verifyConsistency(1, 1, one, one, [empty])).toBe(false);
    expect(verifyConsistency(2, 1, two, one, [])).toBe(false);
    expect(verifyConsistency(1, 2, one, two, [])).toBe(false);
    expect(verifyInclusion(one, 0, 0, [], empty)).toBe(false);
    expect(verifyInclusion(one, 1, 1, [], one)).toBe(false);
    expect(verifyInclusion(Buffer.alloc(0), 0, 1, [], one)).toBe(false);
  });
});
