import type { DecodedEvent } from '@custody/messaging';
import type { Principal, SecureRequest } from '@custody/security';
import { callerOf, commandMetadata, messageMetadata, UNAUTHENTICATED_ACTOR } from './event-metadata';

const COMMAND = { commandId: '4b0c3f4e-8a51-4c7e-9a53-2f1e0c7d9a10', occurredAt: '2026-03-02T09:30:00Z' };
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const BELGIAN_OFFICER: Principal = { subject: 'officer-17', state: 'BE', roles: ['intake-officer'], issuer: 'https://idp.just.fgov.be', organisation: 'FPS Justice' };

/** A request as the security guard leaves it, with forged actor headers naming another state. */
const request = (principal: Principal | undefined, headers: Record<string, string> = {}): SecureRequest => ({
  headers: { 'x-actor-state': 'NL', 'x-actor-organisation': 'DJI', 'x-actor-officer': 'someone-else', ...headers },
  params: {},
  query: {},
  body: {},
  method: 'POST',
  url: '/inmates',
  ...(principal ? { principal } : {}),
});

const message = (fields: Partial<DecodedEvent>): DecodedEvent => ({
  id: 'c8d1a0b2-7f36-4a55-9f0e-3e1b2a4c5d6e',
  type: 'RegisterInmate',
  schemaVersion: 1,
  subject: 'command/c8d1a0b2-7f36-4a55-9f0e-3e1b2a4c5d6e',
  data: {},
  occurredAt: COMMAND.occurredAt,
  correlationId: 'ministry-be-42',
  extensions: {},
  ...fields,
});

describe('the metadata of an HTTP command', () => {
  it('names the verified principal as the actor and ignores the X-Actor-* headers', () => {
    const metadata = commandMetadata(COMMAND, callerOf(request(BELGIAN_OFFICER, { 'x-correlation-id': 'case-be-al-42', traceparent: TRACEPARENT })));
    expect(metadata).toEqual({
      correlationId: 'case-be-al-42',
      causationId: COMMAND.commandId,
      occurredAt: COMMAND.occurredAt,
      actor: { state: 'BE', organisation: 'FPS Justice', subject: 'officer-17', roles: ['intake-officer'], verifiedBy: 'bearer-token' },
      traceparent: TRACEPARENT,
    });
  });

  it('with AUTH_MODE=off (no principal), names the unauthenticated actor, not the headers', () => {
    const metadata = commandMetadata(COMMAND, callerOf(request(undefined)));
    expect(metadata.actor).toEqual({ system: 'local-unauthenticated', verifiedBy: 'none' });
    expect(metadata.correlationId).toBe(COMMAND.commandId);
    expect(metadata).not.toHaveProperty('traceparent');
  });

  it('gives each event its own copy of the unauthenticated actor', () => {
    const metadata = commandMetadata(COMMAND, {});
    metadata.actor!.state = 'BE';
    expect(UNAUTHENTICATED_ACTOR).not.toHaveProperty('state');
  });
});

describe('the metadata of a message from Kafka', () => {
  const claimed = { state: 'BE', organisation: 'FPS Justice', officer: 'J. Dubois' };

  it('names the verified signer of a command: its key\'s state and id, not the claimed organisation or officer', () => {
    const metadata = messageMetadata(message({ extensions: { actor: claimed, signer: { state: 'BE', kid: 'be-2026' } }, traceparent: TRACEPARENT }));
    expect(metadata).toEqual({
      correlationId: 'ministry-be-42',
      causationId: 'c8d1a0b2-7f36-4a55-9f0e-3e1b2a4c5d6e',
      occurredAt: COMMAND.occurredAt,
      actor: { state: 'BE', subject: 'be-2026', verifiedBy: 'command-signature' },
      traceparent: TRACEPARENT,
    });
  });

  it('names the unauthenticated actor for a command taken unsigned (COMMAND_SIGNATURES=off)', () => {
    expect(messageMetadata(message({ extensions: { actor: claimed } })).actor).toEqual({ system: 'local-unauthenticated', verifiedBy: 'none' });
  });

  it('passes on the actor of an event as the service that recorded it established it', () => {
    const recorded = { state: 'AL', subject: 'officer-3', roles: ['facility-officer'], verifiedBy: 'bearer-token' };
    const metadata = messageMetadata(message({ type: 'CustodyReceived', correlationId: undefined, extensions: { actor: recorded } }));
    expect(metadata.actor).toEqual(recorded);
    expect(metadata.correlationId).toBe('c8d1a0b2-7f36-4a55-9f0e-3e1b2a4c5d6e');
    expect(messageMetadata(message({ type: 'CustodyReceived', extensions: {} }))).not.toHaveProperty('actor');
  });
});

describe('a command recorded late (docs/domain.md, Rule 17)', () => {
  const reason = 'Entered from the paper register; the officer was on leave.';

  it('keeps its lateRecordingReason with the events, from HTTP and from Kafka', () => {
    expect(commandMetadata({ ...COMMAND, lateRecordingReason: reason }, {})).toMatchObject({ lateRecordingReason: reason });
    expect(messageMetadata(message({ data: { lateRecordingReason: reason } }))).toMatchObject({ lateRecordingReason: reason });
  });

  it('an event does not pass its own on to what it causes, and a command recorded in time has none', () => {
    expect(messageMetadata(message({ type: 'InmateRegistered', data: { lateRecordingReason: reason } }))).not.toHaveProperty('lateRecordingReason');
    expect(commandMetadata(COMMAND, {})).not.toHaveProperty('lateRecordingReason');
  });
});
