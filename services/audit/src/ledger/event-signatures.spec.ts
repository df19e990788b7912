import { TOPICS } from '@custody/contracts';
import { EventSignatureVerifier } from '@custody/security';
import { belgiumToAlbania } from '../testing/history';
import { messageOf, serviceKey, unchainedEntries, unchainedOf } from '../testing/signed-events';
import { chain, entryHashInput, type LedgerEntry, type LedgerEvent } from './entry';
import { checkEntrySignature, exportedPublisherKeys, SignatureTally } from './event-signatures';
import { verifyLedger } from './verify';

const intake = serviceKey('intake');
const transfer = serviceKey('transfer');
const custody = serviceKey('custody');
const publishers = [intake, transfer, custody].map(({ service, kid, key }) => ({ service, kid, key }));
const signers = { intake: intake.signer, transfer: transfer.signer, custody: custody.signer };

/** The entries the ledger's consumer writes for the events, chained: each topic's events signed as one batch by its publisher (unsigned when `signed` is false). */
const ledgerOf = (events: LedgerEvent[], signed = true): LedgerEntry[] => chain(unchainedEntries(events, signed ? signers : undefined), { size: 0, hash: null }, new Map());

describe('event signatures in the ledger (docs/adr/0013-signed-events.md)', () => {
  const verifier = () => new EventSignatureVerifier(publishers);

  it('keeps, for a signed event, its signature, batch path, key id, topic and the message as signed; an entry that holds it hashes as version 2', () => {
    // Intake's one event is a batch of one; the transfer service's four, one batch with paths of two hashes.
    const [registered, requested] = ledgerOf(belgiumToAlbania().events);
    expect(JSON.parse(registered.signature!)).toMatchObject({ kid: intake.kid, topic: TOPICS.intakeEvents, path: '0.1' });
    const record = JSON.parse(requested.signature!);
    expect(record).toMatchObject({ kid: transfer.kid, topic: TOPICS.transferEvents, path: expect.stringMatching(/^0\.4(\.[A-Za-z0-9_-]{43}){2}$/), key: requested.inmateId });
    expect(record.headers).toMatchObject({ ce_type: 'TransferRequested', 'content-type': 'application/json' });
    expect(record.headers).not.toHaveProperty('ce_eventsignature');
    expect(record.headers).not.toHaveProperty('ce_eventsignaturepath');
    expect(entryHashInput(requested).split('\n')).toEqual(['custody-ledger-entry/2', '1', registered.hash, registered.hash, requested.subject, requested.inmateId, requested.body, requested.signature]);
    const [unsigned] = ledgerOf(belgiumToAlbania().events, false);
    expect(unsigned.signature).toBeNull();
    expect(entryHashInput(unsigned).startsWith('custody-ledger-entry/1\n')).toBe(true);
  });

  it('finds every stored signature valid with the publishers\' keys, naming who signed', () => {
    const entries = ledgerOf(belgiumToAlbania().events);
    const signerOf: Record<string, ReturnType<typeof serviceKey>> = { [TOPICS.intakeEvents]: intake, [TOPICS.transferEvents]: transfer, [TOPICS.facilityEvents]: custody };
    const expected = entries.map((e) => signerOf[JSON.parse(e.signature!).topic]).map((k) => ({ status: 'valid', service: k.service, kid: k.kid }));
    expect(entries.map((e) => checkEntrySignature(e, verifier()))).toEqual(expected);
    expect(new Set(expected.map((e) => e.service))).toEqual(new Set(['intake', 'transfer', 'custody']));
  });

  it('reports a missing signature, an altered one, one by a key not configured, and one by another service than the topic\'s', () => {
    const [entry] = ledgerOf(belgiumToAlbania().events);
    expect(checkEntrySignature({ ...entry, signature: null }, verifier())).toEqual({ status: 'missing' });
    const record = JSON.parse(entry.signature!);
    // A character inside the signature (the last one of base64url carries padding bits, which decode alike).
    const at = record.signature.length - 10;
    const altered = JSON.stringify({ ...record, signature: record.signature.slice(0, at) + (record.signature[at] === 'A' ? 'B' : 'A') + record.signature.slice(at + 1) });
    expect(checkEntrySignature({ ...entry, signature: altered }, verifier())).toMatchObject({ status: 'invalid', reason: expect.stringContaining('does not verify') });
    const withoutIntake = new EventSignatureVerifier(publishers.filter((p) => p.service !== 'intake'));
    expect(checkEntrySignature(entry, withoutIntake)).toMatchObject({ status: 'invalid', reason: expect.stringContaining(`${intake.kid} is not a configured publisher key`) });
    // Custody's key over an event of intake's topic: a valid signature, by the wrong service.
    const forged = custody.signer.signedBatch([messageOf(belgiumToAlbania().events[0])])[0];
    const [forgedEntry] = chain([unchainedOf(TOPICS.intakeEvents, forged)], { size: 0, hash: null }, new Map());
    expect(checkEntrySignature(forgedEntry, verifier())).toMatchObject({ status: 'invalid', reason: expect.stringContaining('signed by custody') });
  });

  it('refuses a signature that holds over another message than the entry\'s body: a body changed, a record moved to another entry, a topic changed', () => {
    const entries = ledgerOf(belgiumToAlbania().events);
    const body = JSON.parse(entries[0].body);
    const changed = JSON.stringify({ ...body, data: { ...body.data, nationality: 'XX' } });
    expect(checkEntrySignature({ ...entries[0], body: changed }, verifier())).toMatchObject({ status: 'invalid', reason: expect.stringContaining("the entry's body is not the event intake signed") });
    expect(checkEntrySignature({ ...entries[1], signature: entries[0].signature }, verifier())).toMatchObject({ status: 'invalid', reason: expect.stringContaining("the entry's body is not the event") });
    const moved = JSON.stringify({ ...JSON.parse(entries[0].signature!), topic: TOPICS.transferEvents });
    expect(checkEntrySignature({ ...entries[0], signature: moved }, verifier())).toMatchObject({ status: 'invalid', reason: expect.stringContaining('only transfer may publish') });
    expect(checkEntrySignature({ ...entries[0], signature: '{"signature":1}' }, verifier())).toMatchObject({ status: 'invalid', reason: expect.stringContaining('lacks its signature') });
  });

  it('verifyLedger reports each entry whose signature is missing or invalid by position, and walks the chain to its end', async () => {
    const history = belgiumToAlbania();
    const signed = ledgerOf(history.events);
    const unsigned = ledgerOf(belgiumToAlbania().events, false);
    // One entry whose signature was altered, and the chain recomputed over it (as whoever rewrote the database would).
    const altered = signed.map((e, i) => (i === 2 ? { ...e, signature: JSON.stringify({ ...JSON.parse(e.signature!), kid: 'someone-else' }) } : e));
    const entries = chain([...altered, unsigned[0]], { size: 0, hash: null }, new Map());
    const report = await verifyLedger([entries], { signatures: new SignatureTally(verifier()) });
    expect(report.isIntact).toBe(true);
    expect(report.signatures).toMatchObject({ checked: entries.length, valid: entries.length - 2, missing: 1, invalid: 1 });
    expect(report.signatures!.entries).toEqual([
      { position: 2, eventId: entries[2].eventId, status: 'invalid', reason: expect.stringContaining('someone-else') },
      { position: entries.length - 1, eventId: entries[entries.length - 1].eventId, status: 'missing' },
    ]);
  });

  it('an export carries the keys the stored signatures name, and only those', () => {
    const entries = ledgerOf(belgiumToAlbania().events).filter((e) => JSON.parse(e.signature!).topic !== TOPICS.facilityEvents);
    expect(exportedPublisherKeys(publishers, entries).map((k) => k.kid).sort()).toEqual([intake.kid, transfer.kid].sort());
  });
});
