import { CommandRejection } from '@custody/contracts';
import type { EventStore } from '@custody/event-store';
import { AuditLedger } from './audit-ledger';
import { chain, toUnchainedEntry, type LedgerEntry } from './entry';
import type { LedgerRepository } from './ledger.repository';

const PERSON = '3f1c2b9e-5a1d-4c3e-9f7a-1b2c3d4e5f60';

/** The reads timeline() makes of the repository, answered from lists that a test changes between reads. */
function ledgerOf(reads: { chained: LedgerEntry[][]; pending: number }, inFlight?: { topic: string; unconsumed: number; retryAfterSeconds: number }) {
  let call = 0;
  const repository = {
    entriesOfInmate: async () => reads.chained[Math.min(call++, reads.chained.length - 1)],
    pendingOfInmate: async () => reads.pending,
  } as unknown as LedgerRepository;
  return new AuditLedger(repository, {} as EventStore, new Map(), async () => inFlight);
}

async function rejectionOf(promise: Promise<unknown>): Promise<CommandRejection> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CommandRejection) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

const registered = chain(
  [toUnchainedEntry({ id: 'e1', type: 'InmateRegistered', schemaVersion: 1, subject: `inmate/${PERSON}`, occurredAt: '2026-03-01T09:00:00Z', recordedAt: '2026-03-01T09:00:01Z', data: { inmateId: PERSON } })],
  { size: 0, hash: null },
  new Map(),
);

describe('a person\'s timeline while their events are on their way (docs/adr/0012-not-yet-known-here.md)', () => {
  it('is NOT_YET_KNOWN_HERE while the person\'s partition on an events topic holds unconsumed messages', async () => {
    const rejection = await rejectionOf(ledgerOf({ chained: [[]], pending: 0 }, { topic: 'custody.intake.events', unconsumed: 4, retryAfterSeconds: 1 }).timeline(PERSON));
    expect(rejection.code).toBe('NOT_YET_KNOWN_HERE');
    expect(rejection.details).toEqual({ inmateId: PERSON, awaitedTopic: 'custody.intake.events', unconsumedMessages: 4, retryAfterSeconds: 1 });
    expect(rejection.message).toBe('Events about this person on custody.intake.events have not reached the audit service yet: send the request again in 1 s.');
  });

  it('is NOT_YET_KNOWN_HERE while the person\'s entries wait for the chainer', async () => {
    const rejection = await rejectionOf(ledgerOf({ chained: [[]], pending: 2 }).timeline(PERSON));
    expect(rejection.code).toBe('NOT_YET_KNOWN_HERE');
    expect(rejection.details).toMatchObject({ unchainedEntries: 2 });
  });

  it('is INMATE_NOT_FOUND when nothing is on its way and nothing is pending', async () => {
    const rejection = await rejectionOf(ledgerOf({ chained: [[]], pending: 0 }).timeline(PERSON));
    expect(rejection.code).toBe('INMATE_NOT_FOUND');
  });

  it('is the timeline when the entries were chained while the broker was asked', async () => {
    const timeline = await ledgerOf({ chained: [[], registered], pending: 0 }).timeline(PERSON);
    expect(timeline.inmateId).toBe(PERSON);
  });

  it('waits for the chainer, within its bound, and answers the timeline once the entries are chained', async () => {
    const reads = { chained: [[], registered], pending: 1 };
    let asked = 0;
    const repository = {
      entriesOfInmate: async () => reads.chained[Math.min(asked, 1)],
      // The chainer links the person's entry between the second and the third look.
      pendingOfInmate: async () => (++asked >= 3 ? 0 : 1),
    } as unknown as LedgerRepository;
    const timeline = await new AuditLedger(repository, {} as EventStore, new Map(), async () => undefined, [], 60_000).timeline(PERSON);
    expect(timeline.inmateId).toBe(PERSON);
    expect(asked).toBe(3);
  });
});
