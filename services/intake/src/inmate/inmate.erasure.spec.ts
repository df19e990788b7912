import { TRANSFER, commandBodies } from './inmate.examples';
import { specify } from '@custody/event-sourcing/testing';
import { inmateDecider, type InmateCommand, type InmateEvent } from './inmate.decider';

const given = specify(inmateDecider);

/** Rule 16: retention after the final release, legal holds, erasure. */
const inmateId = '3f1c2a4e-8b6d-4f0a-9c1e-2d7b5a6c8e01';
const bodies = commandBodies(inmateId, '0b7f3f7e-6c9a-4a39-9a0f-3f1f2d2b6c06');
const ev = <T extends InmateEvent['type']>(type: T, data: Extract<InmateEvent, { type: T }>['data'], occurredAt?: string) =>
  ({ type, schemaVersion: 1, data, ...(occurredAt ? { occurredAt } : {}) }) as InmateEvent;

const { commandId: _c, occurredAt: _o, ...registration } = bodies.RegisterInmate();
const registered = { ...ev('InmateRegistered', registration), schemaVersion: 3 } as InmateEvent;
const released = ev('DomesticReleaseRecorded', { inmateId, reason: 'sentence-served' }, '2020-01-10T16:00:00+01:00');
const enforcementEnded = ev('EnforcementEnded', { inmateId, transferId: TRANSFER, reason: 'completion-reported' }, '2021-06-30T09:00:00Z');
const hold = ev('LegalHoldPlaced', { inmateId, reference: 'BE-PAR-2026-0412', reason: 'Civil claim pending.' });
const lifted = ev('LegalHoldLifted', { inmateId, reference: 'BE-PAR-2026-0412', reason: 'Claim settled.' });

const retention = { periods: { DK: 'P5Y' }, defaultPeriod: 'P1Y' };
const erase = (asOf: string, overrides: Partial<Extract<InmateCommand, { type: 'ErasePersonalData' }>['data']> = {}) =>
  ({ type: 'ErasePersonalData', data: { ...bodies.ErasePersonalData(), retention, asOf, keyId: 'key-1', ...overrides } }) as InmateCommand;
const erased = ev('PersonalDataErased', {
  inmateId, sendingState: 'BE', keyId: 'key-1', ground: 'retention-expired', releasedOn: '2020-01-10', retentionPeriod: 'P1Y', erasableOn: '2021-01-10',
  erasedFields: ['identity.givenNames', 'identity.familyName', 'identity.dateOfBirth', 'identity.placeOfBirth', 'identity.documents'],
  explanation: 'Retention period after release ran out.',
});

describe('erasing personal data (Rule 16)', () => {
  it('erases once the retention period after the final release has run out, counted from the day of the release', () => {
    given([registered, released]).when(erase('2021-01-10T00:30:00Z')).then([erased]);
  });

  it('refuses the day before, giving the release, the period and the first day', () => {
    given([registered, released]).when(erase('2021-01-09T23:00:00Z'))
      .thenRejects('RETENTION_NOT_EXPIRED', { details: { releasedOn: '2020-01-10', retentionPeriod: 'P1Y', erasableOn: '2021-01-10' } });
  });

  it('takes the period of the sending state when the configuration names it', () => {
    const danish = { ...registered, data: { ...registration, sendingState: 'DK' } } as InmateEvent;
    given([danish, released]).when(erase('2024-06-01T00:00:00Z'))
      .thenRejects('RETENTION_NOT_EXPIRED', { details: { retentionPeriod: 'P5Y', erasableOn: '2025-01-10' } });
  });

  it('counts the end of enforcement after a transfer as the final release', () => {
    given([registered, enforcementEnded]).when(erase('2022-06-30T00:00:00Z'))
      .then([{ ...erased, data: { ...erased.data, releasedOn: '2021-06-30', erasableOn: '2022-06-30' } } as InmateEvent]);
  });

  it('refuses while the person is not released', () => {
    given([registered]).when(erase('2040-01-01T00:00:00Z')).thenRejects('RETENTION_NOT_EXPIRED', { details: { isReleased: false } });
  });

  it('refuses while a legal hold stands, naming it, and erases once it is lifted', () => {
    given([registered, released, hold]).when(erase('2030-01-01T00:00:00Z'))
      .thenRejects('LEGAL_HOLD_ACTIVE', { details: { legalHolds: 'BE-PAR-2026-0412' } });
    given([registered, released, hold, lifted]).when(erase('2030-01-01T00:00:00Z')).then([erased]);
  });

  it('changes nothing the second time', () => {
    given([registered, released, erased]).when(erase('2030-01-01T00:00:00Z')).thenNothing();
  });

  it('leaves the identity erased: personal fields null, sex kept; and refuses to record an identity again', () => {
    const { state } = given([registered, released, erased]);
    expect(state).toMatchObject({
      isPersonalDataErased: true,
      identity: { givenNames: null, familyName: null, dateOfBirth: null, placeOfBirth: null, documents: null, sex: 'male' },
    });
    given([registered, released, erased]).when({ type: 'CorrectInmateRecord', data: bodies.CorrectInmateRecord({ identity: registration.identity, nationalities: undefined }) })
      .thenRejects('PERSONAL_DATA_ERASED');
    given([registered, released, erased]).when({ type: 'CorrectInmateRecord', data: bodies.CorrectInmateRecord() })
      .then([{ type: 'InmateRecordCorrected', schemaVersion: 2, data: { inmateId, correctedEventId: bodies.CorrectInmateRecord().correctedEventId, reason: 'Second nationality omitted.', nationalities: ['AL', 'XK'] } }]);
  });
});

describe('legal holds (Rule 16)', () => {
  it('places a hold, also on a released person; the same reference twice changes nothing', () => {
    given([registered, released]).when({ type: 'PlaceLegalHold', data: bodies.PlaceLegalHold({ reason: 'Civil claim pending.' }) }).then([hold]);
    given([registered, hold]).when({ type: 'PlaceLegalHold', data: bodies.PlaceLegalHold() }).thenNothing();
  });

  it('lifts a hold that stands, and refuses one that does not', () => {
    given([registered, hold]).when({ type: 'LiftLegalHold', data: bodies.LiftLegalHold() }).then([lifted]);
    given([registered, hold, lifted]).when({ type: 'LiftLegalHold', data: bodies.LiftLegalHold() })
      .thenRejects('LEGAL_HOLD_NOT_FOUND', { details: { reference: 'BE-PAR-2026-0412' } });
  });

  it('needs a registered person', () => {
    given().when({ type: 'PlaceLegalHold', data: bodies.PlaceLegalHold() }).thenRejects('INMATE_NOT_FOUND');
  });
});
