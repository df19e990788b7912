import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { testKafka, uniqueName } from '@custody/testing';
import { deadLetterTopic, ensureDeadLetterTopics, ensureTopics } from './topics';

const HOUR_MS = '3600000';
const TWO_HOURS_MS = '7200000';

/**
 * Topic settings on the real broker: a topic is created with the settings of its spec (a command
 * topic's short retention, since it carries personal data in clear); an existing topic keeps its
 * own and the difference is reported; a dead-letter twin takes its topic's retention and message
 * size, since it holds the same messages.
 */
describe('topic settings (real broker)', () => {
  const kafka = testKafka('topics');
  let admin: Admin;
  const created: string[] = [];

  const settingsOf = async (topic: string, names: string[]) => {
    const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: names }] });
    return Object.fromEntries(resources[0].configEntries.map((e) => [e.configName, e.configValue]));
  };

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.deleteTopics({ topics: created }).catch(() => undefined);
    await admin?.disconnect();
  });

  it('creates a topic with its settings, reports those of an existing topic that differ and leaves them, and gives its dead-letter twin the same retention and size', async () => {
    const topic = uniqueName('commands');
    created.push(topic, deadLetterTopic(topic));

    const first = await ensureTopics(kafka, [{ topic, partitions: 2, replicationFactor: 1, config: { 'retention.ms': HOUR_MS, 'max.message.bytes': '2097152' } }]);
    expect(first).toEqual([]);
    expect(await settingsOf(topic, ['retention.ms', 'max.message.bytes'])).toEqual({ 'retention.ms': HOUR_MS, 'max.message.bytes': '2097152' });

    // Started again with another retention: reported, not changed.
    const again = await ensureTopics(kafka, [{ topic, partitions: 2, replicationFactor: 1, config: { 'retention.ms': TWO_HOURS_MS, 'max.message.bytes': '2097152' } }]);
    expect(again).toEqual([{ topic, setting: 'retention.ms', expected: TWO_HOURS_MS, actual: HOUR_MS }]);
    expect((await settingsOf(topic, ['retention.ms']))['retention.ms']).toBe(HOUR_MS);

    await ensureDeadLetterTopics(kafka, [topic]);
    expect(await settingsOf(deadLetterTopic(topic), ['retention.ms', 'max.message.bytes'])).toEqual({ 'retention.ms': HOUR_MS, 'max.message.bytes': '2097152' });
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [deadLetterTopic(topic)] })).topics;
    expect(metadata.partitions).toHaveLength(2);
  });

  it('leaves a dead-letter twin at the broker defaults when its topic sets nothing', async () => {
    const topic = uniqueName('events');
    created.push(topic, deadLetterTopic(topic));
    expect(await ensureTopics(kafka, [{ topic, partitions: 1, replicationFactor: 1 }])).toEqual([]);
    await ensureDeadLetterTopics(kafka, [topic]);
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: deadLetterTopic(topic), configNames: ['retention.ms', 'max.message.bytes'] }],
    });
    expect(resources[0].configEntries.every((e) => e.isDefault)).toBe(true);
  });
});
