import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { messagesOnTopic, TOPICS } from '@custody/contracts';
import type { PostgresTransaction } from '@custody/event-store';
import { type DecodedEvent, type HandlerContext } from '@custody/messaging';
import { sameLedgerEvent, toLedgerEvent, toUnchainedEntry } from './entry';
import { EVENT_SIGNATURE_REFUSED, signatureRecordOf } from './event-signatures';
import { LedgerRepository, type SignatureRefusal } from './ledger.repository';

/** The topics the ledger records: every `custody.*.events` topic of the contract. */
export const LEDGER_TOPICS = [TOPICS.intakeEvents, TOPICS.transferEvents, TOPICS.facilityEvents] as const;

/** Every event type on those topics, from the catalogue (a type added there is recorded too). */
export const LEDGER_EVENT_TYPES: readonly string[] = LEDGER_TOPICS.flatMap((topic) => messagesOnTopic(topic));

/**
 * Kafka in: writes each event of the three events topics as an unchained ledger entry, in the
 * consumer's transaction, without an inbox claim (the entry's unique event id is the ledger's
 * own inbox). A redelivery (the same event again) changes nothing; an event id the
 * ledger holds with another body is an alarm, never absorbed: kept aside, logged at error, and
 * raised as an EVENT_ID_CONFLICT finding (docs/adr/0014-namespaced-event-ids.md). The chainer links the entries afterwards.
 */
@Controller()
export class LedgerConsumer {
  private readonly logger = new Logger('LedgerConsumer');

  constructor(private readonly ledger: LedgerRepository) {}

  async record(event: DecodedEvent, { tx }: HandlerContext<PostgresTransaction>): Promise<void> {
    // The publisher's signature is kept beside the entry, so that verify can check it again (docs/adr/0013-signed-events.md).
    const entry = toUnchainedEntry(toLedgerEvent(event, new Date().toISOString()), signatureRecordOf(event));
    const outcome = await this.ledger.recordPending((sql, params) => tx.query(sql, params), entry, (held, received) => sameLedgerEvent(held, received, event.recordedAt !== undefined));
    if (outcome === 'conflict') {
      this.logger.error(
        `EVENT_ID_CONFLICT: event ${event.id} (${event.type}, ${event.subject}) from ${String(event.extensions.source ?? '(no ce_source)')} has an id the ledger already holds with other content; ` +
          'kept aside in ledger_id_conflicts, not chained; a finding (invariant event-ids-unique) is raised',
      );
    }
  }

  /**
   * An event of the ledger's topics refused for its signature (EVENT_SIGNATURE_INVALID), as the
   * decoder recorded it before the message is set aside: never chained, kept in
   * ledger_signature_refusals, logged at error, and raised as an event-signatures-valid finding of
   * the person or facility it names, or, when it names neither, as a topic-level finding of its
   * topic (docs/adr/0013-signed-events.md, "A forgery that names no one").
   */
  @EventPattern(EVENT_SIGNATURE_REFUSED)
  async onEventSignatureRefused(@Payload() event: DecodedEvent, @Ctx() { tx }: HandlerContext<PostgresTransaction>): Promise<void> {
    const refusal = event.data as SignatureRefusal;
    if (await this.ledger.recordSignatureRefusal((sql, params) => tx.query(sql, params), refusal)) {
      this.logger.error(
        `EVENT_SIGNATURE_INVALID: ${refusal.type ?? '(no ce_type)'} ${refusal.eventId ?? '(no ce_id)'} on ${refusal.topic} (partition ${refusal.partition}, offset ${refusal.offset}), ` +
          `claiming to come from ${refusal.source ?? '(no ce_source)'}${refusal.kid ? `, signed with key ${refusal.kid}` : ''}: ${refusal.reason}; not recorded in the ledger, set aside in ${refusal.topic}.dlq, raised as a finding`,
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
  // No inbox claim: recordPending is idempotent by event id and tells a redelivery from a
  // conflict itself (docs/adr/0014-namespaced-event-ids.md, "The ledger's consumer").
  EventPattern(type, { inbox: false })(LedgerConsumer.prototype, name, Object.getOwnPropertyDescriptor(LedgerConsumer.prototype, name)!);
}
