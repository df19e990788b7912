import { randomUUID } from 'node:crypto';
import type { Actor, GlobalEvent } from '@custody/event-store';
import { contractRoute, TopicNames, verifiedActingState } from './contract-codec';

let position = 0n;
/** A stored event of the global log, as the relay reads it. */
const stored = (type: string, data: Record<string, unknown>, actor?: Actor): GlobalEvent => {
  position++;
  return {
    id: randomUUID(),
    type,
    schemaVersion: 1,
    data,
    metadata: { correlationId: 'correlation-1', causationId: String(data.commandId ?? 'c'), occurredAt: '2026-03-02T09:30:00Z', ...(actor ? { actor } : {}) },
    streamName: `command-${String(data.commandId ?? position)}`,
    revision: 0,
    position,
    recordedAt: '2026-03-02T09:30:01Z',
    checkpoint: String(position),
  };
};
const accepted = (actor?: Actor) => stored('CommandAccepted', { commandId: randomUUID(), commandType: 'RegisterInmate', eventIds: [] }, actor);
const rejected = (actor?: Actor) =>
  stored('CommandRejected', { commandId: randomUUID(), commandType: 'RegisterInmate', code: 'SIGNATURE_MISSING', message: 'unsigned', errors: [{ path: 'ce_signature', problem: 'missing' }] }, actor);
const signedBy = (state: string): Actor => ({ state, subject: `${state.toLowerCase()}-commands-1`, verifiedBy: 'command-signature' });

/** The relay's routing of command results (docs/adr/0015-command-results-per-state.md). */
describe('contractRoute: command results by acting state', () => {
  const names = new TopicNames('run-1.');
  const topicsOf = (route: ReturnType<typeof contractRoute>, event: GlobalEvent) => {
    const message = route(event)!;
    return [message.topic, ...(message.copiesTo ?? [])];
  };

  it('sends a result to its verified acting state\'s own topic, with a copy on the shared topic while it is on', () => {
    const route = contractRoute(names, { commandResults: { states: ['AL', 'BE'], shared: true } });
    expect(topicsOf(route, accepted(signedBy('BE')))).toEqual(['run-1.custody.command-results.BE', 'run-1.custody.command-results']);
    expect(topicsOf(route, rejected(signedBy('AL')))).toEqual(['run-1.custody.command-results.AL', 'run-1.custody.command-results']);
  });

  it('sends it to its state\'s topic alone once the shared topic is off', () => {
    const route = contractRoute(names, { commandResults: { states: ['AL', 'BE'], shared: false } });
    expect(topicsOf(route, accepted(signedBy('BE')))).toEqual(['run-1.custody.command-results.BE']);
    expect(topicsOf(route, rejected({ state: 'BE', verifiedBy: 'bearer-token' }))).toEqual(['run-1.custody.command-results.BE']);
  });

  it('sends a result with no verified acting state, or a state without a topic, to the shared topic only', () => {
    const route = contractRoute(names, { commandResults: { states: ['BE'], shared: false } });
    for (const actor of [undefined, { system: 'local-unauthenticated', verifiedBy: 'none' as const }, { state: 'BE' }, { state: 'BE', verifiedBy: 'none' as const }, signedBy('NL')]) {
      expect({ actor, topics: topicsOf(route, rejected(actor)) }).toEqual({ actor, topics: ['run-1.custody.command-results'] });
    }
  });

  it('routes one message (the copy is the same message), and without a routing every result to the shared topic as before', () => {
    const route = contractRoute(names, { commandResults: { states: ['BE'], shared: true } });
    expect(route(accepted(signedBy('BE')))!.headers).toMatchObject({ ce_type: 'CommandAccepted', ce_actorstate: 'BE' });
    const unrouted = contractRoute(names)(accepted(signedBy('BE')))!;
    expect([unrouted.topic, unrouted.copiesTo]).toEqual(['run-1.custody.command-results', undefined]);
  });

  it('refuses to route to a topic named after something that is no state code', () => {
    expect(() => contractRoute(names, { commandResults: { states: ['be'], shared: true } })).toThrow(TypeError);
  });

  it('takes only a verified state as the acting state', () => {
    expect(verifiedActingState(accepted(signedBy('XK')))).toBe('XK');
    expect(verifiedActingState(accepted({ state: 'XK' }))).toBeUndefined();
    expect(verifiedActingState(accepted())).toBeUndefined();
  });
});

describe('contractRoute: payloads checked when stored', () => {
  const names = new TopicNames('run-2.');
  // An InmateRegistered whose payload breaks the contract (no identity, nationalities, …).
  const broken = () => stored('InmateRegistered', { inmateId: randomUUID() });

  it('validates each payload on its way out unless the store checked it when it was written', () => {
    expect(() => contractRoute(names)(broken())).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    const message = contractRoute(names, { storedEventsChecked: true })(broken());
    expect(message?.topic).toBe('run-2.custody.intake.events');
  });

  it('still refuses what no check at write time covers: a payload that names no subject to key it by', () => {
    const nameless = stored('InmateRegistered', { registeredBy: 'BE' });
    expect(() => contractRoute(names, { storedEventsChecked: true })(nameless)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});
