import { randomUUID } from 'node:crypto';

/** A command message as a ministry produces it (the shape TestMinistry of @custody/security/testing signs). */
interface CommandMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** One way a command message breaks its envelope while its command id and correlation id stay readable. */
export interface BrokenCommandCase {
  name: string;
  /** The code of the CommandRejected (and of the dead letter). */
  code: string;
  /** The command type the answer names, when not the command's own. */
  commandType?: string;
  /** The message broken this way (ce_id and ce_correlationid kept, except where the case changes ce_id). */
  break(message: CommandMessage): CommandMessage;
}

const without = (headers: Record<string, string>, name: string) => Object.fromEntries(Object.entries(headers).filter(([header]) => header !== name));

/**
 * The envelope errors a ministry's command can have that still leave it answerable (the
 * contract's "exactly one result per command"): each must be answered with a CommandRejected of
 * its code, and set aside in the dead-letter topic.
 */
export function brokenCommandCases(): BrokenCommandCase[] {
  return [
    { name: 'malformed JSON data that still has its ce_id', code: 'INVALID_ENVELOPE', break: (m) => ({ ...m, value: m.value.slice(0, Math.floor(m.value.length / 2)) }) },
    { name: 'an unknown ce_type', code: 'UNKNOWN_MESSAGE_TYPE', commandType: 'RegisterPrisoner', break: (m) => ({ ...m, headers: { ...m.headers, ce_type: 'RegisterPrisoner' } }) },
    { name: 'an unknown schema version', code: 'UNKNOWN_SCHEMA_VERSION', break: (m) => ({ ...m, headers: { ...m.headers, ce_schemaversion: '9' } }) },
    { name: 'no ce_actorstate', code: 'INVALID_ENVELOPE', break: (m) => ({ ...m, headers: without(m.headers, 'ce_actorstate') }) },
    { name: 'ce_id differs from the commandId of the body', code: 'INVALID_ENVELOPE', break: (m) => ({ ...m, headers: { ...m.headers, ce_id: randomUUID() } }) },
    { name: 'a key other than the id of its subject', code: 'INVALID_ENVELOPE', break: (m) => ({ ...m, key: randomUUID() }) },
    { name: 'an empty value with its headers', code: 'INVALID_ENVELOPE', break: (m) => ({ ...m, value: '' }) },
  ];
}
