import type { Admin, Kafka, PartitionMetadata } from 'kafkajs';
import { custodyPartitioner } from './kafka';

/**
 * Whether a message about a key may still be on its way to this service (docs/adr/0012-not-yet-known-here.md).
 * A service cannot know what another service holds without asking it; it can know whether its
 * own consumer group has read everything the partition of the key held. The key decides the
 * partition (the producers' partitioner); the group's committed offset is written only after the
 * message's effects committed in the database, so a partition whose committed offset reaches its
 * end holds nothing this service has not applied.
 */

/** Where the group stands on one partition: its committed offset (-1: none yet), and the partition's first and end offsets. */
export interface PartitionPosition {
  committed: number;
  low: number;
  /** The end offset the broker gives a read_committed reader: the last stable offset. */
  end: number;
}

/** How many messages of the partition the group has not committed yet (0: fully consumed). */
export function unconsumed({ committed, low, end }: PartitionPosition): number {
  // No committed offset: the group reads from the first offset (fromBeginning). Below the first
  // offset (messages deleted by retention): the group starts over at the first one.
  const from = committed < 0 ? low : Math.max(committed, low);
  return Math.max(0, end - from);
}

/** The partition a key's messages go to on a topic of `partitions` partitions, as our producers route it. */
export function partitionOfKey(topic: string, key: string, partitions: readonly PartitionMetadata[]): number {
  return custodyPartitioner()({ topic, partitionMetadata: [...partitions], message: { key, value: null } });
}

/** Messages of the key's partition that the group has not consumed yet. */
export interface PendingArrival {
  topic: string;
  partition: number;
  /** How many messages of the partition are still to be consumed. */
  unconsumed: number;
  /** How long to wait before asking again. */
  retryAfterSeconds: number;
}

export interface ArrivalWatchOptions {
  kafka: Kafka;
  groupId: string;
  /** How long a partition found behind is taken as still behind without asking the broker again (default 1000 ms). */
  pendingCacheMs?: number;
  /** How long the partition count of a topic is kept (default 60 s). */
  metadataCacheMs?: number;
  /** The wait a client is asked for (default 1 s). */
  retryAfterSeconds?: number;
  log?: (level: 'warn', message: string) => void;
}

/**
 * Asks the broker, through one admin client kept open, whether the group has consumed the
 * partition of a key. A partition found behind is remembered briefly (many requests about
 * persons in flight ask the broker once); a partition found consumed never is, since a message
 * may arrive the next instant. When the broker cannot be asked, the answer is undefined (the
 * caller answers as if consumed, as before this watch existed) and a warning is logged.
 */
export class ArrivalWatch {
  private admin?: Promise<Admin>;
  private readonly pendingUntil = new Map<string, { until: number; pending: PendingArrival }>();
  private readonly partitionsOf = new Map<string, { until: number; partitions: PartitionMetadata[] }>();

  constructor(private readonly options: ArrivalWatchOptions) {}

  /** The messages still to be consumed on the partition of `key` on `topic` (a broker's topic name); undefined when none. */
  async pending(topic: string, key: string, now: number = Date.now()): Promise<PendingArrival | undefined> {
    try {
      const partitions = await this.partitions(topic, now);
      if (partitions.length === 0) return undefined;
      const partition = partitionOfKey(topic, key, partitions);
      const cached = this.pendingUntil.get(`${topic}/${partition}`);
      if (cached && cached.until > now) return cached.pending;
      const position = await this.position(topic, partition);
      const behind = unconsumed(position);
      if (behind === 0) {
        this.pendingUntil.delete(`${topic}/${partition}`);
        return undefined;
      }
      const pending = { topic, partition, unconsumed: behind, retryAfterSeconds: this.options.retryAfterSeconds ?? 1 };
      this.pendingUntil.set(`${topic}/${partition}`, { until: now + (this.options.pendingCacheMs ?? 1_000), pending });
      return pending;
    } catch (error) {
      this.options.log?.('warn', `could not ask the broker whether ${topic} is consumed (${(error as Error).message}); answering from the database alone`);
      this.reset();
      return undefined;
    }
  }

  /** Disconnects the admin client. */
  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await (await admin?.catch(() => undefined))?.disconnect();
  }

  private connected(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = this.options.kafka.admin({ retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 } });
      await admin.connect();
      return admin;
    })();
    return this.admin;
  }

  private reset(): void {
    const admin = this.admin;
    this.admin = undefined;
    void admin?.then((a) => a.disconnect()).catch(() => undefined);
  }

  private async partitions(topic: string, now: number): Promise<PartitionMetadata[]> {
    const cached = this.partitionsOf.get(topic);
    if (cached && cached.until > now) return cached.partitions;
    const admin = await this.connected();
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = [...(topics[0]?.partitions ?? [])].sort((a, b) => a.partitionId - b.partitionId);
    this.partitionsOf.set(topic, { until: now + (this.options.metadataCacheMs ?? 60_000), partitions });
    return partitions;
  }

  /** The group's committed offset and the partition's offsets, asked at the same time. */
  private async position(topic: string, partition: number): Promise<PartitionPosition> {
    const admin = await this.connected();
    const [committed, offsets] = await Promise.all([
      admin.fetchOffsets({ groupId: this.options.groupId, topics: [topic] }),
      admin.fetchTopicOffsets(topic),
    ]);
    const ours = offsets.find((o) => o.partition === partition);
    if (!ours) throw new Error(`partition ${partition} of ${topic} has no offsets`);
    const offset = committed.find((t) => t.topic === topic)?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
    return { committed: Number(offset), low: Number(ours.low), end: Number(ours.high) };
  }
}
