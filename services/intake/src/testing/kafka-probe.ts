import { randomUUID } from 'node:crypto';
import type { Consumer, Producer } from 'kafkajs';
import { toKafkaMessage, type Envelope } from '@custody/contracts';
import { createKafka, custodyPartitioner } from '@custody/messaging';
import { eventually, kafkaBrokers, uniqueName } from '@custody/testing';

/** A message seen on a topic: key, CloudEvents headers as strings, JSON value. */
export interface Seen {
  topic: string;
  key: string;
  headers: Record<string, string>;
  value: Record<string, unknown>;
}

/** A message's JSON value; a dead letter's value may be no JSON at all (kept as `raw`). */
function parsed(value: Buffer | null): Record<string, unknown> {
  try {
    return JSON.parse(String(value ?? '')) as Record<string, unknown>;
  } catch {
    return { raw: String(value ?? '') };
  }
}

/** Produces contract messages and records everything published on the watched topics. */
export class KafkaProbe {
  readonly seen: Seen[] = [];
  private producer?: Producer;
  private consumer?: Consumer;

  async start(watch: string[]): Promise<void> {
    const kafka = createKafka({ brokers: kafkaBrokers(), clientId: uniqueName('probe') });
    this.producer = kafka.producer({ createPartitioner: custodyPartitioner, allowAutoTopicCreation: false });
    await this.producer.connect();
    this.consumer = kafka.consumer({ groupId: uniqueName('probe-group') });
    await this.consumer.connect();
    for (const topic of watch) await this.consumer.subscribe({ topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        this.seen.push({ topic, key: String(message.key), headers, value: parsed(message.value) });
      },
    });
  }

  /** Sends a message of the catalogue as the contract's CloudEvents binary message. */
  async send(topic: string, envelope: Envelope): Promise<void> {
    const message = toKafkaMessage(envelope);
    await this.producer!.send({ topic, acks: -1, messages: [message] });
  }

  /** Sends a message as given (e.g. a valid envelope around a body that breaks the contract). */
  async sendRaw(topic: string, message: { key: string; value: string; headers: Record<string, string> }): Promise<void> {
    await this.producer!.send({ topic, acks: -1, messages: [message] });
  }

  /** A command envelope as a ministry would send it. */
  static command(type: string, data: { commandId: string; occurredAt: string }, correlationId: string = randomUUID()): Envelope {
    return {
      id: data.commandId, type, schemaVersion: 1, data,
      metadata: { correlationId, occurredAt: data.occurredAt, actor: { state: 'BE', organisation: 'FPS Justice' } },
    };
  }

  /** Waits for a message matching `match`. */
  waitFor(description: string, match: (seen: Seen) => boolean, timeoutMs = 60_000): Promise<Seen> {
    return eventually(() => this.seen.find(match), { timeoutMs, intervalMs: 100, message: description });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
  }
}
