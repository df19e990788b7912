import { eventually, uniqueName } from '@custody/testing';
import { randomUUID } from 'node:crypto';
import type { NewEvent } from '@custody/event-store';
import type { EventConsumer } from './consumer';
import type { PostgresTransaction } from '@custody/event-store';
import { inmateRegistered, residenceStatusRecorded } from './testing/events';
import { custodyPartitioner } from './kafka';
import { compareIds, Harness } from './testing/harness';

const PARTITIONS = 6;

/** The partition the producers' partitioner gives a key, on a topic of {@link PARTITIONS}. */
function partitionOf(key: string): number {
  const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0, offlineReplicas: [] }));
  return custodyPartitioner()({ topic: 'ordering', partitionMetadata, message: { key, value: null } });
}

/** `perPartition` people on each partition: random ids, kept until every partition has its share (no partition left idle by chance). */
function peopleOnEveryPartition(perPartition: number): string[] {
  const people = new Map<number, string[]>(Array.from({ length: PARTITIONS }, (_, p) => [p, []]));
  while ([...people.values()].some((list) => list.length < perPartition)) {
    const id = randomUUID();
    const list = people.get(partitionOf(id))!;
    if (list.length < perPartition) list.push(id);
  }
  return [...people.values()].flat();
}

/** Every appended event applied once, and each person's events in the order they were appended. */
function expectEachPersonInOrder(appended: Map<string, string[]>, effects: Array<{ event_id: string; subject: string }>): void {
  expect(compareIds([...appended.values()].flat(), effects.map((e) => e.event_id))).toEqual({ missing: [], duplicated: [] });
  const applied = new Map<string, string[]>([...appended.keys()].map((p) => [p, []]));
  for (const effect of effects) applied.get(effect.subject.replace('inmate/', ''))!.push(effect.event_id);
  for (const person of appended.keys()) expect(applied.get(person)).toEqual(appended.get(person));
}

describe('order per key in a consumer group', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.create('ordering', { partitions: PARTITIONS });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('holds with 6 partitions and 3 consumers while members join and leave', async () => {
    const groupId = uniqueName('ordering-group');
    const people = peopleOnEveryPartition(4);
    const appended = new Map<string, string[]>(people.map((p) => [p, []]));
    const members: Array<EventConsumer<PostgresTransaction>> = [];
    const processedBy: number[] = [];
    // A member that joins is waited for until it has processed a message: the partitions really
    // moved to it, whatever the time a rebalance takes on a busy machine.
    const join = async () => {
      const member = processedBy.length;
      processedBy[member] = 0;
      members.push(await h.startConsumer({ groupId, onOutcome: (o) => void (o.kind === 'processed' && processedBy[member]++) }));
      return member;
    };
    const working = (member: number) =>
      eventually(() => (processedBy[member] > 0 ? true : undefined), { timeoutMs: 120_000, message: `member ${member} processing` });
    await join();
    await h.startRelay({ batchSize: 50 });

    // Traffic in the background: every round, one more event for each person, in rounds.
    let stop = false;
    let round = 0;
    const traffic = (async () => {
      while (!stop) {
        const events: NewEvent[] = people.map((p) => (round === 0 ? inmateRegistered(p) : residenceStatusRecorded(p)));
        for (const event of events) appended.get((event.data as { inmateId: string }).inmateId)!.push(event.id);
        await h.append(events);
        round++;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const progress = (atLeast: number) =>
      eventually(async () => ((await h.effects()).length >= atLeast ? true : undefined), {
        timeoutMs: 60_000,
        message: `${atLeast} effects`,
      });

    await progress(100);
    await working(await join());
    await progress(250);
    await working(await join());
    await progress(400);
    await members.shift()!.stop(); // the first member leaves
    await progress(550);
    await working(await join()); // and a new one joins
    await progress(700);
    await members.shift()!.stop();
    await progress(850);
    stop = true;
    await traffic;

    const ids = [...appended.values()].flat();
    const effects = await eventually(async () => {
      const rows = await h.effects();
      return rows.length >= ids.length ? rows : undefined;
    }, { timeoutMs: 60_000, message: 'every effect' });
    expectEachPersonInOrder(appended, effects);
    // Several members really shared the work: the partitions moved between consumers.
    const partitions = new Set(h.outcomes.map((o) => o.message.partition));
    expect(partitions.size).toBe(PARTITIONS);
    expect(processedBy.filter((n) => n > 0).length).toBeGreaterThanOrEqual(3);
  }, 240_000);

  it('holds with one consumer working on its 6 partitions at once (KAFKA_PARTITIONS_CONCURRENTLY): each person in order, every event once', async () => {
    const groupId = uniqueName('ordering-concurrent');
    const people = peopleOnEveryPartition(3);
    const appended = new Map<string, string[]>(people.map((p) => [p, []]));
    // Handlers of different partitions overlap: the most seen in flight at once is recorded.
    let inFlight = 0;
    let mostInFlight = 0;
    await h.startConsumer({
      groupId,
      partitionsConsumedConcurrently: PARTITIONS,
      handler: async (event, context) => {
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        try {
          await new Promise((resolve) => setTimeout(resolve, 2));
          await Harness.recordEffect(event, context);
        } finally {
          inFlight--;
        }
      },
    });
    for (let round = 0; round < 8; round++) {
      const events: NewEvent[] = people.map((p) => (round === 0 ? inmateRegistered(p) : residenceStatusRecorded(p)));
      for (const event of events) appended.get((event.data as { inmateId: string }).inmateId)!.push(event.id);
      await h.append(events);
    }
    await h.startRelay({ batchSize: 50 });
    const ids = [...appended.values()].flat();
    const effects = await eventually(async () => {
      const rows = (await h.effects()).filter((e) => appended.has(e.subject.replace('inmate/', '')));
      return rows.length >= ids.length ? rows : undefined;
    }, { timeoutMs: 60_000, message: 'every effect' });
    expectEachPersonInOrder(appended, effects);
    expect(mostInFlight).toBeGreaterThan(1);
  }, 120_000);
});
