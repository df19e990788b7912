import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { inclusionProof, leafHash, MerkleFrontier, nodeHash, rootOf, treeLevels, verifyInclusion } from './merkle';

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
});
