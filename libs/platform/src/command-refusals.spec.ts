import { CommandRejection } from '@custody/contracts';
import { resultEvent } from '@custody/event-sourcing';
import type { DecodedEvent } from '@custody/messaging';
import { recordRefusal, refuseInHandler } from './command-refusals';

describe('refused commands: the answer to a refusal', () => {
  it('records CommandRejected in the command\'s result stream under an id derived from the refusal, not from the command', async () => {
    const appended: Array<{ stream: string; events: Array<{ id: string; type: string; data: unknown; metadata: unknown }> }> = [];
    const tx = { appendToStream: async (stream: string, events: never[]) => (appended.push({ stream, events }), { nextExpectedRevision: 0 }) };
    const commandId = '0b7f3f7e-6c9a-4a39-9a0f-3f1f2d2b6c06';
    await recordRefusal(tx as never, {
      id: '8d2c4f10-2a7b-5c3d-9e1f-0a1b2c3d4e5f',
      type: 'CommandRefused',
      schemaVersion: 1,
      subject: `command/${commandId}`,
      occurredAt: '2026-03-01T09:00:00Z',
      correlationId: 'c-1',
      extensions: {},
      data: { commandId, commandType: 'RegisterInmate', code: 'SIGNATURE_MISSING', message: 'The command carries no signature.', errors: [{ path: 'ce_signature', problem: 'none' }] },
    });
    expect(appended).toHaveLength(1);
    expect(appended[0].stream).toBe(`command-${commandId}`);
    const [result] = appended[0].events;
    expect(result.type).toBe('CommandRejected');
    expect(result.data).toEqual({ commandId, commandType: 'RegisterInmate', code: 'SIGNATURE_MISSING', message: 'The command carries no signature.', errors: [{ path: 'ce_signature', problem: 'none' }] });
    expect(result.metadata).toEqual({ correlationId: 'c-1', causationId: commandId, occurredAt: '2026-03-01T09:00:00Z' });
    expect(result.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(result.id).not.toBe(resultEvent(commandId, 'RegisterInmate', { accepted: true, eventIds: [] }, { correlationId: 'c', occurredAt: 'x' }).id);
  });
});

describe('refused commands: a command refused by its handler', () => {
  const event = {
    id: '5e0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b',
    type: 'RecordSentence',
    schemaVersion: 1,
    subject: 'inmate/1',
    occurredAt: '2026-03-01T09:00:00Z',
    correlationId: 'c-2',
    extensions: {},
    data: {},
  } as unknown as DecodedEvent;

  it('records the refusal as CommandRejected, sets the message aside and answers true', async () => {
    const appended: Array<{ stream: string; events: Array<{ type: string; data: { code: string } }> }> = [];
    const asides: Array<{ code: string; reason: string }> = [];
    const tx = { appendToStream: async (stream: string, events: never[]) => (appended.push({ stream, events }), { nextExpectedRevision: 0 }) };
    const refusal = new CommandRejection('UNAUTHORISED_ACTOR', 'FR may not issue RecordSentence for this inmate: 1.');
    expect(await refuseInHandler({ tx: tx as never, setAside: (f) => asides.push(f) }, event, 'RecordSentence', refusal)).toBe(true);
    expect(appended.map((a) => [a.stream, a.events[0].type, a.events[0].data.code])).toEqual([[`command-${event.id}`, 'CommandRejected', 'UNAUTHORISED_ACTOR']]);
    expect(asides).toEqual([{ code: 'UNAUTHORISED_ACTOR', reason: 'FR may not issue RecordSentence for this inmate: 1.' }]);
  });

  it('writes nothing and sets nothing aside without a refusal, and answers false', async () => {
    const appended: unknown[] = [];
    const asides: unknown[] = [];
    const tx = { appendToStream: async (...args: unknown[]) => (appended.push(args), { nextExpectedRevision: 0 }) };
    expect(await refuseInHandler({ tx: tx as never, setAside: (f) => asides.push(f) }, event, 'RecordSentence', undefined)).toBe(false);
    expect(appended).toEqual([]);
    expect(asides).toEqual([]);
  });
});
