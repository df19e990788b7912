import { fromKafkaMessage, TOPICS, type FieldProblem } from '@custody/contracts';
import { contractDecoder, type MessageDecoder, type TopicNames } from '@custody/messaging';

/** The internal type under which a command whose body breaks the contract reaches its handler. */
export const REFUSED_COMMAND = 'IntakeCommandRefused';

export interface RefusedCommand {
  commandId: string;
  commandType: string;
  code: string;
  message: string;
  errors: FieldProblem[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The contracts' decoder, except for commands on custody.intake.commands whose envelope is sound
 * but whose body is invalid: those are answered on custody.command-results with every failing
 * field (as HTTP answers 400), rather than set aside in the dead-letter topic where the sender
 * would never hear of them. A message too broken to answer (no command id, no correlation id,
 * an unknown type) still goes to the dead-letter topic.
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
      const refused: RefusedCommand = { commandId: id, commandType: type, code: parsed.error.code, message: parsed.error.message, errors: [...parsed.error.errors] };
      return {
        ok: true,
        event: {
          id, type: REFUSED_COMMAND, schemaVersion: 1, subject: `command/${id}`, data: refused,
          occurredAt: headerText(message.headers.ce_time) ?? new Date().toISOString(), correlationId, extensions: {},
        },
      };
    },
  };
}

function headerText(value: unknown): string | undefined {
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return typeof value === 'string' ? value : undefined;
}
