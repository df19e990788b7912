import { randomUUID } from 'node:crypto';
import { DEAD_LETTER_HEADERS } from '@custody/contracts';
import { PostgresEventStore, type GlobalEvent, type NewEvent } from '@custody/event-store';
import { createTestSchema, eventually, uniqueName } from '@custody/testing';
import type { IHeaders, Message } from 'kafkajs';
import { contractRoute } from './contract-codec';
import { EVENT_ID_CONFLICT } from './consumer';
import { PostgresInbox } from './inbox';
import { inmateRegistered } from './testing/events';
import { Harness } from './testing/harness';
import { deadLetterTopic } from './topics';

interface DeadLetter {
  value: Buffer | null;
  headers: Record<string, string>;
}

const text = (headers: IHeaders | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));

/** The message the relay would publish for `event`, with headers overridden. */
function messageOf(h: Harness, event: NewEvent, headers: Record<string, string> = {}): Message {
  const global = { ...event, streamName: `inmate-${(event.data as { inmateId: string }).inmateId}`, revision: 0, position: 0n, recordedAt: new Date().toISOString(), checkpoint: '0:0' } as GlobalEvent;
  const routed = contractRoute(h.names)(global)!;
  return { key: routed.key, value: routed.value, headers: { ...routed.headers, ...headers } };
}

// Issue 19 item 5 (docs/adr/0014-namespaced-event-ids.md): the inbox keys what it processed by
// (ce_source, ce_id) and keeps a digest of the content. A message with an id already processed
// from the same sender but with other content used to be answered `duplicate` and dropped in
// silence (custody never destroyed a person's key when a forged event took the id of intake's
// PersonalDataErased first); it is now an alarm: dead-lettered as EVENT_ID_CONFLICT, logged at error.
describe('an event id seen again with other content', () => {
  let h: Harness;
  const deadLetters: DeadLetter[] = [];
  const errors: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  let stopReader = async () => undefined as unknown;

  beforeAll(async () => {
    h = await Harness.create('id-conflicts', { partitions: 1 });
  });

  /** Reads the dead-letter topic (created by the first consumer). */
  async function readDeadLetters(): Promise<void> {
    const reader = h.kafka.consumer({ groupId: uniqueName('dlq-reader') });
    await reader.connect();
    await reader.subscribe({ topic: deadLetterTopic(h.topic), fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void deadLetters.push({ value: message.value, headers: text(message.headers) }) });
    stopReader = () => reader.disconnect();
  }

  afterAll(async () => {
    await stopReader();
    await h?.close();
  });

  it('is dead-lettered as EVENT_ID_CONFLICT and logged, never applied nor dropped as a duplicate; the same message again stays a quiet duplicate', async () => {
    const consumer = await h.startConsumer({ log: (level, message, fields) => void (level === 'error' && errors.push({ message, ...(fields ? { fields } : {}) })) });
    await readDeadLetters();
    const producer = await h.producer();
    const genuine = inmateRegistered();
    const genuineMessage = messageOf(h, genuine);
    // The forgery: another event's content under the genuine event's id, from the same sender.
    const forged = messageOf(h, inmateRegistered(), { ce_id: genuine.id });
    const after = inmateRegistered();
    for (const message of [genuineMessage, genuineMessage, forged, messageOf(h, after)]) await producer.send({ topic: h.topic, acks: -1, messages: [message] });

    await eventually(async () => ((await h.effects()).length >= 2 ? true : undefined), { message: 'the genuine event and the one behind the forgery' });
    const dead = await eventually(() => deadLetters.find((d) => d.headers[DEAD_LETTER_HEADERS.code] === EVENT_ID_CONFLICT), { message: 'the EVENT_ID_CONFLICT dead letter' });

    expect((await h.effects()).map((e) => e.event_id)).toEqual([genuine.id, after.id]);
    expect(dead.headers.ce_id).toBe(genuine.id);
    expect(dead.headers[DEAD_LETTER_HEADERS.originalOffset]).toBe('2');
    expect(dead.value!.equals(Buffer.from(forged.value as string))).toBe(true);
    expect(dead.headers[DEAD_LETTER_HEADERS.reason]).toContain(genuine.id);
    expect(dead.headers[DEAD_LETTER_HEADERS.reason]).toContain('/custody/intake');
    // The genuine message delivered twice: one duplicate, no alarm.
    expect(h.outcomes.filter((o) => o.kind === 'duplicate')).toHaveLength(1);
    expect(h.outcomes.filter((o) => o.kind === 'dead-lettered').map((o) => o.kind === 'dead-lettered' && o.code)).toEqual([EVENT_ID_CONFLICT]);
    expect(errors).toEqual([expect.objectContaining({ message: expect.stringContaining(EVENT_ID_CONFLICT), fields: expect.objectContaining({ ce_id: genuine.id, ce_source: '/custody/intake' }) })]);
    await consumer.stop();
  });

  it('keys the inbox by (source, id): the same id from another sender is another message', async () => {
    const group = uniqueName('by-source');
    const consumer = await h.startConsumer({ groupId: group });
    const producer = await h.producer();
    const first = inmateRegistered();
    const second = inmateRegistered();
    await producer.send({ topic: h.topic, acks: -1, messages: [messageOf(h, first), messageOf(h, second, { ce_id: first.id, ce_source: '/custody/transfer' })] });
    const claims = async () =>
      (await h.db.pool.query<{ source: string; digest: string | null }>(
        `SELECT source, digest FROM "${h.db.schema}".inbox WHERE consumer = $1 AND event_id = $2 ORDER BY source`,
        [group, first.id],
      )).rows;
    const rows = await eventually(async () => ((await claims()).length >= 2 ? claims() : undefined), { message: 'both messages with that id processed' });
    expect((await h.effects()).filter((e) => e.event_id === first.id)).toHaveLength(2);
    expect(rows.map((r) => r.source)).toEqual(['/custody/intake', '/custody/transfer']);
    expect(rows.every((r) => typeof r.digest === 'string' && r.digest.length === 64)).toBe(true);
    await consumer.stop();
  });
});

describe('the inbox migrated from (consumer, event id) to (consumer, source, event id)', () => {
  it('keeps the rows from before: a redelivery of a message processed before the upgrade is still a duplicate', async () => {
    const db = await createTestSchema('inbox_upgrade');
    try {
      const store = new PostgresEventStore({ connection: db.pool, schema: db.schema });
      await store.migrate();
      // The table as it was before versioned migrations, with a message processed then.
      await db.pool.query(`CREATE TABLE "${db.schema}".inbox (
        consumer text NOT NULL, event_id text NOT NULL, topic text NOT NULL, partition integer NOT NULL, "offset" bigint NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (consumer, event_id))`);
      const before = randomUUID();
      await db.pool.query(`INSERT INTO "${db.schema}".inbox (consumer, event_id, topic, partition, "offset") VALUES ('group', $1, 't', 0, 0)`, [before]);
      const inbox = new PostgresInbox(store, db.schema);
      await inbox.migrate();
      await inbox.migrate();
      const origin = { topic: 't', partition: 0, offset: '1' };
      let ran = 0;
      const work = async () => void ran++;
      expect(await inbox.runOnce('group', { id: before, source: '/custody/intake', digest: 'a' }, origin, work)).toBe('duplicate');
      const after = randomUUID();
      expect(await inbox.runOnce('group', { id: after, source: '/custody/intake', digest: 'a' }, origin, work)).toBe('processed');
      expect(await inbox.runOnce('group', { id: after, source: '/custody/intake', digest: 'a' }, origin, work)).toBe('duplicate');
      expect(await inbox.runOnce('group', { id: after, source: '/custody/intake', digest: 'b' }, origin, work)).toBe('conflict');
      expect(await inbox.runOnce('group', { id: after, source: '/custody/transfer', digest: 'b' }, origin, work)).toBe('processed');
      expect(await inbox.runMany('group', [{ eventId: { id: after, source: '/custody/intake', digest: 'c' }, origin, work }])).toEqual(['conflict']);
      expect(ran).toBe(2);
      const { rows } = await db.pool.query(`SELECT migration_set, version FROM "${db.schema}".schema_migrations WHERE migration_set = 'inbox' ORDER BY version`);
      // Each version applied once (version 3, the instances' group members, came after).
      expect(rows).toEqual([1, 2, 3].map((version) => ({ migration_set: 'inbox', version })));
    } finally {
      await db.drop();
    }
  });
});
