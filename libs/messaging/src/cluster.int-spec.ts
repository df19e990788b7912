import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import type { NewEvent } from '@custody/event-store';
import { eventually, OwnKafka, uniqueName } from '@custody/testing';
import { transactionalPublisher, type RelayPublisher, type RelayTerm, type TopicMessages } from './relay-publishers';
import { inmateRegistered } from './testing/events';
import { compareIds, Harness } from './testing/harness';
import { deadLetterTopic, ensureTopics } from './topics';
import { API, partitionsAdded, WireTap } from './testing/wire-tap';
import { platformaticPublisher, RELAY_CLIENTS } from './relay-publisher-platformatic';

/**
 * A three-node cluster of the test's own (`KAFKA_NODES=3 npm run infra:up`, on free loopback
 * ports): topics left to the cluster (replication factor 0) get three replicas and
 * min.insync.replicas=2, their dead-letter twins too; the node leading a partition is SIGKILLed
 * during traffic, the relay and the consumer go on with the two others, and when it is back
 * nothing was lost or applied twice.
 */
describe.each(RELAY_CLIENTS)('a three-node Kafka cluster losing a broker during traffic (relay on %s)', (relayClient) => {
  let cluster: OwnKafka | undefined;
  let h: Harness | undefined;

  beforeAll(async () => {
    cluster = await OwnKafka.create(3);
    await cluster.start();
    h = await Harness.create('cluster', { relayClient, brokers: cluster.brokerList, replicationFactor: 0 });
  }, 300_000);

  afterAll(async () => {
    await h?.close();
    await cluster?.destroy();
  }, 180_000);

  it('replicates every topic three times, goes on without the dead broker, and loses or duplicates nothing', async () => {
    const world = h!;
    const kafkaCluster = cluster!;
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
      kafkaCluster.kill(leader);
      // With one broker of three dead, events go on reaching the consumer: two replicas are in sync.
      const atDeath = appended.length;
      await effectsAtLeast(atDeath + 50, `50 more effects while broker ${leader} is dead`);
      expect(relay.status().isActive).toBe(true);
      // The traffic stops, then the dead broker comes back and catches up as a follower.
      stop = true;
      await traffic;
      if (trafficFailure) throw trafficFailure;
      await kafkaCluster.start();

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

  it('never commits a batch the broker acknowledged only in part: the leader of a partition dies, its leadership moves during the retries', async () => {
    // kafkajs 2.2 retries a batch only towards brokers that have not answered yet: a partition whose
    // dead leader is replaced, during the retries, by a broker that already answered for its own
    // partitions is never sent, and sendBatch resolves all the same. The relay's publisher checks
    // the answer against where it routed each message, and aborts.
    const world = h!;
    await cluster!.start(); // idempotent: all three nodes, whatever the test before left
    const topic = `${world.names.prefix}partial`;
    await ensureTopics(world.kafka, [{ topic, partitions: 6, replicationFactor: 3, config: { 'min.insync.replicas': '2' } }]);
    const admin = world.kafka.admin();
    await admin.connect();
    const terms: RelayTerm[] = [];
    const failures: string[] = [];
    try {
      await eventually(async () => {
        const [described] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
        return described.partitions.every((p) => p.isr.length === 3) ? true : undefined;
      }, { timeoutMs: 120_000, intervalMs: 500, message: 'every replica of the new topic in sync' });
      // Retries that outlast the controller's move of the dead broker's partitions (a broker is
      // fenced some seconds after its heartbeats stop).
      const publisher = world.publisher(undefined, undefined, {
        transactionalId: uniqueName('partial-relay'),
        retry: { retries: 40, initialRetryTime: 300, maxRetryTime: 1_000 },
      });
      const batch = (label: string): TopicMessages => [
        { topic, messages: Array.from({ length: 60 }, (_, i) => ({ key: `inmate-${i}`, value: `${label}-${i}` })) },
      ];
      let term = await publisher.begin();
      terms.push(term);
      await term.publish(batch('warm'), '1');

      const [described] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      const leader = described.partitions.find((p) => p.partitionId === 0)!.leader;
      cluster!.kill(leader);
      // The batch after the death: either committed whole, or failed and sent again by a new term
      // unless, as the relay does, the new term finds its checkpoint committed (a commit whose
      // answer was lost).
      for (let attempt = 1; ; attempt++) {
        try {
          await term.publish(batch('after'), '2');
          break;
        } catch (error) {
          failures.push(`${(error as Error).name}: ${(error as Error).message}`);
          if (attempt >= 10) throw new Error(`the batch never committed: ${failures.join('; ')}`);
          await term.close();
          term = await publisher.begin();
          terms.push(term);
          if ((await term.checkpoint()) === '2') break;
        }
      }
      // Read as a relay reads it, at the start of a term: after the fence, which completes the last
      // transaction (a read right after a commit may come before its offsets are written).
      term = await publisher.begin();
      terms.push(term);
      expect(await term.checkpoint()).toBe('2');

      const consumer = world.kafka.consumer({ groupId: uniqueName('partial-reader') });
      const seen: string[] = [];
      try {
        await consumer.connect();
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
        await eventually(async () => (seen.length >= 120 ? true : undefined), {
          timeoutMs: 120_000, intervalMs: 250, message: `120 committed messages (failures: ${failures.join('; ') || 'none'})`,
        }).catch((error: Error) => {
          const got = new Set(seen);
          const missing = Array.from({ length: 60 }, (_, i) => `after-${i}`).filter((v) => !got.has(v));
          throw new Error(`${error.message}; ${seen.length} read, missing ${missing.join(', ')}`);
        });
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      } finally {
        await consumer.disconnect();
      }
      // Where a failure was a partial acknowledgement, it said so (written before the check below,
      // so that a failing run shows which attempts failed and how).
      process.stdout.write(`partial-send scenario: ${failures.length} failed attempt(s)${failures.length ? `: ${failures.join('; ')}` : ''}\n`);
      // Exactly once each: what an aborted transaction wrote is invisible to read_committed.
      expect([...seen].sort()).toEqual([...Array.from({ length: 60 }, (_, i) => `warm-${i}`), ...Array.from({ length: 60 }, (_, i) => `after-${i}`)].sort());
    } finally {
      for (const t of terms) await t.close();
      await admin.disconnect();
      await cluster!.start();
    }
  }, 600_000);
  it('never sends a batch twice when one broker\'s request fails while another\'s is still in flight', async () => {
    // kafkajs 2.2 sends an attempt of a batch to all its leaders at once and, when one request
    // fails, begins the next attempt without waiting for the others: a broker whose request is
    // still in flight is sent the same messages again once it answers, with new sequence numbers,
    // and its partitions carry them twice in the one committed transaction. Here the order is the
    // test's: the first produce request to one leader (the victim) is cut; the answers of the
    // other leaders to produce requests sent while the victim's partitions were being added to the
    // transaction are held until the victim's request has been sent again. @platformatic/kafka
    // answers a send only once every request of it is done, and sends a failed request again with
    // the same sequence numbers (docs/adr/0018-relay-publisher-on-platformatic-kafka.md): the same
    // race must leave each message committed once on it too.
    const world = h!;
    await cluster!.start();
    const topic = `${world.names.prefix}inflight`;
    await ensureTopics(world.kafka, [{ topic, partitions: 6, replicationFactor: 3, config: { 'min.insync.replicas': '2' } }]);
    const admin = world.kafka.admin();
    await admin.connect();
    const failures: string[] = [];
    let tapped: Kafka | undefined;
    let untap = () => undefined as void;
    let term: RelayTerm | undefined;
    try {
      const described = await eventually(async () => {
        const [t] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
        return t.partitions.every((p) => p.isr.length === 3 && p.leader >= 0) ? t : undefined;
      }, { timeoutMs: 120_000, intervalMs: 500, message: 'every replica of the new topic in sync' });
      expect(new Set(described.partitions.map((p) => p.leader)).size).toBeGreaterThan(1);
      const victimId = described.partitions.find((p) => p.partitionId === 0)!.leader;
      const victimPartitions = new Set(described.partitions.filter((p) => p.leader === victimId).map((p) => `${topic}/${p.partitionId}`));
      const node = (await admin.describeCluster()).brokers.find((b) => b.nodeId === victimId)!;
      const victim = `${node.host}:${node.port}`;

      let armed = false;
      let victimAdded = false;
      let victimCut = false;
      let victimSentAgain = false;
      let held = 0;
      // What the wire saw once armed, for a failing run's message.
      const timeline: string[] = [];
      let armedAt = 0;
      const note = (line: string) => timeline.push(`+${Date.now() - armedAt} ms ${line}`);
      const tap: WireTap = new WireTap({
        request: ({ broker, apiKey, frame }) => {
          if (!armed) return 'send';
          // @platformatic/kafka adds all the partitions of a send in one request, before its produce requests.
          if (apiKey === API.addPartitionsToTxn && relayClient === 'platformatic') victimAdded = true;
          if (apiKey === API.addPartitionsToTxn && relayClient === 'kafkajs') {
            const added = partitionsAdded(frame);
            note(`AddPartitionsToTxn ${added.map((p) => p.split('/')[1]).join(',')}`);
            if (added.some((p) => victimPartitions.has(p))) victimAdded = true;
          }
          if (apiKey === API.produce) note(`Produce to ${broker === victim ? 'the victim' : broker}`);
          if (apiKey === API.produce && broker === victim) {
            if (!victimCut) {
              victimCut = true;
              note('cut');
              return 'cut';
            }
            if (!victimSentAgain) {
              victimSentAgain = true;
              setImmediate(() => tap.release());
            }
          }
          return 'send';
        },
        response: ({ broker, apiKey }) => {
          const hold = armed && apiKey === API.produce && broker !== victim && victimAdded && !victimSentAgain;
          if (hold) {
            held++;
            note(`answer of ${broker} held`);
          }
          return hold ? 'hold' : 'deliver';
        },
      });
      // The relay's own settings (retries from 5 ms), on the tapped client.
      const role = { transactionalId: uniqueName('inflight-relay'), checkpointTopic: world.checkpointTopic };
      let publisher: RelayPublisher;
      if (relayClient === 'kafkajs') {
        tapped = new Kafka({ clientId: uniqueName('inflight-client'), brokers: cluster!.brokerList, logLevel: logLevel.NOTHING, socketFactory: tap.socketFactory });
        publisher = transactionalPublisher({ kafka: tapped, ...role });
      } else {
        untap = tap.tapPlatformatic();
        publisher = platformaticPublisher({ kafka: { brokers: cluster!.brokerList, clientId: uniqueName('inflight-client') }, ...role });
      }
      const batch = (label: string): TopicMessages => [
        { topic, messages: Array.from({ length: 60 }, (_, i) => ({ key: `inmate-${i}`, value: `${label}-${i}` })) },
      ];
      term = await publisher.begin();
      await term.publish(batch('warm'), '1');

      armed = true;
      armedAt = Date.now();
      // As the relay does: a failed batch ends the term, and the next term starts from the checkpoint.
      for (let attempt = 1; ; attempt++) {
        try {
          await term.publish(batch('after'), '2');
          break;
        } catch (error) {
          failures.push(`${(error as Error).name}: ${(error as Error).message}`);
          if (attempt >= 5) throw new Error(`the batch never committed: ${failures.join('; ')}`);
          await term.close();
          term = await publisher.begin();
          if ((await term.checkpoint()) === '2') break;
        }
      }
      process.stdout.write(`in-flight scenario: ${held} answer(s) held, ${failures.length} failed attempt(s)${failures.length ? `: ${failures.join('; ')}` : ''}\n${timeline.join('\n')}\n`);
      // The scenario took place: the victim's first produce request was cut, and sent again.
      expect({ victimCut, victimSentAgain, stillHeld: tap.holding }).toEqual({ victimCut: true, victimSentAgain: true, stillHeld: 0 });
      // Read as a relay reads it, at the start of a term (after the fence).
      await term.close();
      term = await publisher.begin();
      expect(await term.checkpoint()).toBe('2');

      const consumer = world.kafka.consumer({ groupId: uniqueName('inflight-reader'), readUncommitted: false });
      const seen: string[] = [];
      try {
        await consumer.connect();
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
        await eventually(async () => (seen.length >= 120 ? true : undefined), {
          timeoutMs: 120_000, intervalMs: 250, message: `120 committed messages (failures: ${failures.join('; ') || 'none'})`,
        });
        // Anything committed twice arrives with the rest: a second's grace for the consumer to read it.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      } finally {
        await consumer.disconnect();
      }
      expect([...seen].sort()).toEqual([...Array.from({ length: 60 }, (_, i) => `warm-${i}`), ...Array.from({ length: 60 }, (_, i) => `after-${i}`)].sort());
    } finally {
      untap();
      await term?.close();
      await admin.disconnect();
    }
  }, 600_000);
});
