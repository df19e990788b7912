import { randomUUID } from 'node:crypto';
import { eventually } from '@custody/testing';
import type { NewEvent } from '@custody/event-store';
import type { ConsumerOutcome } from './consumer';
import { contractRoute } from './contract-codec';
import { custodyPartitioner } from './kafka';
import type { RevisionGap } from './stream-revisions';
import { inmateRegistered, inmateStream, residenceStatusRecorded } from './testing/events';
import { Harness } from './testing/harness';

/** An event of the service's own that the contract does not publish (as custody's SentenceToServeNoted). */
const internal = (inmateId: string): NewEvent => ({
  id: randomUUID(),
  type: 'SentenceToServeNoted',
  schemaVersion: 1,
  data: { inmateId },
  metadata: { correlationId: randomUUID(), occurredAt: new Date().toISOString() },
});

const header = (outcome: ConsumerOutcome, name: string) => {
  const value = outcome.message.headers[name];
  return value === undefined ? undefined : String(value);
};

describe('stream revisions on the wire', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.create('stream-revisions');
  });

  afterAll(async () => {
    await h?.close();
  });

  it("carries each event's stream, revision and previous published revision, passing over internal events, also after the relay restarts", async () => {
    const gaps: RevisionGap[] = [];
    await h.startConsumer({ onRevisionGap: (gap) => gaps.push(gap) });
    const inmateId = randomUUID();
    const stream = inmateStream(inmateId);
    const registered = inmateRegistered(inmateId);
    const first = residenceStatusRecorded(inmateId);
    await h.store.appendToStream(stream, [registered, internal(inmateId), first]);
    const relay = await h.startRelay({ log: () => undefined });
    const processed = (id: string) => eventually(async () => h.outcomes.find((o) => o.kind === 'processed' && o.event.id === id), { message: `event ${id} to be processed` });

    const positions = async (...ids: string[]) =>
      (await Promise.all(ids.map(processed))).map((o) => [header(o, 'ce_stream'), header(o, 'ce_streamrevision'), header(o, 'ce_streamprevious')]);
    expect(await positions(registered.id, first.id)).toEqual([
      [stream, '0', '-1'],
      [stream, '2', '0'],
    ]);

    // A relay that starts again remembers nothing: it reads back through the stream in the store.
    await relay.stop();
    const second = residenceStatusRecorded(inmateId);
    await h.store.appendToStream(stream, [internal(inmateId), internal(inmateId), second]);
    await h.startRelay({ log: () => undefined });
    expect(await positions(second.id)).toEqual([[stream, '5', '2']]);
    expect(gaps).toEqual([]);
  });

  it('lets a consumer see a revision that never arrived, once, and a redelivered one as no gap', async () => {
    const gaps: RevisionGap[] = [];
    const lines: string[] = [];
    const outcomes: ConsumerOutcome[] = [];
    await h.startConsumer({ onOutcome: (o) => outcomes.push(o), onRevisionGap: (gap) => gaps.push(gap), log: (level, message) => lines.push(`${level} ${message}`) });
    const arrived = (id: string) => eventually(async () => (outcomes.some((o) => o.kind === 'processed' && o.event.id === id) ? true : undefined), { message: `event ${id} to arrive` });
    const producer = h.kafka.producer({ allowAutoTopicCreation: false, createPartitioner: custodyPartitioner });
    await producer.connect();
    try {
      const inmateId = randomUUID();
      const stream = inmateStream(inmateId);
      const events = [inmateRegistered(inmateId), residenceStatusRecorded(inmateId), residenceStatusRecorded(inmateId), residenceStatusRecorded(inmateId)];
      // As a relay would publish them (not through the store: the relay of this world would publish them all).
      const route = contractRoute(h.names);
      const recordedAt = new Date().toISOString();
      const messages = events.map((e, revision) => route({ ...e, streamName: stream, revision, position: BigInt(revision), recordedAt, checkpoint: String(revision) })!);
      // Revision 2 is lost on the way; revision 1 is delivered twice.
      const send = (i: number) => producer.send({ topic: h.topic, acks: -1, messages: [{ key: messages[i].key, value: messages[i].value, headers: messages[i].headers }] });
      for (const i of [0, 1, 1, 3]) await send(i);
      await arrived(events[3].id);

      expect(gaps).toEqual([expect.objectContaining({ source: '/custody/intake', stream, lastSeen: 1, revision: 3, missing: 2 })]);
      expect(lines.filter((line) => line.includes(stream))).toEqual([expect.stringMatching(new RegExp(`^warn .*stream ${stream} .*from revision 1 to 3.*revision 2, never arrived`))]);
      // Revision 2 arriving late is below what was seen: no gap, and none for what follows.
      await send(2);
      await arrived(events[2].id);
      expect(gaps).toHaveLength(1);
    } finally {
      await producer.disconnect();
    }
  });
});
