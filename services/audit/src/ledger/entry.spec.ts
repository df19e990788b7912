import { createHash } from 'node:crypto';
import { chain, entryHash, entryHashInput, inmateOf, toUnchainedEntry, type LedgerEvent } from './entry';

const event = (id: string, subject: string, data: Record<string, unknown>): LedgerEvent => ({
  id, type: 'CustodyDispatched', schemaVersion: 1, subject, occurredAt: '2026-03-01T09:00:00Z', recordedAt: '2026-03-01T09:00:01Z', data,
});

describe('ledger entries', () => {
  it('keeps the event as canonical JSON and finds the person it is about', () => {
    const entry = toUnchainedEntry(event('e1', 'inmate/p1', { transferId: 't', inmateId: 'p1' }));
    expect(entry.body.startsWith('{"data":{"inmateId":"p1","transferId":"t"},"id":"e1"')).toBe(true);
    expect(entry.inmateId).toBe('p1');
    expect(inmateOf('facility/f1', { facilityId: 'f1', inmateId: 'p2' })).toBe('p2');
    expect(inmateOf('facility/f1', { facilityId: 'f1' })).toBeNull();
  });

  it('hashes a documented line layout that any SHA-256 tool can recompute', () => {
    const linked = { position: 3, prevHash: 'aa', subjectPrevHash: null, subject: 'inmate/p1', inmateId: 'p1', body: '{}' };
    expect(entryHashInput(linked)).toBe('custody-ledger-entry/1\n3\naa\n\ninmate/p1\np1\n{}');
    expect(entryHash(linked)).toBe(createHash('sha256').update('custody-ledger-entry/1\n3\naa\n\ninmate/p1\np1\n{}').digest('hex'));
    const signed = { ...linked, subjectPrevHash: 'bb', inmateId: null, signature: '{"kid":"k"}' };
    expect(entryHashInput(signed)).toBe('custody-ledger-entry/2\n3\naa\nbb\ninmate/p1\n\n{}\n{"kid":"k"}');
    expect(entryHash(signed)).toBe(createHash('sha256').update('custody-ledger-entry/2\n3\naa\nbb\ninmate/p1\n\n{}\n{"kid":"k"}').digest('hex'));
  });

  it('links each entry to the one before it, globally and per subject', () => {
    const heads = new Map<string, string>();
    const entries = [
      toUnchainedEntry(event('e1', 'inmate/p1', { inmateId: 'p1' })),
      toUnchainedEntry(event('e2', 'inmate/p2', { inmateId: 'p2' })),
      toUnchainedEntry(event('e3', 'inmate/p1', { inmateId: 'p1' })),
    ];
    const [a, b, c] = chain(entries, { size: 10, hash: 'head' }, heads);
    expect([a.position, b.position, c.position]).toEqual([10, 11, 12]);
    expect([a.prevHash, b.prevHash, c.prevHash]).toEqual(['head', a.hash, b.hash]);
    expect([a.subjectPrevHash, b.subjectPrevHash, c.subjectPrevHash]).toEqual([null, null, a.hash]);
    expect(heads.get('inmate/p1')).toBe(c.hash);
  });
});
