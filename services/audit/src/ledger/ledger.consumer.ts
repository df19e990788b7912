import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { messagesOnTopic, type StreamPosition, TOPICS } from '@custody/contracts';
import type { PostgresTransaction } from '@custody/event-store';
import { type DecodedEvent, type HandlerContext } from '@custody/messaging';
import { toUnchainedEntry, type LedgerEvent } from './entry';
import { LedgerRepository } from './ledger.repository';

/** The topics the ledger records: every `custody.*.events` topic of the contract. */
export const LEDGER_TOPICS = [TOPICS.intakeEvents, TOPICS.transferEvents, TOPICS.facilityEvents] as const;

/** Every event type on those topics, from the catalogue (a type added there is recorded too). */
export const LEDGER_EVENT_TYPES: readonly string[] = LEDGER_TOPICS.flatMap((topic) => messagesOnTopic(topic));

/** The event as the ledger keeps it: the decoded envelope, with the time the ledger received it as a fallback. */
export function toLedgerEvent(event: DecodedEvent, receivedAt: string): LedgerEvent {
  const actor = event.extensions.actor as Record<string, unknown> | undefined;
  const source = event.extensions.source as string | undefined;
  const stream = event.extensions.stream as StreamPosition | undefined;
  return {
    id: event.id,
    type: event.type,
    schemaVersion: event.schemaVersion,
    subject: event.subject,
    occurredAt: event.occurredAt,
    recordedAt: event.recordedAt ?? receivedAt,
    source,
    correlationId: event.correlationId,
    causationId: event.causationId,
    actor,
    data: JSON.parse(JSON.stringify(event.data)) as Record<string, unknown>,
    // Hashed with the rest: the place of each event in its stream is evidence too.
    ...(stream ? { stream: stream.name, streamRevision: stream.revision, ...(stream.previous === undefined ? {} : { streamPrevious: stream.previous }) } : {}),
  };
}

/**
 * Kafka in: writes each event of the three events topics as an unchained ledger entry, in the
 * inbox's transaction (a redelivery changes nothing). The chainer links them afterwards.
 */
@Controller()
export class LedgerConsumer {
  constructor(private readonly ledger: LedgerRepository) {}

  async record(event: DecodedEvent, { tx }: HandlerContext<PostgresTransaction>): Promise<void> {
    const entry = toUnchainedEntry(toLedgerEvent(event, new Date().toISOString()));
    await this.ledger.recordPending((sql, params) => tx.query(sql, params), entry);
  }
}

// One @EventPattern handler per type: the Kafka transport dispatches by event type and has no
// "every type of these topics" handler, so the methods are declared from the catalogue.
for (const type of LEDGER_EVENT_TYPES) {
  const name = `on${type}`;
  const handler = function (this: LedgerConsumer, event: DecodedEvent, context: HandlerContext<PostgresTransaction>) {
    return this.record(event, context);
  };
  Object.defineProperty(handler, 'name', { value: name });
  Object.defineProperty(LedgerConsumer.prototype, name, { value: handler, writable: true, configurable: true });
  Payload()(LedgerConsumer.prototype, name, 0);
  Ctx()(LedgerConsumer.prototype, name, 1);
  EventPattern(type)(LedgerConsumer.prototype, name, Object.getOwnPropertyDescriptor(LedgerConsumer.prototype, name)!);
}
