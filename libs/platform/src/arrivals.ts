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
  ) {}

  /** The messages still to be consumed on the partition of `key` on the contract topic `topic`; undefined when there are none (or without a consumer). */
  async pending(topic: Topic, key: string): Promise<PendingArrival | undefined> {
    return this.watch()?.pending(this.names.physical(topic), key);
  }

  /**
   * A record looked up again while its partition is consumed: `find` is asked first; when it finds
   * nothing, the partition of `key` on `topic`; when that holds nothing unconsumed, `find` again (a
   * message applied between the first look and the broker's answer is seen). `pending` says the
   * record may still come.
   */
  async lookUp<T>(topic: Topic, key: string, find: () => Promise<T | undefined>): Promise<{ found?: T; pending?: PendingArrival }> {
    const found = await find();
    if (found !== undefined) return { found };
    const pending = await this.pending(topic, key);
    if (pending) return { pending };
    const again = await find();
    return again === undefined ? {} : { found: again };
  }
}
