import { fromKafkaMessage, TOPICS } from '@custody/contracts';
import { contractDecoder, refusedCommand, type MessageDecoder, type TopicNames } from '@custody/messaging';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The contracts' decoder, except for commands on custody.intake.commands whose envelope is sound
 * but whose body is invalid: those are answered on custody.command-results with every failing
 * field (as HTTP answers 400), and not set aside in the dead-letter topic. The answer is a
 * CommandRefused, recorded as CommandRejected by the service's refusal handler
 * (CommandRefusalRecorder); its inbox id is the command id, so the command has that one result
 * (a resend is answered with it again). With signatures required it stands only for a command
 * signed by its acting state (signedCommandDecoder); an unsigned one is refused as such. A command
 * whose envelope is broken is answered by the contracts' decoder when its command id and
 * correlation id can be read, and set aside (docs/architecture.md, "Exactly one result per
 * command"); one too broken to answer only goes to the dead-letter topic.
 */
export function intakeDecoder(names: TopicNames): MessageDecoder {
  const contract = contractDecoder(names);
  return {
    decode(message) {
      const decoded = contract.decode(message);
      if (decoded.ok || names.logical(message.topic) !== TOPICS.intakeCommands) return decoded;
      const parsed = fromKafkaMessage(
        { key: message.key, value: message.value, headers: message.headers as Record<string, Buffer | string | undefined> },
        { topic: TOPICS.intakeCommands },
      );
      if (parsed.ok || parsed.error.code !== 'VALIDATION_FAILED') return decoded;
      const { id, type, correlationId } = parsed.error.context;
      if (!id || !UUID.test(id) || !type || !correlationId) return decoded;
      const command = { id, type, correlationId, occurredAt: headerText(message.headers.ce_time) ?? new Date().toISOString() };
      return { ok: true, event: refusedCommand(command, { code: parsed.error.code, message: parsed.error.message, errors: [...parsed.error.errors] }, id) };
    },
  };
}

function headerText(value: unknown): string | undefined {
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return typeof value === 'string' ? value : undefined;
}
