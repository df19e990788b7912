import { createHash } from 'node:crypto';
import { merkleLeafHashOfHex, merkleNodeHash, merkleRootFromPath } from '@custody/security';

/**
 * A Merkle tree over the ledger's entry hashes, as RFC 6962 / RFC 9162 (Certificate
 * Transparency) define it (the hashing and the proof check are the security library's): leaf =
 * SHA-256(0x00 ‖ entry hash), node = SHA-256(0x01 ‖ left ‖ right), the left subtree of n leaves
 * holding the largest power of two below n. An inclusion proof shows that one entry is in the
 * tree a signed checkpoint names, without the other entries.
 */

/** The leaf hash of an entry hash (hex). */
export function leafHash(entryHashHex: string): Buffer {
  return merkleLeafHashOfHex(entryHashHex);
}

/** The hash of an inner node. */
export const nodeHash = merkleNodeHash;

const EMPTY_ROOT = createHash('sha256').digest();

/**
 * The right edge of the tree: the roots of its perfect subtrees, largest first. Appending a leaf
 * costs one hash on average and the root of any size is O(log n) away: the chainer keeps one.
 */
export class MerkleFrontier {
  constructor(
    public size = 0,
    /** Roots of the perfect subtrees of the binary decomposition of `size`, largest first. */
    readonly nodes: Buffer[] = [],
  ) {}

  static fromJson(json: { size: number; nodes: string[] }): MerkleFrontier {
    return new MerkleFrontier(json.size, json.nodes.map((n) => Buffer.from(n, 'hex')));
  }

  toJson(): { size: number; nodes: string[] } {
    return { size: this.size, nodes: this.nodes.map((n) => n.toString('hex')) };
  }

  append(entryHashHex: string): void {
    let node = leafHash(entryHashHex);
    // Each trailing 1-bit of the old size is a perfect subtree that the new leaf completes.
    for (let size = this.size; size & 1; size >>= 1) node = nodeHash(this.nodes.pop()!, node);
    this.nodes.push(node);
    this.size++;
  }

  /** The root (hex) of the tree of `size` leaves; SHA-256 of nothing when empty. */
  root(): string {
    if (this.nodes.length === 0) return EMPTY_ROOT.toString('hex');
    let root = this.nodes[this.nodes.length - 1];
    for (let i = this.nodes.length - 2; i >= 0; i--) root = nodeHash(this.nodes[i], root);
    return root.toString('hex');
  }
}

/**
 * Every level of the tree of the given entry hashes, leaves first; an odd node at the end of a
 * level is carried up unchanged, which gives the RFC 6962 shape. Used to answer many proofs
 * against one tree size (an export).
 */
export function treeLevels(entryHashes: string[]): Buffer[][] {
  const levels: Buffer[][] = [entryHashes.map(leafHash)];
  while (levels[levels.length - 1].length > 1) {
    const below = levels[levels.length - 1];
    const level: Buffer[] = [];
    for (let i = 0; i + 1 < below.length; i += 2) level.push(nodeHash(below[i], below[i + 1]));
    if (below.length % 2 === 1) level.push(below[below.length - 1]);
    levels.push(level);
  }
  return levels;
}

/** The root (hex) of a tree given by its levels. */
export function rootOf(levels: Buffer[][]): string {
  const top = levels[levels.length - 1];
  return top.length === 0 ? EMPTY_ROOT.toString('hex') : top[0].toString('hex');
}

/** The inclusion proof (audit path, RFC 9162 §2.1.3.1) of the leaf at `index`: sibling hashes, bottom up. */
export function inclusionProof(levels: Buffer[][], index: number): string[] {
  const proof: string[] = [];
  let i = index;
  for (let level = 0; level < levels.length - 1; level++) {
    const sibling = i ^ 1;
    if (sibling < levels[level].length) proof.push(levels[level][sibling].toString('hex'));
    i >>= 1;
  }
  return proof;
}

/**
 * Verifies an inclusion proof (RFC 9162 §2.1.3.2): true when the entry hash is the leaf at
 * `index` of the tree of `size` leaves whose root is `root`.
 */
export function verifyInclusion(entryHashHex: string, index: number, size: number, proof: string[], root: string): boolean {
  const folded = merkleRootFromPath(leafHash(entryHashHex), index, size, proof.map((p) => Buffer.from(p, 'hex')));
  return folded !== undefined && folded.toString('hex') === root;
}
