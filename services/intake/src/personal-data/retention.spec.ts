import { evolve, initialState, type Inmate, type InmateEvent } from '../inmate/inmate.decider';
import { commandBodies } from '../inmate/inmate.examples';
import { retentionStatus } from './retention';

const inmateId = '3f1c2a4e-8b6d-4f0a-9c1e-2d7b5a6c8e01';
const { commandId: _c, occurredAt: _o, ...registration } = commandBodies(inmateId, '0b7f3f7e-6c9a-4a39-9a0f-3f1f2d2b6c06').RegisterInmate();
const fold = (...events: InmateEvent[]) => events.reduce<Inmate>(evolve, initialState());
const registered = { type: 'InmateRegistered', schemaVersion: 3, data: registration } as InmateEvent;
const released = { type: 'DomesticReleaseRecorded', schemaVersion: 1, data: { inmateId, reason: 'sentence-served' }, occurredAt: '2020-01-10T10:00:00Z' } as InmateEvent;
const policy = { periods: { BE: 'P2Y' }, defaultPeriod: 'P10Y' };

describe('retention status (Rule 16)', () => {
  it('is due from the first day after the period, counted from the final release', () => {
    expect(retentionStatus(fold(registered, released), policy, '2022-01-09T23:59:59Z')).toEqual({
      inmateId, sendingState: 'BE', releasedOn: '2020-01-10', retentionPeriod: 'P2Y', erasableOn: '2022-01-10', isDue: false, legalHolds: [],
    });
    expect(retentionStatus(fold(registered, released), policy, '2022-01-10T00:00:00Z')).toMatchObject({ isDue: true });
  });

  it('lists the legal holds that stand', () => {
    const hold = { type: 'LegalHoldPlaced', schemaVersion: 1, data: { inmateId, reference: 'R-1', reason: 'Inquiry.' } } as InmateEvent;
    expect(retentionStatus(fold(registered, released, hold), policy, '2030-01-01T00:00:00Z')).toMatchObject({ isDue: true, legalHolds: ['R-1'] });
  });

  it('has nothing to count for a person not released, or already erased', () => {
    expect(retentionStatus(fold(registered), policy, '2030-01-01T00:00:00Z')).toBeUndefined();
    const erased = { type: 'PersonalDataErased', schemaVersion: 1, data: { inmateId } } as InmateEvent;
    expect(retentionStatus(fold(registered, released, erased), policy, '2030-01-01T00:00:00Z')).toBeUndefined();
    expect(retentionStatus(initialState(), policy, '2030-01-01T00:00:00Z')).toBeUndefined();
  });
});
