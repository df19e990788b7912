import { randomUUID } from 'node:crypto';
import { EXAMPLES, TOPICS, toKafkaMessage } from '@custody/contracts';
import type { DecodeResult, InboundMessage } from './codec';
import { contractDecoder, TopicNames } from './contract-codec';
import { COMMAND_REFUSED, refusalId, type CommandRefusal } from './refusals';
import { brokenCommandCases } from './testing/broken-commands';

const names = new TopicNames('p.');

function inbound(topic: string, message: { key: string | null; value: string | null; headers: Record<string, string> }, offset = '7'): InboundMessage {
  return {
    topic: names.physical(topic),
    partition: 2,
    offset,
    key: message.key === null ? null : Buffer.from(message.key),
    value: message.value === null ? null : Buffer.from(message.value),
    headers: Object.fromEntries(Object.entries(message.headers).map(([name, value]) => [name, Buffer.from(value)])),
  };
}

function registration() {
  const commandId = randomUUID();
  const correlationId = randomUUID();
  const data: Record<string, unknown> = { ...(EXAMPLES.RegisterInmate as Record<string, unknown>), commandId, inmateId: randomUUID() };
  const message = toKafkaMessage({ id: commandId, type: 'RegisterInmate', schemaVersion: 1, data, metadata: { correlationId, occurredAt: data.occurredAt as string, actor: { state: 'BE', organisation: 'FPS Justice' } } });
  return { commandId, correlationId, message };
}

const answerOf = (decoded: DecodeResult) => (decoded.ok ? undefined : decoded.answer);

describe('a command whose envelope breaks the contract', () => {
  const decoder = contractDecoder(names);

  it.each(brokenCommandCases().map((c) => [c.name, c] as const))('%s: set aside and answered with its code, the command id and correlation id read from the headers', (_name, brokenCase) => {
    const { commandId, correlationId, message } = registration();
    const broken = brokenCase.break(message);
    const decoded = decoder.decode(inbound(TOPICS.intakeCommands, broken));
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.failure.code).toBe(brokenCase.code);
    const answer = decoded.answer!;
    const answeredId = broken.headers.ce_id;
    expect(answer).toMatchObject({ type: COMMAND_REFUSED, correlationId, subject: `command/${answeredId}` });
    // The answer never takes the command's own inbox id: anyone could have sent a broken message.
    expect(answer.id).toBe(refusalId({ topic: names.physical(TOPICS.intakeCommands), partition: 2, offset: '7' }, answeredId));
    const refusal = answer.data as CommandRefusal;
    expect(refusal).toMatchObject({ commandId: answeredId, code: brokenCase.code });
    expect(refusal.commandType).toBe(brokenCase.commandType ?? 'RegisterInmate');
    expect(refusal.errors.length).toBeGreaterThan(0);
    expect(answer.extensions).toEqual({});
    if (brokenCase.name !== 'ce_id differs from the commandId of the body') expect(answeredId).toBe(commandId);
  });

  it('is not answered when its command id or correlation id cannot be read, or is no UUID', () => {
    const { message } = registration();
    for (const headers of [
      { ...message.headers, ce_id: 'not-a-uuid', 'content-type': 'text/plain' },
      Object.fromEntries(Object.entries({ ...message.headers, 'content-type': 'text/plain' }).filter(([name]) => name !== 'ce_correlationid')),
      Object.fromEntries(Object.entries({ ...message.headers, 'content-type': 'text/plain' }).filter(([name]) => name !== 'ce_id')),
      { ...message.headers, ce_correlationid: 'has spaces in it', 'content-type': 'text/plain' },
    ]) {
      const decoded = decoder.decode(inbound(TOPICS.intakeCommands, { ...message, headers }));
      expect(decoded).toMatchObject({ ok: false, failure: { code: 'INVALID_ENVELOPE' } });
      expect(answerOf(decoded)).toBeUndefined();
    }
  });

  it('answers nothing on an events topic, nor for an event sent to a commands topic', () => {
    const { message } = registration();
    const onEvents = decoder.decode(inbound(TOPICS.intakeEvents, { ...message, value: '{' }));
    expect(onEvents).toMatchObject({ ok: false, failure: { code: 'INVALID_ENVELOPE' } });
    expect(answerOf(onEvents)).toBeUndefined();
    const event = decoder.decode(inbound(TOPICS.intakeCommands, { ...message, headers: { ...message.headers, ce_type: 'InmateRegistered' } }));
    expect(event).toMatchObject({ ok: false });
    expect(answerOf(event)).toBeUndefined();
  });

  it('names no command type when ce_type cannot be one, and keeps the answer within what CommandRejected allows', () => {
    const { commandId, message } = registration();
    const decoded = decoder.decode(inbound(TOPICS.intakeCommands, { ...message, headers: { ...message.headers, ce_type: 'Register Inmate!'.repeat(10) } }));
    const refusal = answerOf(decoded)!.data as CommandRefusal;
    expect(refusal).toMatchObject({ commandId, code: 'UNKNOWN_MESSAGE_TYPE', commandType: '' });
    for (const error of refusal.errors) {
      expect(error.path.length).toBeLessThanOrEqual(500);
      expect(error.problem.length).toBeLessThanOrEqual(1_000);
    }
  });
});
