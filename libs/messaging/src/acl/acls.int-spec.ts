import { commandResultsTopic, TOPICS } from '@custody/contracts';
import { OwnKafka, uniqueName } from '@custody/testing';
import { Kafka, logLevel } from 'kafkajs';
import { createKafka } from '../kafka';
import { RELAY_CHECKPOINT_TOPIC, relayTransactionalId, transactionalPublisher, type RelayTerm } from '../relay-publishers';
import { platformaticPublisher, RELAY_CLIENTS } from '../relay-publisher-platformatic';
import { generateCredentials, secureBroker, type KafkaCredentials } from './credentials';
import type { ScramUser } from './scram-credentials';

/** Every Kafka error code in an error and what it wraps (kafkajs and @platformatic/kafka nest them: retries, causes, several partitions). */
function codesOf(error: unknown, depth = 0): string[] {
  if (!error || typeof error !== 'object' || depth > 8) return [];
  const e = error as { type?: unknown; apiId?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown };
  return [
    ...(typeof e.type === 'string' ? [e.type] : []),
    // @platformatic/kafka names the broker's code in apiId.
    ...(typeof e.apiId === 'string' ? [e.apiId] : []),
    ...codesOf(e.cause, depth + 1),
    ...codesOf(e.originalError, depth + 1),
    ...(Array.isArray(e.errors) ? e.errors.flatMap((inner) => codesOf(inner, depth + 1)) : []),
  ];
}

/**
 * The Kafka error codes `work` failed with (none if it succeeded): those of its error, and those
 * the broker answered meanwhile as its client logged them (`heard`): kafkajs throws a refused
 * coordinator lookup as "Failed to find group coordinator", without the broker's code.
 */
async function refusal(work: () => Promise<unknown>, heard: string[] = []): Promise<string[]> {
  try {
    await work();
    return [];
  } catch (error) {
    const codes = [...new Set([...codesOf(error), ...heard])];
    return codes.length > 0 ? codes : [`not a Kafka refusal: ${(error as Error).message}`];
  }
}

/**
 * A broker of the test's own with the authoriser and the ACLs of docs/security.md applied for a
 * deployment of four services and three ministries (BE, AL, NL), its users created over the loopback
 * listener as `npm run dev` creates them; every client below connects with SCRAM as one of them.
 */
describe("the broker's ACLs, from the table of docs/security.md", () => {
  let broker: OwnKafka | undefined;
  let credentials: KafkaCredentials;
  const prefix = `${uniqueName('acl')}.`;
  const clients: Array<{ disconnect(): Promise<void> }> = [];
  const topic = (name: string) => `${prefix}${name}`;

  /** A client of the SCRAM listener as `user`; the error codes in what it logs go to `heard`. */
  const as = (user: ScramUser, heard: string[] = []): Kafka =>
    new Kafka({
      brokers: [`127.0.0.1:${broker!.scramPort}`],
      clientId: uniqueName('acl-client'),
      sasl: { mechanism: 'scram-sha-512', username: user.username, password: user.password },
      logLevel: logLevel.DEBUG,
      logCreator: () => (entry) => {
        heard.push(...codesOf((entry.log as { error?: unknown }).error));
      },
    });

  /** The first message `user` reads of `name` in group `groupId`; rejects with the consumer's error. */
  const firstMessage = async (user: ScramUser, groupId: string, name: string, heard: string[] = []): Promise<string> => {
    const consumer = as(user, heard).consumer({ groupId, retry: { retries: 2 } });
    clients.push(consumer);
    return new Promise<string>((done, fail) => {
      consumer.on(consumer.events.CRASH, (event) => fail(event.payload.error));
      consumer
        .connect()
        .then(() => consumer.subscribe({ topic: name, fromBeginning: true }))
        .then(() => consumer.run({ eachMessage: async ({ message }) => done(message.value?.toString() ?? '') }))
        .catch(fail);
    }).finally(() => consumer.disconnect());
  };

  beforeAll(async () => {
    broker = await OwnKafka.create(1, { heap: '-Xms128m -Xmx384m' });
    await broker.start();
    credentials = generateCredentials({
      brokers: `127.0.0.1:${broker.scramPort}`,
      topicPrefix: prefix,
      services: { intake: topic('intake'), transfer: topic('transfer'), custody: topic('custody'), audit: topic('audit-ledger') },
      states: ['BE', 'AL', 'NL'],
    });
    // The loopback listener's principal is a super user: it creates the users, the ACLs and the topics.
    const administrator = createKafka({ brokers: [`127.0.0.1:${broker.port}`], clientId: 'acl-administrator', logLevel: logLevel.NOTHING });
    await secureBroker({ bootstrap: `127.0.0.1:${broker.port}`, kafka: administrator, credentials });
    const admin = administrator.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [TOPICS.transferEvents, TOPICS.intakeEvents, TOPICS.intakeCommands, commandResultsTopic('BE'), commandResultsTopic('AL'), RELAY_CHECKPOINT_TOPIC].map((name) => ({ topic: topic(name), numPartitions: 1 })),
    });
    await admin.disconnect();
    const producer = administrator.producer();
    await producer.connect();
    await producer.send({ topic: topic(commandResultsTopic('BE')), messages: [{ key: 'r', value: "Belgium's result" }] });
    await producer.send({ topic: topic(commandResultsTopic('AL')), messages: [{ key: 'r', value: "Albania's result" }] });
    await producer.disconnect();
  }, 400_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.disconnect().catch(() => undefined)));
    await broker?.destroy();
  }, 120_000);

  it('refuses a ministry producing to custody.transfer.events, and takes its commands', async () => {
    const producer = as(credentials.ministries.BE).producer({ allowAutoTopicCreation: false, retry: { retries: 2 } });
    clients.push(producer);
    await producer.connect();
    expect(await refusal(() => producer.send({ topic: topic(TOPICS.transferEvents), acks: -1, messages: [{ key: 'case-1', value: '{"forged":true}' }] }))).toContain(
      'TOPIC_AUTHORIZATION_FAILED',
    );
    expect(await refusal(() => producer.send({ topic: topic(TOPICS.intakeCommands), acks: -1, messages: [{ key: 'inmate-1', value: '{}' }] }))).toEqual([]);
  }, 120_000);

  it("lets a ministry read its own state's results topic and refuses another state's, or another state's group", async () => {
    const belgium = credentials.ministries.BE;
    expect(await firstMessage(belgium, topic('custody.ministry.BE.results-1'), topic(commandResultsTopic('BE')))).toBe("Belgium's result");
    expect(await refusal(() => firstMessage(belgium, topic('custody.ministry.BE.results-2'), topic(commandResultsTopic('AL'))))).toContain('TOPIC_AUTHORIZATION_FAILED');
    const heard: string[] = [];
    expect(await refusal(() => firstMessage(belgium, topic('custody.ministry.AL.results-1'), topic(commandResultsTopic('BE')), heard), heard)).toContain(
      'GROUP_AUTHORIZATION_FAILED',
    );
    // The Netherlands, with no results topic yet, reads neither of the others.
    expect(await refusal(() => firstMessage(credentials.ministries.NL, topic('custody.ministry.NL.results-1'), topic(commandResultsTopic('BE'))))).toContain(
      'TOPIC_AUTHORIZATION_FAILED',
    );
  }, 180_000);

  it.each(RELAY_CLIENTS)("lets a service publish its own events in a transaction, as its relay does, and refuses it another service's topic and transactional id (relay on %s)", async (relayClient) => {
    const heard: string[] = [];
    const transfer = as(credentials.services.transfer, heard);
    const user = credentials.services.transfer;
    const publisher = (name: string) => {
      const role = { transactionalId: relayTransactionalId(prefix, name), checkpointTopic: topic(RELAY_CHECKPOINT_TOPIC), retry: { retries: 2 } };
      return relayClient === 'kafkajs'
        ? transactionalPublisher({ kafka: transfer, ...role })
        : platformaticPublisher({
          kafka: { brokers: [`127.0.0.1:${broker!.scramPort}`], clientId: uniqueName('acl-relay'), sasl: { mechanism: 'scram-sha-512', username: user.username, password: user.password } },
          ...role,
        });
    };
    let term: RelayTerm | undefined = await publisher('transfer').begin();
    try {
      await term.publish([{ topic: topic(TOPICS.transferEvents), messages: [{ key: 'case-1', value: "transfer's event" }] }], '1');
    } finally {
      await term.close();
    }
    // The checkpoint committed with the batch, read as a relay reads it: once the next term has
    // fenced this one (read right after the commit, the broker may still give the one before:
    // docs/adr/0009-fenced-transactional-relay.md).
    term = await publisher('transfer').begin();
    try {
      expect(await term.checkpoint()).toBe('1');
    } finally {
      await term.close();
    }
    // Intake reads it in its own group.
    expect(await firstMessage(credentials.services.intake, topic('intake'), topic(TOPICS.transferEvents))).toBe("transfer's event");

    term = await publisher('transfer').begin();
    try {
      expect(await refusal(() => term!.publish([{ topic: topic(TOPICS.intakeEvents), messages: [{ key: 'inmate-1', value: 'forged' }] }], '2'))).toContain(
        'TOPIC_AUTHORIZATION_FAILED',
      );
    } finally {
      await term.close();
    }
    heard.length = 0;
    expect(await refusal(() => publisher('intake').begin(), heard)).toContain('TRANSACTIONAL_ID_AUTHORIZATION_FAILED');
    // Nothing of transfer's reached intake's topic.
    const admin = createKafka({ brokers: [`127.0.0.1:${broker!.port}`], clientId: 'acl-check', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      expect((await admin.fetchTopicOffsets(topic(TOPICS.intakeEvents))).map((p) => p.high)).toEqual(['0']);
    } finally {
      await admin.disconnect();
    }
  }, 180_000);
});
