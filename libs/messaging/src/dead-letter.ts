import type { IHeaders, Producer } from 'kafkajs';
import { DEAD_LETTER_HEADERS } from '@custody/contracts';
import type { InboundMessage } from './codec';
import { deadLetterTopic } from './topics';

/** Why a message was dead-lettered. */
export interface DeadLetterReason {
  /** A stable code: the contracts' rejection code, or HANDLER_FAILED. */
  code: string;
  reason: string;
  attempts: number;
}

/**
 * Sends a message that cannot be processed to `<topic>.dlq`, unchanged (same key, value and
 * headers) with headers saying why. Resolves only once the broker acknowledged: the consumer
 * commits the original offset after that, so nothing is lost between the two.
 */
export async function sendToDeadLetter(
  producer: Producer,
  message: InboundMessage,
  why: DeadLetterReason,
  now: () => Date = () => new Date(),
): Promise<void> {
  const headers: IHeaders = {
    ...message.headers,
    [DEAD_LETTER_HEADERS.code]: why.code,
    [DEAD_LETTER_HEADERS.reason]: why.reason.slice(0, 2_000),
    [DEAD_LETTER_HEADERS.originalTopic]: message.topic,
    [DEAD_LETTER_HEADERS.originalPartition]: String(message.partition),
    [DEAD_LETTER_HEADERS.originalOffset]: message.offset,
    [DEAD_LETTER_HEADERS.attempts]: String(why.attempts),
    [DEAD_LETTER_HEADERS.failedAt]: now().toISOString(),
  };
  await producer.send({
    topic: deadLetterTopic(message.topic),
    acks: -1,
    messages: [{ key: message.key, value: message.value, headers }],
  });
}
