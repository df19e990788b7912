import { createHash } from 'node:crypto';
import { merkleLeafHashHex, merkleLeafHashOfHex, merkleNodeHash, merkleNodeHashHex, merkleRootFromPath } from '@custody/security';

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
 * The nodes are kept in hex, as the head stores them: a digest as a string costs a third of one
 * as a Buffer, and a full verify appends every entry of the ledger (docs/performance.md).
 */
export class MerkleFrontier {
  constructor(
    public size = 0,
    /** Roots (hex) of the perfect subtrees of the binary decomposition of `size`, largest first. */
    readonly nodes: string[] = [],
  ) {}

  static fromJson(json: { size: number; nodes: string[] }): MerkleFrontier {
    // Lower-case hex of the bytes, as the tree had them when it held Buffers.
    return new MerkleFrontier(json.size, json.nodes.map((n) => (/^[0-9a-f]{64}$/.test(n) ? n : Buffer.from(n, 'hex').toString('hex'))));
  }

  toJson(): { size: number; nodes: string[] } {
    return { size: this.size, nodes: [...this.nodes] };
  }

  append(entryHashHex: string): void {
    let node = merkleLeafHashHex(entryHashHex);
    // Each trailing 1-bit of the old size is a perfect subtree that the new leaf completes.
    for (let size = this.size; size & 1; size >>= 1) node = merkleNodeHashHex(this.nodes.pop()!, node);
    this.nodes.push(node);
    this.size++;
  }

  /** The root (hex) of the tree of `size` leaves; SHA-256 of nothing when empty. */
  root(): string {
    if (this.nodes.length === 0) return EMPTY_ROOT.toString('hex');
    let root = this.nodes[this.nodes.length - 1];
    for (let i = this.nodes.length - 2; i >= 0; i--) root = merkleNodeHashHex(this.nodes[i], root);
    return root;
  }
}

/**
 * Every level of the tree of the given entry hashes, leaves first; an odd node at the end of a
 * level is carried up unchanged, which gives the RFC 6962 shape. Holds the whole tree: the
 * reference of the tests; an export reads the ledger through InclusionProofs instead.
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

/**
 * The inclusion proofs of a few leaves of the tree of `size` leaves, from the entry hashes read once
 * in order: the same proofs as inclusionProof(treeLevels(hashes), index), with memory for the
 * proofs and a frontier of O(log size) nodes, not for the tree. An export proves a person's
 * entries against a checkpoint of the whole ledger (docs/auditor-view.md); holding every hash and
 * every level of a ledger of millions of entries took hundreds of megabytes for a few proofs.
 *
 * Each node of a proof is the root of the leaves [s, min(s + 2^h, size)) with s a multiple of 2^h:
 * a perfect subtree, taken when the frontier completes it; or, at the right edge of the tree,
 * the perfect subtrees the frontier holds from s on at the end, folded as MerkleFrontier.root().
 */
export class InclusionProofs {
  /** Where each wanted node goes, by its first leaf and height: the proof and the level in it. */
  private readonly wanted = new Map<string, Array<{ proof: (string | undefined)[]; level: number }>>();
  private readonly proofs = new Map<number, (string | undefined)[]>();
  /** Roots of perfect subtrees, largest first, each with its first leaf and height. */
  private readonly frontier: Array<{ node: Buffer; start: number; height: number }> = [];
  private appended = 0;

  constructor(
    readonly size: number,
    indices: Iterable<number>,
  ) {
    for (const index of indices) {
      if (!Number.isInteger(index) || index < 0 || index >= size) throw new RangeError(`leaf ${index} is not in a tree of ${size} leaves`);
      if (this.proofs.has(index)) continue;
      const proof: (string | undefined)[] = [];
      // The sibling of the leaf's ancestor at each height, while the tree has one there.
      for (let height = 0; size > 2 ** height; height++) {
        const ancestor = Math.floor(index / 2 ** height);
        const start = (ancestor % 2 === 0 ? ancestor + 1 : ancestor - 1) * 2 ** height;
        if (start >= size) continue;
        const slot = { proof, level: proof.length };
        proof.push(undefined);
        const key = `${start}/${height}`;
        this.wanted.set(key, [...(this.wanted.get(key) ?? []), slot]);
      }
      this.proofs.set(index, proof);
    }
  }

  /** The next entry hash (hex), in ledger order. */
  append(entryHashHex: string): void {
    if (this.appended >= this.size) throw new RangeError(`more than ${this.size} leaves`);
    let node = leafHash(entryHashHex);
    let start = this.appended;
    let height = 0;
    this.take(start, height, node);
    while (this.frontier.length > 0 && this.frontier[this.frontier.length - 1].height === height) {
      const left = this.frontier.pop()!;
      node = nodeHash(left.node, node);
      start = left.start;
      height++;
      this.take(start, height, node);
    }
    this.frontier.push({ node, start, height });
    this.appended++;
  }

  /** After the last leaf: the root (hex) and each wanted leaf's proof, bottom up. */
  finish(): { root: string; proofs: Map<number, string[]> } {
    if (this.appended !== this.size) throw new RangeError(`${this.appended} leaves of ${this.size} read`);
    // The nodes at the right edge: [start, size) folded from the frontier's subtrees that lie in it.
    for (const [key, slots] of this.wanted) {
      const [start, height] = key.split('/').map(Number);
      if (start + 2 ** height <= this.size) continue;
      const inside = this.frontier.filter((f) => f.start >= start);
      let root = inside[inside.length - 1].node;
      for (let i = inside.length - 2; i >= 0; i--) root = nodeHash(inside[i].node, root);
      for (const slot of slots) slot.proof[slot.level] = root.toString('hex');
    }
    let root = this.frontier.length === 0 ? EMPTY_ROOT : this.frontier[this.frontier.length - 1].node;
    for (let i = this.frontier.length - 2; i >= 0; i--) root = nodeHash(this.frontier[i].node, root);
    const proofs = new Map<number, string[]>();
    for (const [index, proof] of this.proofs) proofs.set(index, proof.map((p) => p!));
    return { root: root.toString('hex'), proofs };
  }

  /** A perfect subtree just completed: where a proof wants it, its root goes there. */
  private take(start: number, height: number, node: Buffer): void {
    const slots = this.wanted.get(`${start}/${height}`);
    if (!slots || start + 2 ** height > this.size) return;
    for (const slot of slots) slot.proof[slot.level] = node.toString('hex');
    this.wanted.delete(`${start}/${height}`);
  }
}
