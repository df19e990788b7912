import { randomUUID } from 'node:crypto';
import { canonicalJson } from '@custody/contracts';
import type { DecodedEvent } from '@custody/messaging';
import { sameLedgerEvent, toLedgerEvent } from './entry';

const REASON = 'Entered from the paper register after the registry\'s outage.';

function decoded(extensions: Record<string, unknown> = {}): DecodedEvent {
  return {
    id: randomUUID(),
    type: 'CertificateReceived',
    schemaVersion: 1,
    subject: `inmate/${randomUUID()}`,
    data: { transferId: randomUUID() },
    occurredAt: '2026-02-03T10:00:00Z',
    recordedAt: '2026-03-15T10:00:00Z',
    correlationId: randomUUID(),
    causationId: randomUUID(),
    extensions: { source: '/custody/transfer', actor: { state: 'AL' }, ...extensions },
  };
}

describe('the ledger keeps why an act was recorded late (Rule 17)', () => {
  it('the reason the message carried (ce_laterecordingreason) is part of the entry, and so of its hash', () => {
    expect(toLedgerEvent(decoded({ lateRecordingReason: REASON }), '2026-03-15T10:00:01Z')).toMatchObject({ lateRecordingReason: REASON, recordedAt: '2026-03-15T10:00:00Z' });
  });

  it('an event without one has no such field', () => {
    expect(toLedgerEvent(decoded(), '2026-03-15T10:00:01Z')).not.toHaveProperty('lateRecordingReason');
  });

  it('an entry recorded before the ledger kept reasons and the same event received again are the same event; another reason is not', () => {
    const event = decoded({ lateRecordingReason: REASON });
    const received = canonicalJson(toLedgerEvent(event, '2026-03-15T10:00:01Z'));
    const { lateRecordingReason: _kept, ...before } = toLedgerEvent(event, '2026-03-15T10:00:01Z');
    expect(sameLedgerEvent(canonicalJson(before), received, true)).toBe(true);
    expect(sameLedgerEvent(received, received, true)).toBe(true);
    const other = canonicalJson(toLedgerEvent({ ...event, extensions: { ...event.extensions, lateRecordingReason: 'Another reason.' } }, '2026-03-15T10:00:01Z'));
    expect(sameLedgerEvent(received, other, true)).toBe(false);
    expect(sameLedgerEvent(received, canonicalJson(toLedgerEvent({ ...event, occurredAt: '2026-02-02T10:00:00Z' }, '2026-03-15T10:00:01Z')), true)).toBe(false);
  });
});
