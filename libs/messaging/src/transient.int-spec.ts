import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { PostgresEventStore, type GlobalEvent, type NewEvent, type PostgresTransaction } from '@custody/event-store';
import { databaseUrl, eventually, uniqueName } from '@custody/testing';
import type { Message } from 'kafkajs';
import { contractDecoder, contractRoute } from './contract-codec';
import { EventConsumer, type ConsumerOutcome } from './consumer';
import { PostgresInbox } from './inbox';
import { deadLetterTopic } from './topics';
import { DatabaseProxy } from './testing/database-proxy';
import { inmateRegistered, residenceStatusRecorded } from './testing/events';
import { Harness } from './testing/harness';

interface LogLine {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

/**
 * A database outage (real broker and PostgreSQL; the consumer reaches the database through a TCP
 * proxy the test cuts for eight seconds, longer than the group's session timeout: every connection
 * closed, new ones refused).
 * Before, a handler that failed 5 times over about 1.5 s was dead-lettered as HANDLER_FAILED and
 * its effect lost while later events of the same person were applied. Now the failure is
 * transient: the partition waits and retries until the database is back; every effect is applied
 * once, in order, and nothing is dead-lettered.
 */
describe('a database outage: transient failures never dead-letter', () => {
  let h: Harness;
  let proxy: DatabaseProxy;
  let pool: Pool;
  let store: PostgresEventStore;
  let inbox: PostgresInbox<PostgresTransaction>;
  const consumers: Array<EventConsumer<PostgresTransaction>> = [];

  beforeAll(async () => {
    h = await Harness.create('transient', { partitions: 1 });
    proxy = await DatabaseProxy.start(databaseUrl());
    pool = new Pool({ connectionString: proxy.url(databaseUrl()), options: `-c search_path="${h.db.schema}"`, max: 4, connectionTimeoutMillis: 2_000 });
    // An idle connection cut by the outage is reported here; the next query takes a new one.
    pool.on('error', () => undefined);
    store = new PostgresEventStore({ connection: pool, schema: h.db.schema, pollIntervalMs: 200 });
    inbox = new PostgresInbox(store, h.db.schema);
  });

  afterAll(async () => {
    for (const consumer of consumers) await consumer.stop().catch(() => undefined);
    await proxy?.restore();
    await store?.close().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    await proxy?.close();
    await h?.close();
  });

  function consumerOf(groupId: string, outcomes: ConsumerOutcome[], logs: LogLine[]): EventConsumer<PostgresTransaction> {
    const consumer = new EventConsumer<PostgresTransaction>({
      kafka: h.kafka,
      groupId,
      topics: [h.topic],
      decoder: contractDecoder(h.names),
      handlerFor: () => Harness.recordEffect,
      inbox,
      // Were the outage's failures of unknown kind, three attempts would dead-letter them at once.
      retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 50 },
      transientRetry: { initialDelayMs: 100, maxDelayMs: 400 },
      // The broker's shortest session: an outage longer than it shows that waiting heartbeats.
      sessionTimeoutMs: 6_000,
      onOutcome: (outcome) => outcomes.push(outcome),
      log: (level, message, fields) => logs.push({ level, message, fields }),
    });
    consumers.push(consumer);
    return consumer;
  }

  const route = () => contractRoute(h.names);
  function message(event: NewEvent): Message {
    const global = { ...event, streamName: 'inmate-x', revision: 0, position: 0n, recordedAt: new Date().toISOString(), checkpoint: 0 } as unknown as GlobalEvent;
    const { key, value, headers } = route()(global)!;
    return { key, value, headers };
  }

  async function messagesOn(topic: string): Promise<number> {
    const admin = h.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((sum, { high, low }) => sum + Number(high) - Number(low), 0);
    } finally {
      await admin.disconnect();
    }
  }
  const deadLetterCount = () => messagesOn(deadLetterTopic(h.topic));

  it('waits on the message while the database is out (blocked, logged, still a member of its group), then applies every event once, in order, dead-lettering none', async () => {
    const outcomes: ConsumerOutcome[] = [];
    const logs: LogLine[] = [];
    const groupId = uniqueName('transient');
    const consumer = consumerOf(groupId, outcomes, logs);
    await consumer.start();
    const producer = await h.producer();

    const person = randomUUID();
    const before = inmateRegistered(person);
    await producer.send({ topic: h.topic, acks: -1, messages: [message(before)] });
    await eventually(async () => ((await h.effects()).some((e) => e.event_id === before.id) ? true : undefined), { message: 'the event before the outage' });

    // The outage: the database is gone for the consumer; events keep coming on the topic.
    await proxy.cut();
    const cutAt = Date.now();
    const during = [residenceStatusRecorded(person), inmateRegistered(), residenceStatusRecorded(person), residenceStatusRecorded(person), inmateRegistered()];
    for (const event of during) await producer.send({ topic: h.topic, acks: -1, messages: [message(event)] });

    // The partition waits on the first of them, retried again and again, for three seconds at least.
    const blocked = await eventually(
      () => {
        const waiting = consumer.status().blocked;
        return waiting.length === 1 && waiting[0].failures >= 3 && Date.now() - cutAt >= 3_000 ? waiting[0] : undefined;
      },
      { message: 'the consumer to wait on the first event of the outage for three seconds' },
    );
    expect(blocked).toMatchObject({ topic: h.topic, partition: 0, offset: '1', eventId: during[0].id, type: 'ResidenceStatusRecorded' });
    const outage = /^(ECONNREFUSED|ECONNRESET|CONNECTION_LOST|57P01|08\w{3})$/;
    expect(blocked.code).toMatch(outage);
    expect(blocked.seconds).toBeGreaterThan(0);
    const waitingLine = logs.find((line) => line.level === 'warn' && line.fields?.ce_id === during[0].id);
    expect(waitingLine?.fields).toMatchObject({ topic: h.topic, partition: 0, offset: '1', ce_id: during[0].id, type: 'ResidenceStatusRecorded', code: expect.stringMatching(outage) });
    expect(waitingLine?.message).toContain(`${h.topic}/0@1`);
    expect(outcomes.filter((o) => o.kind === 'dead-lettered')).toEqual([]);

    // Longer than the group's session timeout: the member heartbeats while it waits, keeps its
    // partition and goes on waiting on the same message (not read again after a rebalance).
    const later = await eventually(
      () => {
        const waiting = consumer.status().blocked;
        return waiting.length === 1 && Date.now() - cutAt >= 8_000 ? waiting[0] : undefined;
      },
      { message: 'the consumer to wait past the session timeout' },
    );
    expect(later).toMatchObject({ eventId: during[0].id, offset: '1', since: blocked.since });
    expect(later.failures).toBeGreaterThan(blocked.failures);
    expect(consumer.status()).toMatchObject({ connected: true, joined: true, assignment: { [h.topic]: [0] } });
    const admin = h.kafka.admin();
    await admin.connect();
    try {
      const [group] = (await admin.describeGroups([groupId])).groups;
      expect({ state: group.state, members: group.members.length }).toEqual({ state: 'Stable', members: 1 });
    } finally {
      await admin.disconnect();
    }

    await proxy.restore();
    const all = [before, ...during];
    const effects = await eventually(async () => {
      const rows = await h.effects();
      return rows.length >= all.length ? rows : undefined;
    }, { message: 'every effect applied after the outage' });

    expect(effects.map((e) => e.event_id)).toEqual(all.map((e) => e.id));
    const ofPerson = effects.filter((e) => e.subject === `inmate/${person}`).map((e) => e.event_id);
    expect(ofPerson).toEqual([before, during[0], during[2], during[3]].map((e) => e.id));
    expect(outcomes.filter((o) => o.kind === 'dead-lettered')).toEqual([]);
    expect(outcomes.filter((o) => o.kind === 'processed')).toHaveLength(all.length);
    expect(await deadLetterCount()).toBe(0);
    expect(consumer.status().blocked).toEqual([]);
    expect(logs.find((line) => line.level === 'log' && line.fields?.ce_id === during[0].id)?.message).toMatch(/applied .* after \d+ transient failure\(s\)/);
    await consumer.stop();
  });

  it('stops while it waits, committing nothing of the waiting message: the next consumer of the group applies it once', async () => {
    const groupId = uniqueName('transient-stop');
    const outcomes: ConsumerOutcome[] = [];
    const first = consumerOf(groupId, outcomes, []);
    await first.start();
    // A new group reads the topic from its beginning: the events of the first test, applied before the outage.
    const earlier = await messagesOn(h.topic);
    await eventually(() => (outcomes.filter((o) => o.kind === 'processed').length >= earlier ? true : undefined), { message: 'the earlier events' });
    const producer = await h.producer();
    const event = inmateRegistered();

    await proxy.cut();
    await producer.send({ topic: h.topic, acks: -1, messages: [message(event)] });
    await eventually(() => (first.status().blocked.some((b) => b.eventId === event.id && b.failures >= 2) ? true : undefined), {
      message: 'the consumer to wait on the event',
    });
    await first.stop();
    expect(outcomes.filter((o) => o.kind !== 'processed' || o.event.id === event.id)).toEqual([]);

    await proxy.restore();
    const second = consumerOf(groupId, outcomes, []);
    await second.start();
    await eventually(() => (outcomes.some((o) => o.kind === 'processed' && o.event.id === event.id) ? true : undefined), {
      message: 'the next consumer of the group to apply the event',
    });
    expect((await h.effects()).filter((e) => e.event_id === event.id)).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'dead-lettered')).toEqual([]);
    expect(await deadLetterCount()).toBe(0);
  });
});
