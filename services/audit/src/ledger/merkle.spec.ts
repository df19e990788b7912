import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { InclusionProofs, inclusionProof, leafHash, MerkleFrontier, nodeHash, rootOf, treeLevels, verifyInclusion } from './merkle';

// A property runs a fixed number of cases, CPU-bound: its budget is that number, not the unit
// tier's 10 s of wall time, which a loaded machine can exceed without anything being wrong.
jest.setTimeout(120_000);

const entryHashes = (n: number) => Array.from({ length: n }, (_, i) => createHash('sha256').update(`entry ${i}`).digest('hex'));

/** RFC 6962 §2.1 MTH, written as the RFC writes it: the reference the fast versions must match. */
function referenceRoot(hashes: string[]): Buffer {
  if (hashes.length === 1) return leafHash(hashes[0]);
  let k = 1;
  while (k * 2 < hashes.length) k *= 2;
  return nodeHash(referenceRoot(hashes.slice(0, k)), referenceRoot(hashes.slice(k)));
}

describe('Merkle tree (RFC 6962)', () => {
  it('has the RFC 6962 root for every size, from the frontier and from the levels', () => {
    for (let n = 1; n <= 70; n++) {
      const hashes = entryHashes(n);
      const frontier = new MerkleFrontier();
      hashes.forEach((h) => frontier.append(h));
      expect(frontier.root()).toBe(referenceRoot(hashes).toString('hex'));
      expect(rootOf(treeLevels(hashes))).toBe(frontier.root());
    }
  });

  it('keeps one perfect subtree per 1-bit of the size, and survives a round trip through JSON', () => {
    const frontier = new MerkleFrontier();
    entryHashes(13).forEach((h) => frontier.append(h));
    expect(frontier.nodes).toHaveLength(3); // 13 = 8 + 4 + 1
    const again = MerkleFrontier.fromJson(frontier.toJson());
    again.append(entryHashes(14)[13]);
    expect(again.root()).toBe(referenceRoot(entryHashes(14)).toString('hex'));
  });

  it('proves every leaf of every tree size, and a proof fails for another entry, index or root', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(), (n, pick) => {
        const hashes = entryHashes(n);
        const levels = treeLevels(hashes);
        const root = rootOf(levels);
        const index = pick % n;
        const proof = inclusionProof(levels, index);
        expect(verifyInclusion(hashes[index], index, n, proof, root)).toBe(true);
        expect(verifyInclusion(entryHashes(n + 1)[n], index, n, proof, root)).toBe(false);
        if (n > 1) expect(verifyInclusion(hashes[index], (index + 1) % n, n, proof, root)).toBe(false);
        expect(verifyInclusion(hashes[index], index, n, proof, referenceRoot(entryHashes(n + 1)).toString('hex'))).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('gives, from the hashes read once in order, the same root and proofs as the whole tree', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 600 }), fc.array(fc.nat(), { minLength: 0, maxLength: 8 }), (n, picks) => {
        const hashes = entryHashes(n);
        const levels = treeLevels(hashes);
        const indices = picks.map((p) => p % n);
        const tree = new InclusionProofs(n, indices);
        hashes.forEach((h) => tree.append(h));
        const { root, proofs } = tree.finish();
        expect(root).toBe(rootOf(levels));
        expect(proofs.size).toBe(new Set(indices).size);
        for (const index of indices) {
          expect(proofs.get(index)).toEqual(inclusionProof(levels, index));
          expect(verifyInclusion(hashes[index], index, n, proofs.get(index)!, root)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('proves the first and last leaves of trees at and around powers of two', () => {
    for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 65]) {
      const hashes = entryHashes(n);
      const levels = treeLevels(hashes);
      const tree = new InclusionProofs(n, [0, n - 1, Math.floor(n / 2)]);
      hashes.forEach((h) => tree.append(h));
      const { root, proofs } = tree.finish();
      expect(root).toBe(rootOf(levels));
      for (const index of [0, n - 1, Math.floor(n / 2)]) expect(proofs.get(index)).toEqual(inclusionProof(levels, index));
    }
  });

  it('refuses a leaf outside the tree, a leaf too many, and a finish before the last leaf', () => {
    expect(() => new InclusionProofs(4, [4])).toThrow(RangeError);
    expect(() => new InclusionProofs(4, [-1])).toThrow(RangeError);
    const short = new InclusionProofs(3, [1]);
    entryHashes(2).forEach((h) => short.append(h));
    expect(() => short.finish()).toThrow('2 leaves of 3 read');
    const full = new InclusionProofs(1, [0]);
    full.append(entryHashes(1)[0]);
    expect(() => full.append(entryHashes(2)[1])).toThrow(RangeError);
  });
});
