import { generateKeyPairSync } from 'node:crypto';
import { signCheckpoint } from './checkpoint';
import { chain, toUnchainedEntry, type LedgerEntry } from './entry';
import { MerkleFrontier } from './merkle';
import { verifyLedger } from './verify';

function ledger(n: number): LedgerEntry[] {
  const entries = Array.from({ length: n }, (_, i) =>
    toUnchainedEntry({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, type: 'CellAssigned', schemaVersion: 1, subject: `inmate/p${i % 3}`,
      occurredAt: '2026-03-01T09:00:00Z', recordedAt: '2026-03-01T09:00:00Z', data: { inmateId: `p${i % 3}`, cell: `A-${i}` },
    }));
  return chain(entries, { size: 0, hash: null }, new Map());
}

const key = { keyId: 'k', ...generateKeyPairSync('ed25519') };
function checkpointOf(entries: LedgerEntry[]) {
  const frontier = new MerkleFrontier();
  entries.forEach((e) => frontier.append(e.hash));
  return signCheckpoint({ entryCount: entries.length, headHash: entries[entries.length - 1].hash, merkleRoot: frontier.root() }, key);
}

describe('verifying the ledger', () => {
  it('finds an intact ledger intact and matches its checkpoints', async () => {
    const entries = ledger(20);
    const report = await verifyLedger([entries], { checkpoints: [checkpointOf(entries.slice(0, 7)), checkpointOf(entries)] });
    expect(report).toMatchObject({ isIntact: true, checked: 20, size: 20, headHash: entries[19].hash, checkpointsMatched: 2 });
  });

  it('reports a changed byte at the entry that holds it', async () => {
    const entries = ledger(10);
    entries[6] = { ...entries[6], body: entries[6].body.replace('A-6', 'A-7') };
    expect((await verifyLedger([entries])).break).toMatchObject({ position: 6, eventId: entries[6].eventId, kind: 'hash-mismatch' });
  });

  it('reports a deleted entry at its position', async () => {
    const entries = ledger(10);
    const next = entries[5].eventId;
    entries.splice(4, 1);
    expect((await verifyLedger([entries])).break).toMatchObject({ position: 4, eventId: next, kind: 'missing-entry' });
  });

  it('reports two swapped entries at the first of them', async () => {
    const entries = ledger(10);
    const [a, b] = [entries[2], entries[8]];
    entries[2] = { ...b, position: 2 };
    entries[8] = { ...a, position: 8 };
    expect((await verifyLedger([entries])).break).toMatchObject({ position: 2, eventId: b.eventId, kind: 'hash-mismatch' });
  });

  it('reports a rewritten chain (every hash recomputed) against the signed checkpoint', async () => {
    const original = ledger(10);
    const checkpoint = checkpointOf(original);
    const forged = chain(original.map((e, i) => (i === 3 ? { ...e, body: e.body.replace('A-3', 'A-9') } : e)), { size: 0, hash: null }, new Map());
    expect((await verifyLedger([forged])).isIntact).toBe(true);
    expect((await verifyLedger([forged], { checkpoints: [checkpoint] })).break).toMatchObject({ position: 9, kind: 'checkpoint-mismatch' });
  });

  it('reports a truncated tail against the size the head claims', async () => {
    const entries = ledger(10);
    expect((await verifyLedger([entries.slice(0, 8)], { expectedSize: 10 })).break).toMatchObject({ position: 8, kind: 'missing-entry' });
  });

  it('verifies from a position, trusting the hash before it', async () => {
    const entries = ledger(10);
    const report = await verifyLedger([entries.slice(5)], { fromPosition: 5, previousHash: entries[4].hash });
    expect(report).toMatchObject({ isIntact: true, checked: 5, size: 10 });
    const tampered = entries.slice(5).map((e, i) => (i === 2 ? { ...e, subjectPrevHash: 'f'.repeat(64) } : e));
    expect((await verifyLedger([tampered], { fromPosition: 5, previousHash: entries[4].hash })).break).toMatchObject({ position: 7 });
  });
});
