import { createHash } from 'node:crypto';

/** A deterministic UUID (v5-style, SHA-1) for a name: the same command yields the same event ids. */
export function deterministicId(name: string): string {
  const hash = createHash('sha1').update(name).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * What caused the events a service appends: a command (`by` is the state that signed or sent
 * it), another service's event (`by` is its CloudEvents source), or the service's own job (`by`
 * names the job). `cause` is the command id, the causing message's id, or the job's own key.
 */
export interface IdScope {
  by: string;
  cause: string;
}

/**
 * The ids of the events one cause produces in one service (docs/adr/0014-namespaced-event-ids.md):
 * derived from the service's name, who caused them, the cause's id and the event's index, in an
 * unambiguous encoding (a JSON array, so no choice of command id can make one tuple read as
 * another). Two services, or two states, never derive the same id whatever command id they are
 * given; the same command sent again derives the same ids (HTTP idempotency, docs/adr/0010-http-idempotency-by-command-id.md).
 */
export function eventIds(service: string, scope: IdScope): (index: number | string) => string {
  if (!service) throw new Error('eventIds: a service name is required');
  return (index) => deterministicId(JSON.stringify(['event', service, scope.by, scope.cause, String(index)]));
}

/**
 * Who caused a command's events: its acting state (the signer; a ministry's command names no
 * system, over HTTP or Kafka alike) and its system principal (a service's own job, which may act
 * for a state: the retention job erases for the sending state, and never shares a ministry's ids).
 */
export function commandScope(commandId: string, actor: { state?: string; system?: string } | undefined): IdScope {
  return { by: `command:${JSON.stringify([actor?.state ?? '', actor?.system ?? ''])}`, cause: commandId };
}

/** Who caused the events a service derives from another service's event: that event's source. */
export function messageScope(message: { id: string; source?: string }): IdScope {
  return { by: `event:${message.source ?? ''}`, cause: message.id };
}
