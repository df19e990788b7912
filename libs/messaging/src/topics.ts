import { ConfigResourceTypes, type Kafka } from 'kafkajs';

/** A topic to exist, with its partitions and replication from configuration. */
export interface TopicSpec {
  topic: string;
  partitions: number;
  /** Replicas of each partition; 0: as the cluster allows ({@link replicationOf}). */
  replicationFactor: number;
  /** Topic-level settings, e.g. `max.message.bytes`. */
  config?: Record<string, string>;
}

/** The dead-letter topic of a consumed topic. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** A setting of a topic that already existed and differs from its spec (the broker's value stays). */
export interface TopicSettingDrift {
  topic: string;
  setting: string;
  expected: string;
  actual: string;
}

/**
 * Creates the topics that are missing, with their settings, and waits for each to have a leader.
 * Idempotent, and safe when several instances start at once (an "already exists" from a racing
 * peer is fine). A topic that already exists keeps its settings: those that differ from its spec
 * are returned, for the service to report (changing a live topic's settings is the operator's
 * call, with kafka-configs.sh).
 */
export async function ensureTopics(kafka: Kafka, wanted: TopicSpec[]): Promise<TopicSettingDrift[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const brokers = wanted.some((spec) => spec.replicationFactor === 0) ? (await admin.describeCluster()).brokers.length : 0;
    const specs = wanted.map((spec) => withReplication(spec, brokers));
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.topic));
    const drifts = await settingDrifts(admin, specs.filter((spec) => existing.has(spec.topic) && Object.keys(spec.config ?? {}).length > 0));
    if (missing.length > 0) {
      try {
        // kafkajs's own wait for leaders gives up on the first UNKNOWN_TOPIC_OR_PARTITION that a
        // just-created topic may answer (only LEADER_NOT_AVAILABLE is retried there), failing the
        // start of the service; waitForLeaders below retries both until its deadline.
        await admin.createTopics({
          waitForLeaders: false,
          topics: missing.map((spec) => ({
            topic: spec.topic,
            numPartitions: spec.partitions,
            replicationFactor: spec.replicationFactor,
            configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({ name, value })),
          })),
        });
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
      }
    }
    await waitForLeaders(admin, specs.map((s) => s.topic));
    return drifts;
  } finally {
    await admin.disconnect();
  }
}

/**
 * The replicas of a topic whose spec leaves them to the cluster (0): three where the cluster has
 * three brokers or more, so that one broker's loss loses nothing and stops nothing; otherwise
 * one per broker (a single development broker: 1).
 */
export function replicationOf(brokers: number): number {
  return Math.max(1, Math.min(3, brokers));
}

/**
 * A spec with its replication decided: from the cluster's size when left to it, and with
 * `min.insync.replicas=2` from three replicas up, so that a write acknowledged by `acks=all`
 * is on two brokers at least (unless the spec sets it).
 */
export function withReplication(spec: TopicSpec, brokers: number): TopicSpec {
  const replicationFactor = spec.replicationFactor === 0 ? replicationOf(brokers) : spec.replicationFactor;
  const config = replicationFactor >= 3 && spec.config?.['min.insync.replicas'] === undefined ? { ...spec.config, 'min.insync.replicas': '2' } : spec.config;
  return { ...spec, replicationFactor, ...(config ? { config } : {}) };
}

/** The settings of existing topics that differ from their specs. */
async function settingDrifts(admin: ReturnType<Kafka['admin']>, specs: TopicSpec[]): Promise<TopicSettingDrift[]> {
  if (specs.length === 0) return [];
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: specs.map((spec) => ({ type: ConfigResourceTypes.TOPIC, name: spec.topic, configNames: Object.keys(spec.config ?? {}) })),
  });
  return specs.flatMap((spec) =>
    Object.entries(spec.config ?? {}).flatMap(([setting, expected]) => {
      const actual = described.resources.find((r) => r.resourceName === spec.topic)?.configEntries.find((e) => e.configName === setting)?.configValue;
      return actual === undefined || actual === expected ? [] : [{ topic: spec.topic, setting, expected, actual }];
    }),
  );
}

function isAlreadyExists(error: unknown): boolean {
  const text = JSON.stringify(error, Object.getOwnPropertyNames(error ?? {}));
  return text.includes('TOPIC_ALREADY_EXISTS') || text.includes('already exists');
}

async function waitForLeaders(admin: ReturnType<Kafka['admin']>, topics: string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics });
      const ready = metadata.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      if (ready) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`Topics ${topics.join(', ')} have no leader after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The settings a dead-letter topic takes from its topic when they are set there. */
const DEAD_LETTER_INHERITED = ['max.message.bytes', 'retention.ms', 'min.insync.replicas'];

/**
 * Creates the dead-letter twin `<topic>.dlq` of each consumed topic if missing: as many
 * partitions and replicas as the topic itself, the same `max.message.bytes` (a message the topic
 * accepted must fit its dead-letter topic), the same `retention.ms` (a command topic kept
 * short because it carries personal data in clear: its set-aside commands carry the same) and
 * the same `min.insync.replicas` (a dead letter is kept as safely as the message it sets aside).
 * Without it, the first dead letter would fail (topics are never created by a send) and block
 * its partition.
 */
export async function ensureDeadLetterTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  let specs: TopicSpec[];
  try {
    const metadata = await admin.fetchTopicMetadata({ topics });
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: DEAD_LETTER_INHERITED })),
    });
    specs = metadata.topics.map((t) => {
      const entries = configs.resources.find((r) => r.resourceName === t.name)?.configEntries ?? [];
      const inherited = entries.filter((e) => DEAD_LETTER_INHERITED.includes(e.configName) && !e.isDefault);
      return {
        topic: deadLetterTopic(t.name),
        partitions: Math.max(1, t.partitions.length),
        replicationFactor: Math.max(1, t.partitions[0]?.replicas.length ?? 1),
        config: inherited.length > 0 ? Object.fromEntries(inherited.map((e) => [e.configName, e.configValue])) : undefined,
      };
    });
  } finally {
    await admin.disconnect();
  }
  await ensureTopics(kafka, specs);
}
