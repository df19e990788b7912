import type { Topic } from '../topics/topics';

/** A class whose instances are a message's payload (decorated with class-validator). */
export type PayloadClass = new () => object;

/**
 * What a message is about, which gives its Kafka key and CloudEvents subject:
 * - `inmate`: key `data.inmateId`, subject `inmate/<id>` (order per person);
 * - `facility`: key `data.facilityId`, subject `facility/<id>` (order per facility);
 * - `inmate-or-facility`: the inmate when the payload names one, else the facility;
 * - `inmate-facility-or-topic`: likewise, else the topic of the refused message it names
 *   (`refusedMessage.topic`): key the topic, subject `topic/<topic>` (a topic-level finding);
 * - `ledger`: key and subject `ledger` (the audit ledger's head);
 * - `command`: a command result: key the correlation id, subject `command/<commandId>`.
 */
export type SubjectRule = 'inmate' | 'facility' | 'inmate-or-facility' | 'inmate-facility-or-topic' | 'ledger' | 'command';

/** How one message type is defined; the catalogue is made of these. */
export interface MessageSpec<C extends PayloadClass = PayloadClass> {
  readonly payload: C;
  readonly subject: SubjectRule;
  /** One sentence for the published document. */
  readonly summary: string;
  /** The current schema version; older ones are read through upcasters. */
  readonly version: number;
  /** Payload classes of older versions that may still be on a topic (version → class). */
  readonly legacy: Readonly<Record<number, PayloadClass>>;
}

export function message<C extends PayloadClass>(
  payload: C,
  subject: SubjectRule,
  summary: string,
  versions: { version?: number; legacy?: Record<number, PayloadClass> } = {},
): MessageSpec<C> {
  return { payload, subject, summary, version: versions.version ?? 1, legacy: versions.legacy ?? {} };
}

export type MessageKind = 'command' | 'event';

/** The messages of one topic. */
export interface MessageGroup<M extends Record<string, MessageSpec>> {
  readonly topic: Topic;
  readonly kind: MessageKind;
  /** The CloudEvents `source` of messages published by us on this topic. */
  readonly source: string;
  readonly messages: M;
}

export function group<M extends Record<string, MessageSpec>>(
  topic: Topic,
  kind: MessageKind,
  source: string,
  messages: M,
): MessageGroup<M> {
  return { topic, kind, source, messages };
}
