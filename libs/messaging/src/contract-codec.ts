import { commandResultsTopic, type ContractViolation, findMessage, fromKafkaMessage, isInstant, messagesOnTopic, TOPICS, toKafkaMessage, type Topic } from '@custody/contracts';
import type { GlobalEvent } from '@custody/event-store';
import type { DecodeFailure, DecodeResult, InboundMessage, MessageDecoder } from './codec';
import { refuseInDecoder, type RefusedEnvelope } from './refusals';
import type { OutboundMessage, RelayRoute } from './relay';
import { PublishedRevisions, type StreamReader } from './stream-revisions';

/**
 * Topic names on the broker: the contract's names, optionally behind a prefix (one
 * environment or one test run per prefix on a shared broker).
 */
export class TopicNames {
  constructor(readonly prefix = '') {}

  /** The broker's name of a contract topic. */
  physical(topic: Topic | string): string {
    return `${this.prefix}${topic}`;
  }

  /** The contract's name of a broker topic. */
  logical(physical: string): string {
    return this.prefix && physical.startsWith(this.prefix) ? physical.slice(this.prefix.length) : physical;
  }
}

/**
 * Decodes messages of the contract: the CloudEvents envelope, the type, the version
 * (upcasting older ones), the key and the payload. A violation becomes a dead-letter reason
 * with the contract's code and every failing field. On a commands topic, a violation whose
 * command id (ce_id, a UUID) and correlation id can still be read is also answered: the sender
 * gets a CommandRejected with the code and the fields (see {@link brokenCommand}).
 */
export function contractDecoder(names: TopicNames = new TopicNames()): MessageDecoder {
  return {
    decode(message: InboundMessage): DecodeResult {
      const topic = names.logical(message.topic);
      const parsed = fromKafkaMessage(
        { key: message.key, value: message.value, headers: message.headers as Record<string, Buffer | string | undefined> },
        { topic },
      );
      if (!parsed.ok) {
        const fields = parsed.error.errors.map((e) => `${e.path}: ${e.problem}`).join('; ');
        const failure: DecodeFailure = { code: parsed.error.code, reason: fields ? `${parsed.error.message} (${fields})` : parsed.error.message };
        const command = carriesCommands(topic) ? brokenCommand(message, parsed.error) : undefined;
        if (!command) return { ok: false, failure };
        const errors = parsed.error.errors.slice(0, MAX_ERRORS).map((e) => ({ path: clip(e.path, 500), problem: clip(e.problem, 1_000) }));
        return refuseInDecoder(message, command, failure, errors.length > 0 ? errors : [{ path: 'value', problem: clip(failure.reason, 1_000) }]);
      }
      const envelope = parsed.value;
      return {
        ok: true,
        event: {
          id: envelope.id,
          type: envelope.type,
          schemaVersion: envelope.schemaVersion,
          subject: envelope.subject,
          data: envelope.data,
          occurredAt: envelope.metadata.occurredAt,
          recordedAt: envelope.recordedAt,
          correlationId: envelope.metadata.correlationId,
          causationId: envelope.metadata.causationId,
          traceparent: envelope.metadata.traceparent,
          extensions: {
            actor: envelope.metadata.actor, source: envelope.source, key: envelope.key,
            ...(envelope.metadata.lateRecordingReason ? { lateRecordingReason: envelope.metadata.lateRecordingReason } : {}),
            ...(envelope.stream ? { stream: envelope.stream } : {}),
          },
        },
      };
    },
  };
}

/** Whether the contract publishes events of a type (the others are a service's internal events). */
const isPublishedType = (type: string) => findMessage(type)?.kind === 'event';

/**
 * Where command results go (docs/adr/0015-command-results-per-state.md). `states`: the states whose
 * topic `custody.command-results.<STATE>` exists (the service creates them at start, before its relay
 * publishes: those of its command signers). `shared`: whether every result is also copied to the
 * shared `custody.command-results` while the ministries move their readers (COMMAND_RESULTS_SHARED_TOPIC).
 */
export interface CommandResultRouting {
  states: Iterable<string>;
  shared: boolean;
}

/**
 * The acting state of a stored command result, when it was verified: the state of the key that
 * signed the command (or of the token's issuer). A result whose actor is unverified or names no
 * state (an unsigned command, one signed by no configured key, one too broken to read) has none.
 */
export function verifiedActingState(event: Pick<GlobalEvent, 'metadata'>): string | undefined {
  const actor = event.metadata?.actor;
  if (!actor || typeof actor.state !== 'string') return undefined;
  return actor.verifiedBy === 'command-signature' || actor.verifiedBy === 'bearer-token' ? actor.state : undefined;
}

/**
 * The topics of a command result: its acting state's own topic when the state is verified and its
 * topic exists, with a copy on the shared topic while `shared`; otherwise the shared topic alone,
 * which only operators read. Without `routing`, every result goes to the shared topic.
 */
function resultTopics(names: TopicNames, routing?: CommandResultRouting): (event: GlobalEvent) => Pick<OutboundMessage, 'topic' | 'copiesTo'> {
  const shared = names.physical(TOPICS.commandResults);
  if (!routing) return () => ({ topic: shared });
  const own = new Map([...routing.states].map((state) => [state, names.physical(commandResultsTopic(state))]));
  return (event) => {
    const state = verifiedActingState(event);
    const topic = state === undefined ? undefined : own.get(state);
    if (!topic) return { topic: shared };
    return routing.shared ? { topic, copiesTo: [shared] } : { topic };
  };
}

/**
 * Where the relay sends a stored event: the topic the contract names for its type, keyed by
 * its subject, as a CloudEvents binary message with its place in its stream (ce_stream,
 * ce_streamrevision, ce_streamprevious; docs/adr/0011-stream-revisions-on-the-wire.md). Events the
 * contract does not publish (a service's internal events) stay home. Call it for every event of
 * the global log in order, as the relay does: it remembers each stream's last event to tell the
 * next one's previous published revision. With `store`, its `prepare` looks that up for streams
 * it does not remember; without, their events go out with the previous revision unknown. A command
 * result goes to the topic of its acting state, as `commandResults` says ({@link CommandResultRouting}).
 * With `storedEventsChecked` (the store checked every event with the contract when it was
 * written: `checkStoredEvent`), payloads are not validated again on their way out; every other
 * check of the contract still runs (docs/performance.md).
 */
export function contractRoute(
  names: TopicNames = new TopicNames(),
  options: { store?: StreamReader; commandResults?: CommandResultRouting; storedEventsChecked?: boolean } = {},
): RelayRoute {
  const validated = options.storedEventsChecked === true;
  const revisions = new PublishedRevisions(isPublishedType, options.store);
  const results = resultTopics(names, options.commandResults);
  const route: RelayRoute = (event) => {
    const stream = revisions.positionOf(event);
    const definition = findMessage(event.type);
    if (!definition || definition.kind !== 'event') return undefined;
    const message = toKafkaMessage({
      id: event.id,
      type: event.type,
      schemaVersion: event.schemaVersion,
      data: event.data,
      metadata: event.metadata as Parameters<typeof toKafkaMessage>[0]['metadata'],
      recordedAt: event.recordedAt,
      stream,
    }, { validated });
    const where = definition.topic === TOPICS.commandResults ? results(event) : { topic: names.physical(definition.topic) };
    return { ...where, key: message.key, value: message.value, headers: message.headers };
  };
  route.prepare = (batch) => revisions.prepare(batch);
  return route;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** What CommandRejected allows (its payload's limits): fields listed, and the length of a type. */
const MAX_ERRORS = 500;
const COMMAND_TYPE = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
/** A correlation id the result can carry as its key and header: printable, at most 200 characters. */
const CORRELATION_ID = /^[\x21-\x7e]{1,200}$/;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Whether a contract topic carries commands (a service's commands topic). */
function carriesCommands(topic: string): boolean {
  return (Object.values(TOPICS) as string[]).includes(topic) && messagesOnTopic(topic as Topic).some((type) => findMessage(type)?.kind === 'command');
}

/** A header's text (the first value of a repeated header), by its name in any case. */
function header(message: InboundMessage, name: string): string | undefined {
  for (const [key, value] of Object.entries(message.headers)) {
    if (key.toLowerCase() !== name) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (Buffer.isBuffer(first)) return first.toString('utf8');
    if (typeof first === 'string') return first;
  }
  return undefined;
}

/**
 * The command a message on a commands topic stands for, though it breaks the contract, when it can
 * be answered (docs/architecture.md, "Exactly one result per command"): its command id (ce_id, a
 * UUID) and its correlation id (ce_correlationid) can be read. The type is named when ce_type reads
 * as one (an unknown type included); a message whose type is an event of the catalogue is no
 * command and is only set aside. The answer's actor is never set: nothing of it was verified.
 */
export function brokenCommand(message: InboundMessage, violation: ContractViolation): RefusedEnvelope | undefined {
  const id = header(message, 'ce_id') ?? violation.context.id;
  const correlationId = header(message, 'ce_correlationid') ?? violation.context.correlationId;
  if (!id || !UUID.test(id) || !correlationId || !CORRELATION_ID.test(correlationId)) return undefined;
  const type = header(message, 'ce_type') ?? violation.context.type;
  if (type && findMessage(type) && findMessage(type)!.kind !== 'command') return undefined;
  const time = header(message, 'ce_time');
  const traceparent = header(message, 'traceparent');
  return {
    id,
    type: type && COMMAND_TYPE.test(type) ? type : '',
    correlationId,
    occurredAt: time && isInstant(time) ? time : new Date().toISOString(),
    ...(traceparent && /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/.test(traceparent) ? { traceparent } : {}),
  };
}
