import { createHash } from 'node:crypto';
import { isRejectionCode, REJECTIONS } from '@custody/contracts';
import type { DecodedEvent, DecodeFailure, DecodeResult, InboundMessage } from './codec';

/**
 * The type under which a refused command reaches the service's refusal handler, which records
 * it as the command's CommandRejected (published on custody.command-results). Internal: never
 * published as such.
 */
export const COMMAND_REFUSED = 'CommandRefused';

/** A refused command as its refusal handler receives it (the data of a COMMAND_REFUSED event). */
export interface CommandRefusal {
  commandId: string;
  commandType: string;
  /** A code of the rejection catalogue. */
  code: string;
  /** A sentence the sender can act on. */
  message: string;
  /** What is wrong, field by field (a header such as `ce_signature`, or a path in the body). */
  errors: Array<{ path: string; problem: string }>;
  details?: Record<string, string | number | boolean>;
}

/** The command a refusal answers, as far as its envelope could be read. */
export interface RefusedEnvelope {
  id: string;
  type: string;
  correlationId: string;
  occurredAt: string;
  traceparent?: string;
  /** The acting party; only for a sender whose signature verified (never an unverified claim). */
  actor?: unknown;
}

/**
 * The COMMAND_REFUSED event of a refusal. `eventId` is the inbox id of the answer: the command id
 * itself when the sender is the one who chose it (a signed command whose body is invalid), or
 * {@link refusalId} when anyone could have sent the message, so that a forged copy never takes
 * the command id of the genuine command from the inbox.
 */
export function refusedCommand(command: RefusedEnvelope, refusal: Omit<CommandRefusal, 'commandId' | 'commandType'>, eventId: string): DecodedEvent<CommandRefusal> {
  return {
    id: eventId,
    type: COMMAND_REFUSED,
    schemaVersion: 1,
    subject: `command/${command.id}`,
    data: { commandId: command.id, commandType: command.type, ...refusal },
    occurredAt: command.occurredAt,
    correlationId: command.correlationId,
    ...(command.traceparent ? { traceparent: command.traceparent } : {}),
    extensions: command.actor ? { actor: command.actor } : {},
  };
}

/**
 * A decoder's refusal of a command, before any handler and without a transaction: the decode
 * result that has the consumer set the message aside in the dead-letter topic (code and reason)
 * and hand the answer (a COMMAND_REFUSED event, the catalogue's sentence and `errors`) to the
 * service's refusal handler, which records it as the command's CommandRejected. The answer's
 * inbox id is the message's own ({@link refusalId}): anyone may have sent it. (A handler that
 * refuses a command it decoded records the rejection itself: refuseInHandler in @custody/platform.)
 */
export function refuseInDecoder(message: InboundMessage, command: RefusedEnvelope, failure: DecodeFailure, errors: CommandRefusal['errors'], details?: CommandRefusal['details']): DecodeResult {
  const sentence = isRejectionCode(failure.code) ? REJECTIONS[failure.code].message : failure.reason;
  const answer = refusedCommand(command, { code: failure.code, message: sentence, errors, ...(details ? { details } : {}) }, refusalId(message, command.id));
  return { ok: false, failure, answer };
}

/**
 * The id of one refused message (a UUID derived from the command id and where the message lies
 * on its topic): a redelivery of the same message is answered once, another message with the
 * same command id is answered on its own.
 */
export function refusalId(message: Pick<InboundMessage, 'topic' | 'partition' | 'offset'>, commandId: string): string {
  const hash = createHash('sha1').update(`${commandId}/refused/${message.topic}/${message.partition}/${message.offset}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
