import type { Topic } from '@custody/contracts';
import type { ArrivalWatch, PendingArrival, TopicNames } from '@custody/messaging';

/**
 * Whether what another service sent about a subject may still be on its way here
 * (docs/adr/0012-not-yet-known-here.md): the consumer group's position on the partition of the
 * subject's key, on a topic of the contract this service consumes. Asked only when the database
 * has no record of the subject: then NOT_YET_KNOWN_HERE (409, Retry-After) while the partition
 * has unconsumed messages, the honest not-found once it has none.
 */
export class Arrivals {
  constructor(
    private readonly watch: () => ArrivalWatch | undefined,
    private readonly names: TopicNames,
    /** How long a request that may wait (`{ wait: true }`) waits for the partition to be consumed (NOT_YET_KNOWN_WAIT_MS). */
    private readonly waitMs = 0,
  ) {}

  /**
   * The messages still to be consumed on the partition of `key` on the contract topic `topic`;
   * undefined when there are none (or without a consumer). With `wait` (an HTTP request, outside
   * any transaction), a partition found behind is waited for up to NOT_YET_KNOWN_WAIT_MS: undefined
   * once what it held has been consumed, and the caller reads its record again.
   */
  async pending(topic: Topic, key: string, { wait = false }: { wait?: boolean } = {}): Promise<PendingArrival | undefined> {
    const watch = this.watch();
    if (!watch) return undefined;
    const physical = this.names.physical(topic);
    return wait ? watch.awaitConsumed(physical, key, this.waitMs) : watch.pending(physical, key);
  }
}
