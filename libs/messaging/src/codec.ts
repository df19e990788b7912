import type { IHeaders } from 'kafkajs';

/** A message as it came off a topic. */
export interface InboundMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/** A decoded integration event: what a handler receives. */
export interface DecodedEvent<Data = unknown> {
  id: string;
  type: string;
  schemaVersion: number;
  subject: string;
  data: Data;
  occurredAt: string;
  recordedAt?: string;
  correlationId?: string;
  causationId?: string;
  traceparent?: string;
  /** Everything else the envelope carried (actor, …). */
  extensions: Record<string, unknown>;
}

/** Why a message could not be decoded: a stable code and a sentence. */
export interface DecodeFailure {
  code: string;
  reason: string;
}

/**
 * A decoded message, or why it cannot be processed. A refusal may carry an `answer`: an event the
 * consumer hands to the handler of its type (once, through the inbox) before it sets the message
 * aside in the dead-letter topic, so that the sender hears of the refusal (a CommandRefused
 * recorded as CommandRejected on custody.command-results).
 */
export type DecodeResult = { ok: true; event: DecodedEvent } | { ok: false; failure: DecodeFailure; answer?: DecodedEvent };

/** Turns raw Kafka messages into validated events (the contracts' envelope and schemas). */
export interface MessageDecoder {
  decode(message: InboundMessage): DecodeResult;
  /** Work before the first message (e.g. fetching ministries' published keys); the consumer starts after it. */
  prepare?(): Promise<void>;
  /** Stops what `prepare` started (timers). */
  close?(): void;
}
