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

export type DecodeResult = { ok: true; event: DecodedEvent } | { ok: false; failure: DecodeFailure };

/** Turns raw Kafka messages into validated events (the contracts' envelope and schemas). */
export interface MessageDecoder {
  decode(message: InboundMessage): DecodeResult;
}
