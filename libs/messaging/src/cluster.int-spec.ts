import { ConfigResourceTypes } from 'kafkajs';
import type { NewEvent } from '@custody/event-store';
import { eventually, OwnKafka } from '@custody/testing';
import { inmateRegistered } from './testing/events';
import { compareIds, Harness } from './testing/harness';
import { deadLetterTopic } from './topics';

/**
 * A three-node cluster of the test's own (`KAFKA_NODES=3 npm run infra:up`, on free loopback
 * ports): topics left to the cluster (replication factor 0) get three replicas and
 * min.insync.replicas=2, their dead-letter twins too; the node leading a partition is SIGKILLed
 * during traffic, the relay and the consumer go on with the two others, and when it is back
 * nothing was lost or applied twice.
 */
describe('a three-node Kafka cluster losing a broker during traffic', () => {
  let cluster: OwnKafka | undefined;
  let h: Harness | undefined;

  afterAll(async () => {
    await h?.close();
    await cluster?.destroy();
  }, 180_000);

  it('replicates every topic three times, goes on without the dead broker, and loses or duplicates nothing', async () => {
    cluster = await OwnKafka.create(3);
    await cluster.start();
    h = await Harness.create('cluster', { brokers: cluster.brokerList, replicationFactor: 0 });
    const world = h;
    await world.startConsumer();
    const relayLog: string[] = [];
    const relay = await world.startRelay({ batchSize: 50, log: (level, line) => relayLog.push(`${new Date().toISOString()} ${level} ${line}`) });
    const diagnosis = async () =>
      `${(await world.effects()).length} effects, ${world.outcomes.length} consumer outcomes; relay ${JSON.stringify(relay.status())}; ` +
      `relay log:\n${relayLog.slice(-15).join('\n')}`;

    const admin = world.kafka.admin();
    await admin.connect();
    try {
      const topics = [world.topic, deadLetterTopic(world.topic)];
      const { topics: described } = await admin.fetchTopicMetadata({ topics });
      for (const topic of described) expect(topic.partitions.map((p) => p.replicas.length)).toEqual(topic.partitions.map(() => 3));
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['min.insync.replicas'] })),
      });
      expect(resources.map((r) => r.configEntries[0]?.configValue)).toEqual(['2', '2']);

      const appended: NewEvent[] = [];
      let stop = false;
      let trafficFailure: Error | undefined;
      const traffic = (async () => {
        while (!stop) {
          const events = Array.from({ length: 5 }, () => inmateRegistered());
          await world.append(events);
          appended.push(...events);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })().catch((error: Error) => {
        trafficFailure = error;
      });
      const effectsAtLeast = (n: number, message: string) =>
        eventually(async () => {
          if (trafficFailure) throw new Error(`the test's own appends failed: ${trafficFailure.message}`);
          return (await world.effects()).length >= n ? true : undefined;
        }, { timeoutMs: 180_000, intervalMs: 200, message }).catch(async (error: Error) => {
          throw new Error(`${error.message} (${appended.length} appended): ${await diagnosis()}`);
        });

      await effectsAtLeast(50, '50 effects before the broker dies');
      // The leader of the topic's first partition: its followers must take over.
      const [metadata] = (await admin.fetchTopicMetadata({ topics: [world.topic] })).topics;
      const leader = metadata.partitions.find((p) => p.partitionId === 0)!.leader;
      cluster.kill(leader);
      // With one broker of three dead, events go on reaching the consumer: two replicas are in sync.
      const atDeath = appended.length;
      await effectsAtLeast(atDeath + 50, `50 more effects while broker ${leader} is dead`);
      expect(relay.status().isActive).toBe(true);
      // The traffic stops, then the dead broker comes back and catches up as a follower.
      stop = true;
      await traffic;
      if (trafficFailure) throw trafficFailure;
      await cluster.start();

      const ids = appended.map((e) => e.id);
      const effects = await eventually(async () => {
        const rows = await world.effects();
        return rows.length >= ids.length ? rows : undefined;
      }, { timeoutMs: 300_000, intervalMs: 500, message: `every effect of ${ids.length} events` }).catch(async (error: Error) => {
        throw new Error(`${error.message}: ${await diagnosis()}`);
      });
      expect(compareIds(ids, effects.map((e) => e.event_id))).toEqual({ missing: [], duplicated: [] });
      expect(await world.inboxCount()).toBe(ids.length);
      expect(world.outcomes.filter((o) => o.kind === 'dead-lettered')).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  }, 900_000);
});
