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
  /**
   * While a caller waits for a partition to be consumed (`awaitConsumed`), how often the group's
   * committed offsets are asked of the broker when this process's own consumer has not said it
   * committed them (another instance of the service holds the partition). Default 25 ms; one
   * request per topic and interval, whatever the number of callers waiting.
   */
  pollMs?: number;
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
  private readonly pendingUntil = new Map<string, { until: number; pending: PendingArrival; position: PartitionPosition }>();
  private readonly partitionsOf = new Map<string, { until: number; partitions: PartitionMetadata[] }>();
  /** What this process's consumer last committed, per `topic/partition`. */
  private readonly ownCommits = new Map<string, number>();
  /** Callers waiting for a partition to be consumed up to an offset, per `topic/partition`. */
  private readonly waiting = new Map<string, Set<{ upTo: number; wake: () => void }>>();
  /** A fresh position request in flight per `topic/partition`, and when it was sent. */
  private readonly positionAsked = new Map<string, { at: number; position: Promise<PartitionPosition> }>();
  /** One request for a topic's committed offsets shared by the callers of one poll interval. */
  private readonly committedAsked = new Map<string, { at: number; offsets: Promise<Map<number, number>> }>();

  constructor(private readonly options: ArrivalWatchOptions) {}

  /** The messages still to be consumed on the partition of `key` on `topic` (a broker's topic name); undefined when none. */
  async pending(topic: string, key: string, now: number = Date.now()): Promise<PendingArrival | undefined> {
    return (await this.behind(topic, key, now))?.pending;
  }

  /**
   * Like `pending`, but a partition found behind is waited for, up to `withinMs`: undefined as soon
   * as the group has consumed every message the partition held when it was asked (the caller then
   * reads its record again), the pending arrival when the time is up. The wait ends when this
   * process's consumer commits the offset (`committed`), or when the broker reports it committed
   * by another instance of the service (asked every `pollMs`).
   */
  async awaitConsumed(topic: string, key: string, withinMs: number): Promise<PendingArrival | undefined> {
    const start = Date.now();
    // Asked afresh, never from the memory of a partition found behind a moment ago: the message
    // the caller needs may have been published since, and a wait for that earlier end would end
    // before it arrives (the caller would then answer from a record that lacks it).
    const found = await this.behind(topic, key, start, true);
    if (!found || withinMs <= 0) return found?.pending;
    const { pending, position } = found;
    const slot = `${topic}/${pending.partition}`;
    const deadline = start + withinMs;
    try {
      for (;;) {
        const own = this.ownCommits.get(slot);
        const committed = own !== undefined && own >= position.end ? own : ((await this.committedOffsets(topic)).get(pending.partition) ?? -1);
        const left = unconsumed({ ...position, committed });
        if (left === 0) {
          this.pendingUntil.delete(slot);
          return undefined;
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0) return { ...pending, unconsumed: left };
        await this.commitOrTimeout(slot, position.end, Math.min(remaining, this.options.pollMs ?? 25));
      }
    } catch (error) {
      this.options.log?.('warn', `could not ask the broker whether ${topic} is consumed (${(error as Error).message}); answering from the database alone`);
      this.reset();
      return undefined;
    }
  }

  /**
   * This process's consumer committed `offset` (the next offset to read) on a partition: callers
   * waiting for it to reach their offset go on at once.
   */
  committed(topic: string, partition: number, offset: number): void {
    const slot = `${topic}/${partition}`;
    if ((this.ownCommits.get(slot) ?? -1) < offset) this.ownCommits.set(slot, offset);
    for (const waiter of this.waiting.get(slot) ?? []) if (offset >= waiter.upTo) waiter.wake();
  }

  /**
   * Where the group stands on the key's partition, when behind. `fresh`: the partition's end as
   * the broker gives it now (one request shared by the callers that asked since it was sent),
   * never the end remembered from an earlier question.
   */
  private async behind(topic: string, key: string, now: number, fresh = false): Promise<{ pending: PendingArrival; position: PartitionPosition } | undefined> {
    try {
      const partitions = await this.partitions(topic, now);
      if (partitions.length === 0) return undefined;
      const partition = partitionOfKey(topic, key, partitions);
      const cached = this.pendingUntil.get(`${topic}/${partition}`);
      if (cached && cached.until > now && !fresh) return cached;
      const position = fresh ? await this.positionSince(topic, partition, now) : await this.position(topic, partition);
      const behind = unconsumed(position);
      if (behind === 0) {
        this.pendingUntil.delete(`${topic}/${partition}`);
        return undefined;
      }
      const found = { pending: { topic, partition, unconsumed: behind, retryAfterSeconds: this.options.retryAfterSeconds ?? 1 }, position };
      this.pendingUntil.set(`${topic}/${partition}`, { until: now + (this.options.pendingCacheMs ?? 1_000), ...found });
      return found;
    } catch (error) {
      this.options.log?.('warn', `could not ask the broker whether ${topic} is consumed (${(error as Error).message}); answering from the database alone`);
      this.reset();
      return undefined;
    }
  }

  private commitOrTimeout(slot: string, upTo: number, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const waiters = this.waiting.get(slot) ?? new Set();
      this.waiting.set(slot, waiters);
      const waiter = {
        upTo,
        wake: () => {
          clearTimeout(timer);
          waiters.delete(waiter);
          if (waiters.size === 0) this.waiting.delete(slot);
          resolve();
        },
      };
      const timer = setTimeout(waiter.wake, ms);
      waiters.add(waiter);
    });
  }

  /** The group's committed offset on each partition of `topic`, one broker request per poll interval. */
  private committedOffsets(topic: string): Promise<Map<number, number>> {
    const asked = this.committedAsked.get(topic);
    if (asked && Date.now() - asked.at < (this.options.pollMs ?? 25)) return asked.offsets;
    const offsets = (async () => {
      const admin = await this.connected();
      const committed = await admin.fetchOffsets({ groupId: this.options.groupId, topics: [topic] });
      return new Map((committed.find((t) => t.topic === topic)?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    })();
    this.committedAsked.set(topic, { at: Date.now(), offsets });
    offsets.catch(() => this.committedAsked.delete(topic));
    return offsets;
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

  /** The position asked of the broker at or after `since`: a request already sent since then is shared. */
  private positionSince(topic: string, partition: number, since: number): Promise<PartitionPosition> {
    const slot = `${topic}/${partition}`;
    const asked = this.positionAsked.get(slot);
    if (asked && asked.at >= since) return asked.position;
    const position = this.position(topic, partition);
    this.positionAsked.set(slot, { at: Date.now(), position });
    const forget = () => {
      if (this.positionAsked.get(slot)?.position === position) this.positionAsked.delete(slot);
    };
    position.then(forget, forget);
    return position;
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
