import { randomUUID } from 'node:crypto';
import { eventually, uniqueName } from '@custody/testing';
import { ArrivalWatch, partitionOfKey } from './arrivals';
import { inmateRegistered, residenceStatusRecorded } from './testing/events';
import { Harness } from './testing/harness';

/**
 * Whether a group has consumed the partition of a key, on the real broker, with the relay
 * publishing through Kafka transactions as the services do (docs/adr/0012-not-yet-known-here.md).
 */
describe('the arrival watch', () => {
  let h: Harness;
  let watch: ArrivalWatch;
  const groupId = uniqueName('arrivals-group');

  beforeAll(async () => {
    h = await Harness.create('arrivals', { partitions: 3 });
    // No memory of a partition found behind: each question asks the broker.
    watch = new ArrivalWatch({ kafka: h.kafka, groupId, pendingCacheMs: 0 });
  });

  afterAll(async () => {
    await watch?.close();
    await h?.close();
  });

  it('sees a person\'s published events unread until the group has consumed them, transaction markers included', async () => {
    const admin = h.kafka.admin();
    await admin.connect();
    const partitions = (await admin.fetchTopicMetadata({ topics: [h.topic] })).topics[0].partitions;
    await admin.disconnect();

    const inmateId = randomUUID();
    const personPartition = partitionOfKey(h.topic, inmateId, partitions);
    let other = randomUUID();
    while (partitionOfKey(h.topic, other, partitions) === personPartition) other = randomUUID();

    // Published by the relay (in a transaction), not consumed: the group has no offset yet.
    await h.append([inmateRegistered(inmateId), residenceStatusRecorded(inmateId)]);
    const relay = await h.startRelay();
    await eventually(() => (relay.status().published >= 2 ? true : undefined), { message: 'the relay to publish' });
    const pending = await watch.pending(h.topic, inmateId);
    expect(pending).toMatchObject({ topic: h.topic, partition: personPartition, retryAfterSeconds: 1 });
    // The two events, and the commit marker of each transaction they went out in.
    expect(pending!.unconsumed).toBeGreaterThanOrEqual(3);
    // Another partition, which holds nothing: nothing can be on its way there.
    expect(await watch.pending(h.topic, other)).toBeUndefined();

    // The group consumes: its committed offset reaches the end, past the transaction's commit marker.
    await h.startConsumer({ groupId });
    await eventually(async () => ((await watch.pending(h.topic, inmateId)) === undefined ? true : undefined), { message: 'the partition consumed to its end' });
    expect((await h.effects()).map((e) => e.type)).toEqual(['InmateRegistered', 'ResidenceStatusRecorded']);

    // More of the person while the consumer runs: unread until applied, then consumed to the end again.
    await h.append([residenceStatusRecorded(inmateId)]);
    await eventually(async () => ((await h.effects()).length === 3 ? true : undefined), { message: 'the third event applied' });
    await eventually(async () => ((await watch.pending(h.topic, inmateId)) === undefined ? true : undefined), { message: 'the partition consumed to its end again' });
  });

  it('answers undefined, not an error, when the broker cannot tell (a topic that does not exist)', async () => {
    const warnings: string[] = [];
    const lost = new ArrivalWatch({ kafka: h.kafka, groupId, log: (_level, message) => warnings.push(message) });
    try {
      expect(await lost.pending(`${h.topic}.missing`, randomUUID())).toBeUndefined();
    } finally {
      await lost.close();
    }
    expect(warnings).toEqual([expect.stringContaining(`could not ask the broker whether ${h.topic}.missing is consumed`)]);
  });
});

/**
 * A request that may wait (an HTTP request, NOT_YET_KNOWN_WAIT_MS) waits for the partition of its
 * subject to be consumed instead of being sent away: woken by this process's consumer when it
 * commits, or by the group's offsets on the broker when another instance consumes the partition;
 * the time up, it gets the pending arrival as before.
 */
describe('waiting for an arrival', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.create('arrivals-wait', { partitions: 3 });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('ends when the group has consumed what the partition held, through this process\'s commits or the broker\'s offsets; else the time runs out', async () => {
    const inmateId = randomUUID();
    await h.append([inmateRegistered(inmateId), residenceStatusRecorded(inmateId)]);
    const relay = await h.startRelay();
    await eventually(() => (relay.status().published >= 2 ? true : undefined), { message: 'the relay to publish' });

    // Nobody consumes for this group: the wait ends with the arrival still pending.
    const idle = new ArrivalWatch({ kafka: h.kafka, groupId: uniqueName('arrivals-idle') });
    try {
      const timedOut = await idle.awaitConsumed(h.topic, inmateId, 200);
      expect(timedOut).toMatchObject({ topic: h.topic, retryAfterSeconds: 1 });
      expect(timedOut!.unconsumed).toBeGreaterThanOrEqual(3);
    } finally {
      await idle.close();
    }

    // This process's consumer: its commits end the wait (a wait far longer than any test).
    const ownGroup = uniqueName('arrivals-own');
    const own = new ArrivalWatch({ kafka: h.kafka, groupId: ownGroup, pollMs: 600_000 });
    try {
      const waiting = own.awaitConsumed(h.topic, inmateId, 600_000);
      await h.startConsumer({ groupId: ownGroup, onCommitted: (topic, partition, offset) => own.committed(topic, partition, offset) });
      expect(await waiting).toBeUndefined();
    } finally {
      await own.close();
    }

    // Another instance consumes (no commits reported here): the broker's offsets end the wait.
    const otherGroup = uniqueName('arrivals-other');
    const polled = new ArrivalWatch({ kafka: h.kafka, groupId: otherGroup, pollMs: 25 });
    try {
      const waiting = polled.awaitConsumed(h.topic, inmateId, 600_000);
      await h.startConsumer({ groupId: otherGroup });
      expect(await waiting).toBeUndefined();
      expect(await polled.pending(h.topic, inmateId)).toBeUndefined();
    } finally {
      await polled.close();
    }
  });

});

describe('waiting for an arrival published after a first look', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.create('arrivals-fresh', { partitions: 3 });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('a wait asks for the partition\'s end afresh: what was published after the partition was found behind is waited for too', async () => {
    const inmateId = randomUUID();
    await h.append([inmateRegistered(inmateId)]);
    const relay = await h.startRelay();
    await eventually(() => (relay.status().published >= 1 ? true : undefined), { message: 'the relay to publish' });
    // A group nobody consumes for, and a watch that remembers a partition found behind for long.
    const watch = new ArrivalWatch({ kafka: h.kafka, groupId: uniqueName('arrivals-fresh'), pendingCacheMs: 600_000 });
    try {
      const before = await watch.pending(h.topic, inmateId);
      expect(before).toBeDefined();
      // Then more of the person is published: the event a later request needs.
      const published = relay.status().published;
      await h.append([residenceStatusRecorded(inmateId)]);
      await eventually(() => (relay.status().published > published ? true : undefined), { message: 'the second event published' });
      // The remembered answer still counts what the partition held then...
      expect((await watch.pending(h.topic, inmateId))!.unconsumed).toBe(before!.unconsumed);
      // ...but a wait counts the event published since and its transaction's commit marker.
      const waited = await watch.awaitConsumed(h.topic, inmateId, 100);
      expect(waited!.unconsumed).toBeGreaterThanOrEqual(before!.unconsumed + 2);
    } finally {
      await watch.close();
    }
  });
});
