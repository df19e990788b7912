import { decide } from '@custody/security';
import { belgiumToAlbania, History } from '../testing/history';
import { facilityStates, inmateStates, isOfStates, resourceOf } from './jurisdiction';

const auditor = (state: string) => ({ roles: ['auditor' as const], state });

describe("a ledger subject's states", () => {
  it('gives a person the state that sent them and the state a transfer was requested to, and no other', () => {
    const states = inmateStates(belgiumToAlbania().events);
    expect(states).toEqual({ kind: 'inmate', sendingStates: ['BE'], receivingStates: ['AL'] });
    expect(decide(auditor('BE'), 'audit:read', resourceOf(states, 'BE')).allow).toBe(true);
    expect(decide(auditor('AL'), 'audit:read', resourceOf(states, 'AL')).allow).toBe(true);
    expect(decide(auditor('NL'), 'audit:read', resourceOf(states, 'NL'))).toEqual({ allow: false, reason: 'JURISDICTION' });
    expect(isOfStates(states, ['AL'])).toBe(true);
    expect(isOfStates(states, ['NL', 'DK'])).toBe(false);
  });

  it('keeps every state a person was ever sent to: a second transfer does not take the first receiving state\'s audit away', () => {
    const history = belgiumToAlbania();
    const onward = 'bbbbbbbb-0000-4000-8000-000000000001';
    history.add('TransferRequested', '2027-01-10T10:00:00Z', { transferId: onward, sendingState: 'AL', receivingState: 'XK' });
    history.add('ReceivingStateDecisionRecorded', '2027-02-10T10:00:00Z', { transferId: onward, decision: 'recognised' });
    const states = inmateStates(history.events);
    expect(states).toEqual({ kind: 'inmate', sendingStates: ['BE'], receivingStates: ['AL', 'XK'] });
    for (const state of ['BE', 'AL', 'XK']) expect(decide(auditor(state), 'audit:read', resourceOf(states, state)).allow).toBe(true);
    expect(decide(auditor('DK'), 'audit:read', resourceOf(states, 'DK')).allow).toBe(false);
  });

  it('gives a state nothing for asking: a request that was not recognised, nor received under, makes no state a party', () => {
    const history = new History();
    history.add('InmateRegistered', '2026-01-10T08:00:00Z');
    history.add('TransferRequested', '2026-01-20T10:00:00Z', { sendingState: 'BE', receivingState: 'NL' });
    history.add('ReceivingStateDecisionRecorded', '2026-02-20T10:00:00Z', { decision: 'refused', refusalGround: 'criteria-not-met' });
    const foreign = 'cccccccc-0000-4000-8000-000000000001';
    // Another state's request for Belgium's prisoner, even "recognised" by itself and "received".
    history.add('TransferRequested', '2026-03-01T10:00:00Z', { transferId: foreign, sendingState: 'NL', receivingState: 'DK' });
    history.add('ReceivingStateDecisionRecorded', '2026-03-02T10:00:00Z', { transferId: foreign, decision: 'recognised' });
    // A receipt by a state that is not the case's receiving state.
    history.add('CustodyReceived', '2026-03-03T10:00:00Z', { receivedBy: { state: 'DE', organisation: 'JVA', officer: 'X', place: 'Border' } });
    const states = inmateStates(history.events);
    expect(states).toEqual({ kind: 'inmate', sendingStates: ['BE'], receivingStates: [] });
    for (const state of ['NL', 'DK', 'DE']) expect(decide(auditor(state), 'audit:read', resourceOf(states, state))).toEqual({ allow: false, reason: 'JURISDICTION' });
  });

  it('lets nobody read a person whose registration and requests have not reached the ledger yet', () => {
    const history = new History();
    history.add('CustodyDispatched', '2026-04-14T06:00:00Z');
    const states = inmateStates(history.events);
    expect(states).toEqual({ kind: 'inmate', sendingStates: [], receivingStates: [] });
    expect(decide(auditor('BE'), 'audit:read', resourceOf(states, 'BE'))).toEqual({ allow: false, reason: 'JURISDICTION' });
    expect(isOfStates(states, ['BE', 'AL'])).toBe(false);
  });

  it('gives a leased facility its operator and its lessee, and an unregistered one no state', () => {
    const history = new History();
    history.add('FacilityRegistered', '2026-01-01T00:00:00Z', { operatingState: 'XK', jurisdiction: 'leased', lease: { lesseeState: 'DK', treatyId: 'DK-XK-2022' } });
    const states = facilityStates(history.events);
    expect(states).toEqual({ kind: 'facility', operatorState: 'XK', lesseeState: 'DK' });
    expect(isOfStates(states, ['XK'])).toBe(true);
    expect(isOfStates(states, ['DK'])).toBe(true);
    expect(isOfStates(states, ['BE'])).toBe(false);
    expect(decide(auditor('DK'), 'audit:read', resourceOf(states, 'DK')).allow).toBe(true);
    expect(isOfStates(facilityStates([]), ['XK'])).toBe(false);
    expect(decide(auditor('XK'), 'audit:read', resourceOf(facilityStates([]), 'XK')).allow).toBe(false);
  });
});
