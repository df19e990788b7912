import { Kafka, logLevel } from 'kafkajs';
import { eventually, kafkaBrokers, uniqueName } from '@custody/testing';
import { transactionalPublisher, type RelayPublisher, type RelayTerm, type TopicMessages } from './relay-publishers';
import { Harness } from './testing/harness';
import { API, WireTap } from './testing/wire-tap';
import { platformaticPublisher, RELAY_CLIENTS } from './relay-publisher-platformatic';

/**
 * The checkpoint a term begins from, read while the last term's commit is still under way: the
 * broker has accepted the commit (its answer is held back from the old relay), the new term begins
 * at once and reads the checkpoint (docs/adr/0009-fenced-transactional-relay.md).
 */
describe.each(RELAY_CLIENTS)('a term that begins while the last batch of the term before is being committed (relay on %s)', (relayClient) => {
  let h: Harness | undefined;

  beforeAll(async () => {
    h = await Harness.create('checkpoint-read', { relayClient, partitions: 3 });
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it.each([1, 2, 3, 4, 5])('reads the checkpoint of that commit, and the batch reaches a read_committed reader once (round %i)', async (round) => {
    const world = h!;
    const transactionalId = uniqueName(`checkpoint-read-${round}`);
    let holdCommit = false;
    const tap = new WireTap({ response: ({ apiKey }) => (holdCommit && apiKey === API.endTxn ? 'hold' : 'deliver') });
    const role = { transactionalId, checkpointTopic: world.checkpointTopic };
    let untap = () => undefined as void;
    let old: RelayPublisher;
    if (relayClient === 'kafkajs') {
      const tapped = new Kafka({ clientId: uniqueName('checkpoint-read-old'), brokers: kafkaBrokers(), logLevel: logLevel.NOTHING, socketFactory: tap.socketFactory });
      old = transactionalPublisher({ kafka: tapped, ...role });
    } else {
      // The old term's connections are opened while the tap is on (its begin and first batch), the next term's after.
      untap = tap.tapPlatformatic();
      old = platformaticPublisher({ kafka: { brokers: kafkaBrokers(), clientId: uniqueName('checkpoint-read-old') }, ...role });
    }
    const next = world.publisher(undefined, undefined, role);
    const batch = (label: string): TopicMessages => [
      { topic: world.topic, messages: Array.from({ length: 30 }, (_, i) => ({ key: `inmate-${i}`, value: `${label}-${i}` })) },
    ];
    const terms: RelayTerm[] = [];
    try {
      const first = await old.begin();
      terms.push(first);
      await first.publish(batch(`warm-${round}`), `${round}0`);
      untap();
      holdCommit = true;
      let outcome: string | undefined;
      const settled = first.publish(batch(`after-${round}`), `${round}1`).then(
        () => (outcome = 'committed'),
        (error: Error) => (outcome = `failed: ${error.message}`),
      );
      // The broker answered the commit: the transaction is committed, its markers and offsets may still be on their way.
      await eventually(() => (tap.holding > 0 || outcome ? true : undefined), { timeoutMs: 60_000, intervalMs: 5, message: 'the broker to answer the commit' });
      expect(outcome).toBeUndefined();
      expect(tap.holding).toBe(1);

      const second = await next.begin();
      terms.push(second);
      expect(await second.checkpoint()).toBe(`${round}1`);
      tap.release();
      expect(await settled).toBe('committed');
    } finally {
      untap();
      tap.release();
      for (const term of terms) await term.close();
    }

    const consumer = world.kafka.consumer({ groupId: uniqueName('checkpoint-read-reader'), readUncommitted: false });
    const seen: string[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [world.topic], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
      const mine = () => seen.filter((v) => v.startsWith(`warm-${round}-`) || v.startsWith(`after-${round}-`));
      await eventually(async () => (mine().length >= 60 ? true : undefined), { timeoutMs: 60_000, intervalMs: 100, message: `60 messages of round ${round}` });
      expect(mine().sort()).toEqual([...Array.from({ length: 30 }, (_, i) => `warm-${round}-${i}`), ...Array.from({ length: 30 }, (_, i) => `after-${round}-${i}`)].sort());
    } finally {
      await consumer.disconnect();
    }
  }, 120_000);
});
