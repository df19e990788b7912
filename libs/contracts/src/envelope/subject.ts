import { findMessage } from '../catalogue/catalogue';

/** What a message is about: its Kafka key is `id`; its CloudEvents subject is `<kind>/<id>`. */
export interface MessageSubject {
  kind: 'inmate' | 'facility' | 'ledger' | 'command' | 'topic';
  id: string;
}

function field(data: unknown, name: string): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const value = (data as Record<string, unknown>)[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * The subject of a message, by the catalogue's rule: the inmate for messages about a person
 * (order per person), the facility for facility-level ones, the topic for a topic-level finding, the command for command results
 * (its correlation id when the command id is unknown). Undefined when the type is unknown or the
 * payload lacks the field.
 */
export function subjectOf(type: string, data: unknown, correlationId?: string): MessageSubject | undefined {
  const rule = findMessage(type)?.subject;
  const inmateId = field(data, 'inmateId');
  const facilityId = field(data, 'facilityId');
  switch (rule) {
    case 'inmate':
      return inmateId ? { kind: 'inmate', id: inmateId } : undefined;
    case 'facility':
      return facilityId ? { kind: 'facility', id: facilityId } : undefined;
    case 'inmate-or-facility':
      if (inmateId) return { kind: 'inmate', id: inmateId };
      return facilityId ? { kind: 'facility', id: facilityId } : undefined;
    case 'inmate-facility-or-topic': {
      if (inmateId) return { kind: 'inmate', id: inmateId };
      if (facilityId) return { kind: 'facility', id: facilityId };
      // A topic-level finding: about a message refused off a topic, which names no person or facility.
      const refused = typeof data === 'object' && data !== null ? (data as Record<string, unknown>).refusedMessage : undefined;
      const topic = field(refused, 'topic');
      return topic ? { kind: 'topic', id: topic } : undefined;
    }
    case 'ledger':
      return { kind: 'ledger', id: 'ledger' };
    case 'command': {
      // A rejection of a message too broken to read its commandId is about the correlation id.
      const commandId = field(data, 'commandId') ?? correlationId;
      return commandId ? { kind: 'command', id: commandId } : undefined;
    }
    default:
      return undefined;
  }
}

/** The CloudEvents `subject` attribute: `inmate/<id>`, `facility/<id>`, `command/<id>`, `topic/<topic>` or `ledger`. */
export function subjectAttribute(subject: MessageSubject): string {
  return subject.kind === 'ledger' ? 'ledger' : `${subject.kind}/${subject.id}`;
}

/**
 * The Kafka key of a message: the inmate id for messages about a person, the facility id for
 * facility-level ones, `ledger` for checkpoints, and the correlation id for command results
 * (so a sender finds its answers together). Undefined when the payload lacks the field.
 */
export function messageKey(type: string, data: unknown, correlationId?: string): string | undefined {
  const subject = subjectOf(type, data, correlationId);
  if (!subject) return undefined;
  return subject.kind === 'command' ? correlationId : subject.id;
}
