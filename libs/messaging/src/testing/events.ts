import { randomUUID } from 'node:crypto';
import type { NewEvent } from '@custody/event-store';

/**
 * Real contract events for the messaging tests and the relay benchmark: they pass the
 * contracts' validation in `toKafkaMessage`, and are keyed by their inmate id.
 */
const metadata = () => ({
  correlationId: randomUUID(),
  occurredAt: new Date().toISOString(),
  actor: { state: 'BE', organisation: 'Prison de Haren', officer: 'Inspector L. Peeters' },
});

export function inmateRegistered(inmateId: string = randomUUID()): NewEvent {
  return {
    id: randomUUID(),
    type: 'InmateRegistered',
    schemaVersion: 2,
    data: {
      inmateId,
      identity: {
        givenNames: 'Arben',
        familyName: 'Hoxha',
        dateOfBirth: '1988-05-14',
        placeOfBirth: 'Durrës',
        sex: 'male',
        documents: [{ kind: 'passport', number: 'BA1234567', issuingState: 'AL' }],
      },
      nationalities: ['AL'],
      sendingState: 'BE',
      holdingFacility: { name: 'Prison de Haren', reference: 'BE-HAR' },
      residence: { status: 'irregular', habitualResidence: 'BE' },
    },
    metadata: metadata(),
  };
}

/** A small follow-up event about the same person (several per key, for ordering). */
export function residenceStatusRecorded(inmateId: string): NewEvent {
  return {
    id: randomUUID(),
    type: 'ResidenceStatusRecorded',
    schemaVersion: 1,
    data: { inmateId, status: 'irregular', habitualResidence: 'BE' },
    metadata: metadata(),
  };
}

/** The stream of a person's events. */
export const inmateStream = (inmateId: string) => `inmate-${inmateId}`;
