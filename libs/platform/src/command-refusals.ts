import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { CommandRejection } from '@custody/contracts';
import type { EventMetadata } from '@custody/event-store';
import { asRejection, commandResultStream, deterministicId, resultEvent, type StreamStore } from '@custody/event-sourcing';
import { COMMAND_REFUSED, type CommandRefusal, type DecodedEvent, type HandlerContext, type InboxTransaction } from '@custody/messaging';
import { withTraceparent } from './command-context';
import { messageMetadata } from './event-metadata';

// The answer to a refused command, whoever refused it: the decoder (a body that breaks the
// contract, a missing or invalid signature: @custody/security's commandDecoder) or the handler
// (a signer whose state has no right to the subject: signerRefusal in @custody/security). Either
// way the refusal is recorded as the command's CommandRejected, with the message's metadata.

/**
 * Records a refused command (a COMMAND_REFUSED answer of the decoder) as its CommandRejected, in
 * the consumer's transaction: the relay publishes it on custody.command-results. The result's id
 * derives from the answer's, so a refusal never takes the id of the genuine command's result.
 */
export async function recordRefusal(tx: StreamStore, event: DecodedEvent): Promise<void> {
  const refusal = event.data as CommandRefusal;
  const actor = event.extensions.actor as EventMetadata['actor'] | undefined;
  const metadata: EventMetadata = {
    correlationId: event.correlationId ?? refusal.commandId,
    causationId: refusal.commandId,
    occurredAt: event.occurredAt,
    ...(actor ? { actor } : {}),
    ...(event.traceparent ? { traceparent: event.traceparent } : {}),
  };
  const outcome = { accepted: false as const, code: refusal.code, message: refusal.message, errors: refusal.errors, details: refusal.details ?? {} };
  const result = { ...resultEvent(refusal.commandId, refusal.commandType, outcome, metadata), id: deterministicId(`${event.id}/result`) };
  await tx.appendToStream(commandResultStream(refusal.commandId), [result], { expectedRevision: 'any' });
}

/**
 * Records a signer's refusal found by a handler (see {@link signerRefusal}) as the command's
 * CommandRejected, in the consumer's transaction; the handler then sets the message aside.
 */
export async function recordRejection(tx: StreamStore, commandId: string, commandType: string, rejection: CommandRejection, metadata: EventMetadata): Promise<void> {
  const outcome = asRejection(rejection)!;
  await tx.appendToStream(commandResultStream(commandId), [resultEvent(commandId, commandType, outcome, withTraceparent(metadata))], { expectedRevision: 'any' });
}

/**
 * The preamble of a ministry's command taken from Kafka, in its handler: refused (`refusal` found
 * by the handler where it loaded the subject, e.g. a signer whose state has no right to it), its
 * CommandRejected is recorded in the consumer's transaction, the message is set aside in the
 * dead-letter topic, nothing else is written, and the answer is true; not refused, false, and the
 * handler applies the command. (A command refused before any handler, by the decoder, is
 * answered through CommandRefusalRecorder: refuseInDecoder in @custody/messaging.)
 */
export async function refuseInHandler(
  { tx, setAside }: { tx: StreamStore; setAside: (failure: { code: string; reason: string }) => void },
  event: DecodedEvent,
  commandType: string,
  refusal: CommandRejection | undefined,
): Promise<boolean> {
  if (!refusal) return false;
  await recordRejection(tx, event.id, commandType, refusal, messageMetadata(event));
  setAside({ code: refusal.code, reason: refusal.message });
  return true;
}

/**
 * The handler of the refusals a service's decoder answers (COMMAND_REFUSED): each is recorded as
 * the command's CommandRejected. List it once among the controllers of a service whose consumer takes
 * commands (its handler is an @EventPattern, routed by the Kafka transport).
 */
@Controller()
export class CommandRefusalRecorder {
  @EventPattern(COMMAND_REFUSED)
  async record(@Payload() event: DecodedEvent, @Ctx() { tx }: HandlerContext<StreamStore & InboxTransaction>): Promise<void> {
    await recordRefusal(tx, event);
  }
}
