import { eventually } from '@custody/testing';
import { randomUUID } from 'node:crypto';
import type { NewEvent } from '@custody/event-store';
import { ChildRelay } from './testing/child-relay';
import { inmateRegistered, residenceStatusRecorded } from './testing/events';
import { compareIds, Harness } from './testing/harness';

function people(count: number, eventsEach: number): NewEvent[] {
  const events: NewEvent[] = [];
  for (let p = 0; p < count; p++) {
    const inmateId = randomUUID();
    events.push(inmateRegistered(inmateId));
    for (let i = 1; i < eventsEach; i++) events.push(residenceStatusRecorded(inmateId));
  }
  return events;
}

describe('relay killed with SIGKILL in the middle of a batch', () => {
  let h: Harness;
  const children: ChildRelay[] = [];

  beforeAll(async () => {
    h = await Harness.create('relay-crash');
  });

  afterAll(async () => {
    for (const child of children) await child.kill();
    await h?.close();
  });

  it('started again, it re-publishes the unfinished batch: the consumer sees every event and each effect is applied once', async () => {
    await h.startConsumer();
    const events = people(40, 5);
    const ids = events.map((e) => e.id);
    await h.append(events);

    // Killed after the broker acknowledged its second batch and before the checkpoint moved.
    const first = new ChildRelay(h.childEnv({ RELAY_BATCH_SIZE: '50', RELAY_PAUSE_AFTER_ACK_MS: '500' }));
    children.push(first);
    let acks = 0;
    first.onReport((report) => {
      if (report.kind === 'acked' && ++acks === 2) void first.kill();
    });
    await eventually(() => (acks >= 2 ? true : undefined), { timeoutMs: 60_000, message: 'the first relay to publish two batches' });
    await first.kill();
    const checkpointed = first.publishedIds();
    const acked = first.ackedIds();
    expect(checkpointed).toHaveLength(50);
    expect(acked).toHaveLength(100);

    const second = new ChildRelay(h.childEnv({ RELAY_BATCH_SIZE: '50' }));
    children.push(second);
    const effects = await eventually(
      async () => {
        const rows = await h.effects();
        return rows.length >= ids.length ? rows : undefined;
      },
      { timeoutMs: 60_000, message: 'an effect for every event' },
    );
    // The second relay started from the checkpoint: the acknowledged-but-unrecorded batch again.
    expect(second.publishedIds()).toEqual(ids.filter((id) => !checkpointed.includes(id)));
    await eventually(
      () => (h.outcomes.filter((o) => o.kind === 'duplicate').length >= 50 ? true : undefined),
      { timeoutMs: 30_000, message: 'the consumer to receive the re-published batch' },
    );

    expect(compareIds(ids, effects.map((e) => e.event_id))).toEqual({ missing: [], duplicated: [] });
    expect(await h.inboxCount()).toBe(ids.length);
    const seen = h.outcomes.flatMap((o) => (o.kind === 'processed' || o.kind === 'duplicate' ? [o.event.id] : []));
    expect(compareIds(ids, seen).missing).toEqual([]);
    expect(h.outcomes.filter((o) => o.kind === 'dead-lettered')).toEqual([]);
    await second.stop();
  }, 180_000);
});
