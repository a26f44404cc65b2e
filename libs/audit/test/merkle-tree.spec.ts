import { createHash } from 'node:crypto';
import {
  hashChildren,
  hashLeaf,
  MerkleRootBuilder,
  MerkleTree,
  merkleRoot,
  verifyConsistency,
  verifyInclusion,
} from '@earmark/audit';

/**
 * MerkleTree answers for past sizes from stored subtree hashes; these tests hold it to the RFC
 * 9162 definitions written out naively (recursive MTH, PATH and SUBPROOF over the leaves).
 */
const leafOf = (i: number): Buffer => createHash('sha256').update(`event ${i}`).digest();
const leaves = Array.from({ length: 45 }, (_, i) => leafOf(i));

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function referenceRoot(d: readonly Buffer[]): Buffer {
  if (d.length === 0) return createHash('sha256').digest();
  if (d.length === 1) return hashLeaf(d[0]);
  const k = largestPowerOfTwoBelow(d.length);
  return hashChildren(referenceRoot(d.slice(0, k)), referenceRoot(d.slice(k)));
}

function referencePath(m: number, d: readonly Buffer[]): Buffer[] {
  if (d.length === 1) return [];
  const k = largestPowerOfTwoBelow(d.length);
  return m < k
    ? [...referencePath(m, d.slice(0, k)), referenceRoot(d.slice(k))]
    : [...referencePath(m - k, d.slice(k)), referenceRoot(d.slice(0, k))];
}

function referenceSubproof(m: number, d: readonly Buffer[], complete: boolean): Buffer[] {
  if (m === d.length) return complete ? [] : [referenceRoot(d)];
  const k = largestPowerOfTwoBelow(d.length);
  return m <= k
    ? [...referenceSubproof(m, d.slice(0, k), complete), referenceRoot(d.slice(k))]
    : [...referenceSubproof(m - k, d.slice(k), false), referenceRoot(d.slice(0, k))];
}

const hexes = (buffers: readonly Buffer[]): string[] => buffers.map((b) => b.toString('hex'));

describe('MerkleTree', () => {
  const tree = MerkleTree.fromLeaves(leaves);

  it('gives the root of every past size, equal to the naive MTH and to the streaming root', () => {
    for (let size = 0; size <= leaves.length; size += 1) {
      const expected = referenceRoot(leaves.slice(0, size)).toString('hex');
      expect(tree.root(size).toString('hex')).toBe(expected);
      expect(merkleRoot(leaves.slice(0, size)).toString('hex')).toBe(expected);
    }
  });

  it('gives for every size and leaf the RFC 9162 PATH, which verifies', () => {
    for (let size = 1; size <= leaves.length; size += 1) {
      const root = tree.root(size);
      for (let index = 0; index < size; index += 1) {
        const proof = tree.inclusionProof(index, size);
        expect(hexes(proof)).toEqual(hexes(referencePath(index, leaves.slice(0, size))));
        expect(verifyInclusion(hashLeaf(leaves[index]), index, size, proof, root)).toBe(true);
      }
    }
  });

  it('gives for every pair of sizes the RFC 9162 PROOF, which verifies', () => {
    for (let size = 1; size <= leaves.length; size += 1) {
      const root = tree.root(size);
      for (let oldSize = 1; oldSize <= size; oldSize += 1) {
        const proof = tree.consistencyProof(oldSize, size);
        const expected = oldSize === size ? [] : referenceSubproof(oldSize, leaves.slice(0, size), true);
        expect(hexes(proof)).toEqual(hexes(expected));
        expect(verifyConsistency(oldSize, size, tree.root(oldSize), root, proof)).toBe(true);
      }
    }
  });

  it('does not prove a root of other leaves consistent', () => {
    const forged = MerkleTree.fromLeaves([...leaves.slice(0, 9), leafOf(999), ...leaves.slice(10, 20)]);
    const proof = forged.consistencyProof(13, 20);
    expect(verifyConsistency(13, 20, tree.root(13), forged.root(20), proof)).toBe(false);
    expect(verifyConsistency(13, 20, forged.root(13), tree.root(20), proof)).toBe(false);
  });

  it('hands out copies, so that a caller scribbling on a proof cannot change the tree', () => {
    const proof = tree.inclusionProof(5, 40);
    proof[0].fill(0);
    expect(tree.inclusionProof(5, 40)[0].equals(proof[0])).toBe(false);
    expect(verifyInclusion(hashLeaf(leaves[5]), 5, 40, tree.inclusionProof(5, 40), tree.root(40))).toBe(true);
  });

  it('refuses sizes and indices outside the tree', () => {
    expect(() => tree.root(46)).toThrow(RangeError);
    expect(() => tree.inclusionProof(45, 45)).toThrow(RangeError);
    expect(() => tree.inclusionProof(3, 3)).toThrow(RangeError);
    expect(() => tree.consistencyProof(8, 7)).toThrow(RangeError);
    expect(() => tree.appendLeafHash(Buffer.alloc(31))).toThrow(TypeError);
  });

  it('grows leaf by leaf to the same answers as one built at once', () => {
    const grown = new MerkleTree();
    const builder = new MerkleRootBuilder();
    for (const leaf of leaves) {
      grown.append(leaf);
      builder.append(leaf);
      expect(builder.root().equals(tree.root(grown.size))).toBe(true);
    }
    expect(grown.root().equals(tree.root())).toBe(true);
    expect(MerkleTree.fromLeafHashes(leaves.map(hashLeaf)).root().equals(tree.root())).toBe(true);
  });

  it('answers deep in a tree of 2^15 + 3 leaves', () => {
    const count = 2 ** 15 + 3;
    const big = new MerkleTree();
    const builder = new MerkleRootBuilder();
    for (let i = 0; i < count; i += 1) {
      const leaf = leafOf(i);
      big.append(leaf);
      builder.append(leaf);
    }
    expect(big.root().equals(builder.root())).toBe(true);
    const index = 2 ** 14 + 1_234;
    expect(verifyInclusion(hashLeaf(leafOf(index)), index, count, big.inclusionProof(index), big.root())).toBe(true);
    expect(verifyConsistency(20_001, count, big.root(20_001), big.root(), big.consistencyProof(20_001))).toBe(true);
  });
});
