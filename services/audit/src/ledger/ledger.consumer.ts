import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { canonicalJson, messagesOnTopic, type StreamPosition, TOPICS } from '@custody/contracts';
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
  const lateRecordingReason = event.extensions.lateRecordingReason;
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
    // Hashed too: why an act was recorded late is part of its evidence (docs/domain.md, Rule 17).
    ...(typeof lateRecordingReason === 'string' && lateRecordingReason !== '' ? { lateRecordingReason } : {}),
  };
}

/**
 * Whether the body the ledger holds and the body received are the same event. When the message
 * did not carry its recorded time, the ledger put the time it received it there: that field is
 * then left out of the comparison (a redelivery is received at another time). An entry recorded
 * before the ledger kept the late-recording reason lacks it: the reason is then left out too.
 */
export function sameLedgerEvent(held: string, received: string, receivedCarriedRecordedAt: boolean): boolean {
  if (held === received) return true;
  const heldEvent = JSON.parse(held) as Record<string, unknown>;
  const receivedEvent = JSON.parse(received) as Record<string, unknown>;
  if (heldEvent.lateRecordingReason === undefined) delete receivedEvent.lateRecordingReason;
  if (!receivedCarriedRecordedAt) {
    delete heldEvent.recordedAt;
    delete receivedEvent.recordedAt;
  }
  return canonicalJson(heldEvent) === canonicalJson(receivedEvent);
}

/**
 * Kafka in: writes each event of the three events topics as an unchained ledger entry, in the
 * inbox's transaction. A redelivery (the same event again) changes nothing; an event id the
 * ledger holds with another body is an alarm, never absorbed: kept aside, logged at error, and
 * raised as an EVENT_ID_CONFLICT finding (docs/adr/0014-namespaced-event-ids.md). The chainer links the entries afterwards.
 */
@Controller()
export class LedgerConsumer {
  private readonly logger = new Logger('LedgerConsumer');

  constructor(private readonly ledger: LedgerRepository) {}

  async record(event: DecodedEvent, { tx }: HandlerContext<PostgresTransaction>): Promise<void> {
    const entry = toUnchainedEntry(toLedgerEvent(event, new Date().toISOString()));
    const outcome = await this.ledger.recordPending((sql, params) => tx.query(sql, params), entry, (held, received) => sameLedgerEvent(held, received, event.recordedAt !== undefined));
    if (outcome === 'conflict') {
      this.logger.error(
        `EVENT_ID_CONFLICT: event ${event.id} (${event.type}, ${event.subject}) from ${String(event.extensions.source ?? '(no ce_source)')} has an id the ledger already holds with other content; ` +
          'kept aside in ledger_id_conflicts, not chained; a finding (invariant event-ids-unique) is raised',
      );
    }
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
