// Test support for integration tests: boots the real application on the real broker and
// database with a fresh schema, unique topics (prefix) and groups, and the test's clock.
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Consumer, Producer } from 'kafkajs';
import { Pool } from 'pg';
import { currentVersion, EXAMPLES, TOPICS, toKafkaMessage, type MessageType } from '@custody/contracts';
import { PostgresEventStore } from '@custody/event-store';
import { loadConfig } from '@custody/config';
import { generateMasterKey } from '@custody/personal-data';
import { databaseUrl, eventually, kafkaBrokers, testKafka, uniqueName, uniqueSchemaName } from '@custody/testing';
import { createApp } from '../app';
import { TransferConfig } from '../config';
import type { Clock } from '../deadlines/clock';
import { InmatesRepository } from '../inmates/inmates.repository';

export interface TestEnvironment {
  schema: string;
  prefix: string;
  groupId: string;
}

export const newEnvironment = (): TestEnvironment => ({
  schema: uniqueSchemaName('transfer'),
  prefix: `${uniqueName('tr')}.`,
  groupId: uniqueName('transfer-group'),
});

/**
 * The application with the test's environment. Tests of the service's behaviour run without
 * authentication; security.int-spec.ts turns it on with its test issuers through `overrides`.
 */
export async function bootTransferApp(
  env: TestEnvironment, clock?: Clock, overrides: Record<string, string> = {},
  /** `consume: false`: HTTP, the store and the topics, but no consumer yet (start it with app.startAllMicroservices()). */
  { consume = true }: { consume?: boolean } = {},
): Promise<INestApplication> {
  const config = loadConfig(TransferConfig, {
    DATABASE_URL: databaseUrl(),
    DATABASE_SCHEMA: env.schema,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    KAFKA_CLIENT_ID: uniqueName('transfer'),
    // Instances of one test share the group: each its own name in it (docs/adr/0017-restart-replaces-previous-member.md).
    KAFKA_INSTANCE_ID: uniqueName('transfer-instance'),
    KAFKA_TOPIC_PREFIX: env.prefix,
    KAFKA_GROUP_ID: env.groupId,
    KAFKA_PARTITIONS: '2',
    DEADLINE_SCAN_INTERVAL_MS: '200',
    AUTH_MODE: 'off',
    // Likewise commands on Kafka unsigned; signed-commands.int-spec.ts requires signatures with its test keys.
    COMMAND_SIGNATURES: 'off',
    // And other services' events unverified, unless the test names the publishers' keys (signed-events.int-spec.ts).
    EVENT_SIGNATURES: overrides.EVENT_PUBLISHER_KEYS ? 'required' : 'off',
    RATE_LIMIT_PER_MINUTE: '100000',
    // The tests date their acts on fixed days of 2026 (docs/domain.md, Rule 17 would ask a reason of each):
    // late recording has tests of its own, which set COMMAND_LATE_RECORDING_DAYS back.
    COMMAND_LATE_RECORDING_DAYS: '36500',
    // A master key of the test's own (the opinion is sealed under persons' keys it wraps): no key is
    // committed anywhere. One per schema, so that the instances of one test share it, as a deployment's do.
    PERSONAL_DATA_MASTER_KEY: masterKeyOf(env.schema),
    ...overrides,
  });
  const app = await createApp(config, { clock, logger: ['error', 'warn'] });
  await app.init();
  if (consume) await app.startAllMicroservices();
  return app;
}

const masterKeys = new Map<string, string>();
/** The master key of the instances on one schema: generated for the first, given to the others. */
function masterKeyOf(schema: string): string {
  let key = masterKeys.get(schema);
  if (!key) {
    key = generateMasterKey();
    masterKeys.set(schema, key);
  }
  return key;
}

export async function dropSchema(schema: string): Promise<void> {
  const pool = new Pool({ connectionString: databaseUrl(), max: 1 });
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
}

/** Produces messages of the contract (CloudEvents envelope) on the test's prefixed topics: what other services would send. */
export class TestProducer {
  private producer?: Producer;

  constructor(private readonly prefix: string) {}

  /** A command's envelope carries its `occurredAt` as `ce_time` and names its sender (the actor). */
  async send(type: MessageType, data: object, topic: string, options: { id?: string; actor?: { state: string; organisation: string } } = {}): Promise<string> {
    this.producer ??= testKafka('producer').producer();
    await this.producer.connect();
    const id = options.id ?? randomUUID();
    const occurredAt = (data as { occurredAt?: string }).occurredAt ?? new Date().toISOString();
    const metadata = { correlationId: id, occurredAt, ...(options.actor ? { actor: options.actor } : {}) };
    const message = toKafkaMessage({ id, type, schemaVersion: currentVersion(type), data, metadata });
    await this.producer.send({ topic: `${this.prefix}${topic}`, messages: [message] });
    return id;
  }

  /**
   * Sends messages in one request: with one key they go to one partition as one record batch,
   * which the service's consumer fetches whole (and applies in one transaction).
   */
  async sendTogether(topic: string, messages: Array<{ type: MessageType; data: object; id?: string; actor?: { state: string; organisation: string } }>): Promise<string[]> {
    this.producer ??= testKafka('producer').producer();
    await this.producer.connect();
    const ids = messages.map((m) => m.id ?? randomUUID());
    const encoded = messages.map(({ type, data, actor }, index) => {
      const occurredAt = (data as { occurredAt?: string }).occurredAt ?? new Date().toISOString();
      const metadata = { correlationId: ids[index], occurredAt, ...(actor ? { actor } : {}) };
      return toKafkaMessage({ id: ids[index], type, schemaVersion: currentVersion(type), data, metadata });
    });
    await this.producer.send({ topic: `${this.prefix}${topic}`, messages: encoded });
    return ids;
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
  }
}

/** A message's JSON value; a dead letter's value may be no JSON at all (kept as `raw`). */
function parsed(value: Buffer | null): Record<string, unknown> {
  try {
    return JSON.parse(String(value ?? '')) as Record<string, unknown>;
  } catch {
    return { raw: String(value ?? '') };
  }
}

/** Reads what the service publishes on its prefixed topics. */
export class TopicReader {
  readonly messages: { topic: string; type: string; key: string; data: Record<string, unknown>; headers: Record<string, string> }[] = [];
  private consumer?: Consumer;

  constructor(private readonly prefix: string) {}

  async start(topics: string[]): Promise<void> {
    this.consumer = testKafka('reader').consumer({ groupId: uniqueName('reader') });
    await this.consumer.connect();
    for (const topic of topics) await this.consumer.subscribe({ topic: `${this.prefix}${topic}`, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, message }) => {
        this.messages.push({
          topic: topic.slice(this.prefix.length),
          type: String(message.headers?.ce_type ?? ''),
          key: String(message.key ?? ''),
          data: parsed(message.value),
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)])),
        });
      },
    });
  }

  /** Waits for a message matching `match` (bounded). */
  waitFor(match: (m: TopicReader['messages'][number]) => boolean, what: string, timeoutMs = 30_000) {
    return eventually(() => this.messages.find(match), { timeoutMs, message: what });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/**
 * The inmate facts of intake's events for the Belgium → Albania example, sent on the intake
 * events topic; with `app`, waits until the service holds them (a case is opened only for a person
 * the service knows from intake's registration).
 */
export async function registerInmate(
  producer: TestProducer,
  inmateId: string,
  facts: { nationalities: string[]; sendingState: string; habitualResidence: string; sentence?: object; expulsionOrder?: object },
  app?: INestApplication,
): Promise<void> {
  const registered = EXAMPLES.InmateRegistered as Record<string, unknown>;
  await producer.send('InmateRegistered', {
    ...registered, inmateId, nationalities: facts.nationalities, sendingState: facts.sendingState,
    residence: { status: 'irregular', habitualResidence: facts.habitualResidence },
  }, TOPICS.intakeEvents);
  await producer.send('SentenceRecorded', { inmateId, sentence: facts.sentence ?? (EXAMPLES.SentenceRecorded as { sentence: object }).sentence }, TOPICS.intakeEvents);
  if (facts.expulsionOrder) await producer.send('ExpulsionOrderRecorded', { inmateId, expulsionOrder: facts.expulsionOrder }, TOPICS.intakeEvents);
  if (!app) return;
  await eventually(async () => {
    const known = await app.get(InmatesRepository).find(inmateId);
    return known?.sendingState && known.sentence && (!facts.expulsionOrder || known.expulsionOrder) ? known : undefined;
  }, { timeoutMs: 60_000, message: `intake's facts of inmate ${inmateId}` });
}

/** Events of a case's stream, read from the store. */
export async function streamTypes(app: INestApplication, transferId: string): Promise<string[]> {
  const types: string[] = [];
  for await (const event of app.get(PostgresEventStore).readStream(`transfer-${transferId}`)) types.push(event.type);
  return types;
}

/** An Albanian national held by Belgium, registered by intake's events and known to the service once this resolves. */
export async function knownBelgianInmate(env: TestEnvironment, app: INestApplication, inmateId: string): Promise<void> {
  const intake = new TestProducer(env.prefix);
  try {
    await registerInmate(intake, inmateId, { nationalities: ['AL'], sendingState: 'BE', habitualResidence: 'BE' }, app);
  } finally {
    await intake.close();
  }
}

