import { sha256 } from '@earmark/event-store';

/**
 * The Merkle tree of RFC 9162 (Certificate Transparency 2.0) §2.1, with SHA-256. Its leaves are the
 * 32 bytes of each event's chain hash, in global position order (docs/hash-chain.md), so that a
 * signed root commits to the whole log and any two roots can be proved consistent.
 *
 * Tree sizes and indices are plain numbers: the arithmetic below stays exact up to 2^53 leaves,
 * because it never uses JavaScript's 32-bit bitwise operators.
 */
export const merkleHashBytes = 32;

/** Reused for the input of each leaf and node hash: hashing consumes it at once, so no call sees another's. */
const leafInput = Buffer.alloc(1 + merkleHashBytes);
const nodeInput = Buffer.alloc(1 + 2 * merkleHashBytes);

/** RFC 9162 §2.1.1: the hash of a leaf, SHA-256(0x00 ‖ leaf). */
export function hashLeaf(leaf: Uint8Array): Buffer {
  const input = Buffer.allocUnsafe(1 + leaf.length);
  input[0] = 0x00;
  input.set(leaf, 1);
  return sha256(input);
}

/** RFC 9162 §2.1.1: the hash of an interior node, SHA-256(0x01 ‖ left ‖ right). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length === merkleHashBytes && right.length === merkleHashBytes) {
    nodeInput[0] = 0x01;
    nodeInput.set(left, 1);
    nodeInput.set(right, 1 + merkleHashBytes);
    return sha256(nodeInput);
  }
  const input = Buffer.allocUnsafe(1 + left.length + right.length);
  input[0] = 0x01;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return sha256(input);
}

/** RFC 9162 §2.1.1: MTH({}) = SHA-256() of no bytes. */
export function emptyTreeHash(): Buffer {
  return sha256(Buffer.alloc(0));
}

/** The root of the tree over `leaves` (leaf data, not leaf hashes), in O(log n) extra memory. */
export function merkleRoot(leaves: readonly Uint8Array[]): Buffer {
  const builder = new MerkleRootBuilder();
  for (const leaf of leaves) builder.append(leaf);
  return builder.root();
}

/** PATH(index, D[n]) of RFC 9162 §2.1.3.1 over the tree of all `leaves`. */
export function inclusionProof(leaves: readonly Uint8Array[], index: number): Buffer[] {
  return MerkleTree.fromLeaves(leaves).inclusionProof(index);
}

/** PROOF(m, D[n]) of RFC 9162 §2.1.4.1: from the tree of the first m leaves to the tree of all. */
export function consistencyProof(leaves: readonly Uint8Array[], m: number): Buffer[] {
  return MerkleTree.fromLeaves(leaves).consistencyProof(m);
}

/**
 * RFC 9162 §2.1.3.2. False for anything malformed (sizes, hash lengths, proof length), never a
 * throw: a verifier is handed untrusted proofs.
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isCount(index) || !isCount(treeSize) || index >= treeSize) return false;
  if (!isHash(leafHash) || !isHash(root) || !proof.every(isHash)) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r: Uint8Array = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = hashChildren(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && Buffer.from(r).equals(root);
}

/**
 * RFC 9162 §2.1.4.2, with the edge cases the RFC leaves to the caller decided as the
 * transparency-dev reference does: equal sizes need an empty proof and equal roots; an empty old
 * tree is consistent with anything, given an empty proof; a tree never shrinks.
 */
export function verifyConsistency(
  m: number,
  n: number,
  rootM: Uint8Array,
  rootN: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!isCount(m) || !isCount(n) || m > n) return false;
  if (!isHash(rootM) || !isHash(rootN) || !proof.every(isHash)) return false;
  if (m === n) return proof.length === 0 && Buffer.from(rootM).equals(rootN);
  if (m === 0) return proof.length === 0;
  if (proof.length === 0) return false;

  const path = isPowerOfTwo(m) ? [rootM, ...proof] : [...proof];
  let fn = m - 1;
  let sn = n - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Uint8Array = path[0];
  let sr: Uint8Array = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && Buffer.from(fr).equals(rootM) && Buffer.from(sr).equals(rootN);
}

/**
 * Computes a root while the leaves stream past: it keeps only the roots of the perfect subtrees
 * the leaves so far fill (one per set bit of the size), so a million leaves need 20 hashes.
 */
export class MerkleRootBuilder {
  /** Leftmost (largest) first. */
  private readonly peaks: Buffer[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  append(leaf: Uint8Array): void {
    this.appendLeafHash(hashLeaf(leaf));
  }

  /**
   * A leaf given as the 64 hex digits of an event's hash, which the caller has checked: the
   * verifier's chain check has just recomputed it. Saves decoding it into a Buffer of its own.
   */
  appendHexLeaf(hexLeaf: string): void {
    if (hexLeaf.length !== 2 * merkleHashBytes) throw new TypeError(`a leaf is ${merkleHashBytes} bytes`);
    leafInput[0] = 0x00;
    if (leafInput.write(hexLeaf, 1, 'hex') !== merkleHashBytes) throw new TypeError(`a leaf is ${merkleHashBytes} bytes`);
    this.push(sha256(leafInput));
  }

  appendLeafHash(leafHash: Uint8Array): void {
    assertHash(leafHash, 'leaf hash');
    this.push(Buffer.from(leafHash));
  }

  /** `hash` is the builder's own from here on. */
  private push(leafHash: Buffer): void {
    let hash = leafHash;
    for (let filled = this.count; isOdd(filled); filled = half(filled)) {
      hash = hashChildren(this.peaks.pop() as Buffer, hash);
    }
    this.peaks.push(hash);
    this.count += 1;
  }

  root(): Buffer {
    if (this.peaks.length === 0) return emptyTreeHash();
    let hash = this.peaks[this.peaks.length - 1];
    for (let i = this.peaks.length - 2; i >= 0; i -= 1) hash = hashChildren(this.peaks[i], hash);
    return Buffer.from(hash);
  }
}

/**
 * A tree that answers for any past size ≤ its own: root(size), inclusion and consistency proofs.
 * It keeps, per level, the hash of every complete aligned subtree (about 2n hashes, 64 MB for a
 * million leaves), so that each answer costs O(log n) hashing instead of rehashing the log.
 */
export class MerkleTree {
  /** levels[l][i] = MTH of leaves [i·2^l, (i+1)·2^l). */
  private readonly levels: HashColumn[] = [new HashColumn()];

  static fromLeaves(leaves: readonly Uint8Array[]): MerkleTree {
    const tree = new MerkleTree();
    for (const leaf of leaves) tree.append(leaf);
    return tree;
  }

  static fromLeafHashes(leafHashes: readonly Uint8Array[]): MerkleTree {
    const tree = new MerkleTree();
    for (const leafHash of leafHashes) tree.appendLeafHash(leafHash);
    return tree;
  }

  get size(): number {
    return this.levels[0].length;
  }

  append(leaf: Uint8Array): void {
    this.appendLeafHash(hashLeaf(leaf));
  }

  appendLeafHash(leafHash: Uint8Array): void {
    assertHash(leafHash, 'leaf hash');
    let index = this.levels[0].length;
    this.levels[0].push(leafHash);
    for (let level = 0; isOdd(index); level += 1) {
      const column = this.levels[level];
      const parent = hashChildren(column.at(index - 1), column.at(index));
      if (this.levels.length === level + 1) this.levels.push(new HashColumn());
      this.levels[level + 1].push(parent);
      index = half(index);
    }
  }

  leafHash(index: number): Buffer {
    if (!isCount(index) || index >= this.size) throw new RangeError(`leaf ${index} is outside a tree of ${this.size}`);
    return Buffer.from(this.levels[0].at(index));
  }

  root(size: number = this.size): Buffer {
    this.assertSize(size);
    return size === 0 ? emptyTreeHash() : Buffer.from(this.subtreeHash(0, size));
  }

  inclusionProof(index: number, size: number = this.size): Buffer[] {
    this.assertSize(size);
    if (!isCount(index) || index >= size) throw new RangeError(`leaf ${index} is outside a tree of ${size}`);
    const proof: Buffer[] = [];
    this.path(index, 0, size, proof);
    return proof.map((hash) => Buffer.from(hash));
  }

  consistencyProof(oldSize: number, size: number = this.size): Buffer[] {
    this.assertSize(size);
    if (!isCount(oldSize) || oldSize > size) throw new RangeError(`a tree of ${size} cannot extend one of ${oldSize}`);
    if (oldSize === 0 || oldSize === size) return [];
    const proof: Buffer[] = [];
    this.subproof(oldSize, 0, size, true, proof);
    return proof.map((hash) => Buffer.from(hash));
  }

  /** PATH(m, D[start:start+n]) of RFC 9162 §2.1.3.1, appended to `out` innermost first. */
  private path(m: number, start: number, n: number, out: Buffer[]): void {
    if (n === 1) return;
    const k = largestPowerOfTwoBelow(n);
    if (m < k) {
      this.path(m, start, k, out);
      out.push(this.subtreeHash(start + k, n - k));
    } else {
      this.path(m - k, start + k, n - k, out);
      out.push(this.subtreeHash(start, k));
    }
  }

  /** SUBPROOF(m, D[start:start+n], b) of RFC 9162 §2.1.4.1. */
  private subproof(m: number, start: number, n: number, complete: boolean, out: Buffer[]): void {
    if (m === n) {
      if (!complete) out.push(this.subtreeHash(start, n));
      return;
    }
    const k = largestPowerOfTwoBelow(n);
    if (m <= k) {
      this.subproof(m, start, k, complete, out);
      out.push(this.subtreeHash(start + k, n - k));
    } else {
      this.subproof(m - k, start + k, n - k, false, out);
      out.push(this.subtreeHash(start, k));
    }
  }

  /**
   * MTH(D[start:start+count]). The RFC's recursion only ever asks for ranges whose start is a
   * multiple of the smallest power of two ≥ count, so every perfect part is a stored node.
   */
  private subtreeHash(start: number, count: number): Buffer {
    if (isPowerOfTwo(count)) {
      if (start % count !== 0) throw new Error(`subtree [${start}, ${start + count}) is not aligned`);
      return this.levels[log2(count)].at(start / count);
    }
    const k = largestPowerOfTwoBelow(count);
    return hashChildren(this.subtreeHash(start, k), this.subtreeHash(start + k, count - k));
  }

  private assertSize(size: number): void {
    if (!isCount(size) || size > this.size) throw new RangeError(`size ${size} is outside a tree of ${this.size}`);
  }
}

/** A growable array of 32-byte hashes in one buffer: a million separate Buffers would cost far more. */
class HashColumn {
  private bytes = Buffer.alloc(merkleHashBytes * 64);
  length = 0;

  push(hash: Uint8Array): void {
    if ((this.length + 1) * merkleHashBytes > this.bytes.length) {
      const grown = Buffer.alloc(this.bytes.length * 2);
      this.bytes.copy(grown, 0, 0, this.length * merkleHashBytes);
      this.bytes = grown;
    }
    this.bytes.set(hash, this.length * merkleHashBytes);
    this.length += 1;
  }

  /** A view, not a copy: callers outside this file only ever get copies. */
  at(index: number): Buffer {
    return this.bytes.subarray(index * merkleHashBytes, (index + 1) * merkleHashBytes);
  }
}

function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

function isHash(value: Uint8Array): boolean {
  return value instanceof Uint8Array && value.length === merkleHashBytes;
}

function assertHash(value: Uint8Array, what: string): void {
  if (!isHash(value)) throw new TypeError(`a ${what} is ${merkleHashBytes} bytes`);
}

function isOdd(value: number): boolean {
  return value % 2 === 1;
}

function half(value: number): number {
  return Math.floor(value / 2);
}

function isPowerOfTwo(value: number): boolean {
  if (value < 1) return false;
  let power = 1;
  while (power < value) power *= 2;
  return power === value;
}

/** The k of RFC 9162 §2.1.1: the largest power of two smaller than n (n ≥ 2). */
function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function log2(powerOfTwo: number): number {
  let level = 0;
  for (let power = 1; power < powerOfTwo; power *= 2) level += 1;
  return level;
}
