import { relationsOf, type ResourceJurisdiction } from '@custody/security';
import type { LedgerEvent } from '../ledger/entry';

/**
 * The states a ledger subject belongs to, as its own entries tell: a person belongs to the state
 * that registered them and to every state that took them over through a recognised case (the
 * receiving state's recognition, its receipt of the person under the case, or the sending state's
 * suspension of enforcement in its favour); a facility to the state that operates it and, when
 * leased, to the lessee. A request alone gives no state anything: a state cannot make itself a
 * party to a person's history by asking for them (docs/security.md). Nothing is read from another
 * service.
 */
export type SubjectStates =
  | { kind: 'inmate'; sendingStates: string[]; receivingStates: string[] }
  | { kind: 'facility'; operatorState?: string; lesseeState?: string };

/** The events that name a person's or a facility's states (the others are not read for this). */
export const JURISDICTION_EVENTS = [
  'InmateRegistered', 'TransferRequested', 'ReturnRequested', 'ReceivingStateDecisionRecorded', 'PlacementDecided', 'CustodyReceived', 'EnforcementSuspended', 'FacilityRegistered',
] as const;

type Fact = Pick<LedgerEvent, 'type' | 'data'>;

const stateOf = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function add(list: string[], state: string | undefined): void {
  if (state && !list.includes(state)) list.push(state);
}

/**
 * A person's states from their entries: the sending state from the registration; a receiving
 * state from a case requested by one of the person's states (the one that registered them, or one
 * that holds them and sends them on) once that case is recognised by it or the person is received
 * under it, and from each suspension of enforcement in its favour.
 */
export function inmateStates(events: Fact[]): SubjectStates & { kind: 'inmate' } {
  const states = { kind: 'inmate' as const, sendingStates: [] as string[], receivingStates: [] as string[] };
  const requested = new Map<string, { sendingState: string; receivingState: string }>();
  const takeOvers: Array<{ transferId: string; state?: string } | { suspendedFor: string }> = [];
  for (const { type, data } of events) {
    const transferId = typeof data.transferId === 'string' ? data.transferId : undefined;
    if (type === 'InmateRegistered') add(states.sendingStates, stateOf(data.sendingState));
    if (type === 'TransferRequested' || type === 'ReturnRequested') {
      const sendingState = stateOf(data.sendingState);
      const receivingState = stateOf(data.receivingState);
      if (transferId && sendingState && receivingState) requested.set(transferId, { sendingState, receivingState });
    }
    if (type === 'ReceivingStateDecisionRecorded' && data.decision === 'recognised' && transferId) takeOvers.push({ transferId });
    // Rule 18: under a lease, the lessee's placement decision in the host's facility.
    if (type === 'PlacementDecided' && transferId) takeOvers.push({ transferId });
    if (type === 'CustodyReceived' && transferId) takeOvers.push({ transferId, state: stateOf((data.receivedBy as { state?: unknown } | undefined)?.state) ?? '' });
    const suspendedFor = type === 'EnforcementSuspended' ? stateOf(data.receivingState) : undefined;
    if (suspendedFor) takeOvers.push({ suspendedFor });
  }
  // In the order they happened, so that a state that took the person over may send them on.
  for (const takeOver of takeOvers) {
    if ('suspendedFor' in takeOver) {
      add(states.receivingStates, takeOver.suspendedFor);
      continue;
    }
    const request = requested.get(takeOver.transferId);
    if (!request || (takeOver.state !== undefined && takeOver.state !== request.receivingState)) continue;
    if (states.sendingStates.includes(request.sendingState) || states.receivingStates.includes(request.sendingState)) add(states.receivingStates, request.receivingState);
  }
  return states;
}

/** A facility's states from its registration: the operating state and the lease's lessee. */
export function facilityStates(events: Fact[]): SubjectStates & { kind: 'facility' } {
  const registration = events.find((event) => event.type === 'FacilityRegistered');
  if (!registration) return { kind: 'facility' };
  const lease = registration.data.lease as { lesseeState?: unknown } | undefined;
  const operatorState = stateOf(registration.data.operatingState);
  const lesseeState = stateOf(lease?.lesseeState);
  return { kind: 'facility', ...(operatorState ? { operatorState } : {}), ...(lesseeState ? { lesseeState } : {}) };
}

/**
 * The subject as the policy sees it, for a caller of `callerState`. The policy's resource has one
 * sending and one receiving state, while a person may have been sent by, or towards, several
 * states over the years: where the caller's state is one of them, it is the one given.
 * A subject whose states are not in the ledger yet (entries that arrived before the
 * registration) gives a resource no state relates to: nobody reads it until they are.
 */
export function resourceOf(states: SubjectStates, callerState?: string): ResourceJurisdiction {
  const pick = (candidates: string[]) => (callerState && candidates.includes(callerState) ? callerState : candidates[0]);
  if (states.kind === 'facility') {
    return { kind: 'facility', operatorState: states.operatorState ?? '', ...(states.lesseeState ? { lesseeState: states.lesseeState } : {}) };
  }
  const sendingState = pick(states.sendingStates);
  const receivingState = pick(states.receivingStates);
  return { kind: 'inmate', ...(sendingState ? { sendingState } : {}), ...(receivingState ? { receivingState } : {}) };
}

/** Whether one of `visible` (the caller's states) is a state of the subject: the filter of lists. */
export function isOfStates(states: SubjectStates, visible: string[]): boolean {
  return visible.some((state) => relationsOf(state, resourceOf(states, state)).length > 0);
}
