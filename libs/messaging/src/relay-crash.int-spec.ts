import { eventually } from '@custody/testing';
import { randomUUID } from 'node:crypto';
import type { NewEvent } from '@custody/event-store';
import { ChildRelay } from './testing/child-relay';
import { inmateRegistered, residenceStatusRecorded } from './testing/events';
import { compareIds, Harness } from './testing/harness';
import { RELAY_CLIENTS } from './relay-publisher-platformatic';

function people(count: number, eventsEach: number): NewEvent[] {
  const events: NewEvent[] = [];
  for (let p = 0; p < count; p++) {
    const inmateId = randomUUID();
    events.push(inmateRegistered(inmateId));
    for (let i = 1; i < eventsEach; i++) events.push(residenceStatusRecorded(inmateId));
  }
  return events;
}

/** Every event reached the (read_committed) consumer exactly once: each processed once, none seen again. */
function expectEachOnce(h: Harness, ids: string[]): void {
  const seen = h.outcomes.flatMap((o) => (o.kind === 'processed' || o.kind === 'duplicate' ? [o.event.id] : []));
  expect(compareIds(ids, seen)).toEqual({ missing: [], duplicated: [] });
  expect(h.outcomes.filter((o) => o.kind === 'duplicate')).toEqual([]);
  expect(h.outcomes.filter((o) => o.kind === 'dead-lettered')).toEqual([]);
}

describe.each(RELAY_CLIENTS)('relay killed with SIGKILL in the middle of a batch (publication through Kafka transactions) (relay on %s)', (relayClient) => {
  let h: Harness;
  const children: ChildRelay[] = [];

  beforeEach(async () => {
    h = await Harness.create('relay-crash', { relayClient });
  });

  afterEach(async () => {
    for (const child of children.splice(0)) await child.kill();
    await h?.close();
  });

  it('after the broker committed a batch and before the checkpoint row moved: started again, it resumes after that batch, and no event reaches the consumer twice', async () => {
    await h.startConsumer();
    const events = people(40, 5);
    const ids = events.map((e) => e.id);
    await h.append(events);

    // Killed after the broker committed its second batch (with its checkpoint) and before the checkpoint row moved.
    const first = new ChildRelay(h.childEnv({ RELAY_BATCH_SIZE: '50', RELAY_PAUSE_AFTER_ACK_MS: '500' }));
    children.push(first);
    let acks = 0;
    first.onReport((report) => {
      if (report.kind === 'acked' && ++acks === 2) void first.kill();
    });
    await eventually(() => (acks >= 2 ? true : undefined), { timeoutMs: 60_000, message: 'the first relay to commit two batches' });
    await first.kill();
    const checkpointed = first.publishedIds();
    const committed = first.ackedIds();
    expect(checkpointed).toHaveLength(50);
    expect(committed).toHaveLength(100);

    const second = new ChildRelay(h.childEnv({ RELAY_BATCH_SIZE: '50' }));
    children.push(second);
    const effects = await eventually(
      async () => {
        const rows = await h.effects();
        return rows.length >= ids.length && second.publishedIds().length >= ids.length - committed.length ? rows : undefined;
      },
      { timeoutMs: 60_000, message: 'an effect for every event, and the second relay to publish the rest' },
    );
    // The second relay started from the checkpoint the broker committed with the second batch.
    expect(second.publishedIds()).toEqual(ids.filter((id) => !committed.includes(id)));
    // On the wire: every event committed once, by one relay or the other.
    expect(compareIds(ids, [...committed, ...second.ackedIds()])).toEqual({ missing: [], duplicated: [] });
    expect(compareIds(ids, effects.map((e) => e.event_id))).toEqual({ missing: [], duplicated: [] });
    expect(await h.inboxCount()).toBe(ids.length);
    expectEachOnce(h, ids);
    await second.stop();
  }, 180_000);

  it('with a batch sent inside a transaction not yet committed: the next relay fences it, the broker aborts the batch, and the consumer sees every event once', async () => {
    await h.startConsumer();
    const events = people(20, 5);
    const ids = events.map((e) => e.id);
    await h.append(events);

    // Every batch waits before its commit; the process is killed while its second batch waits.
    const first = new ChildRelay(h.childEnv({ RELAY_BATCH_SIZE: '30', RELAY_PAUSE_BEFORE_COMMIT_MS: '1500' }));
    children.push(first);
    let sent = 0;
    first.onReport((report) => {
      if (report.kind === 'sent' && ++sent === 2) void first.kill();
    });
    await eventually(() => (sent >= 2 ? true : undefined), { timeoutMs: 60_000, message: 'the first relay to send its second batch' });
    await first.kill();
    const committed = first.ackedIds();
    expect(committed).toHaveLength(30);
    const uncommitted = first.sentIds().filter((id) => !committed.includes(id));
    expect(uncommitted).toHaveLength(30);

    const second = new ChildRelay(h.childEnv({ RELAY_BATCH_SIZE: '30' }));
    children.push(second);
    await eventually(
      async () => ((await h.effects()).length >= ids.length && second.publishedIds().length >= ids.length - committed.length ? true : undefined),
      { timeoutMs: 60_000, message: 'an effect for every event, and the second relay to publish the rest' },
    );
    // The aborted batch was published again, by the relay that fenced the dead one.
    expect(compareIds(uncommitted, second.ackedIds()).missing).toEqual([]);
    expect(compareIds(ids, [...committed, ...second.ackedIds()])).toEqual({ missing: [], duplicated: [] });
    expect(compareIds(ids, (await h.effects()).map((e) => e.event_id))).toEqual({ missing: [], duplicated: [] });
    // The aborted copies on the topic never reached the read_committed consumer.
    expectEachOnce(h, ids);
    await second.stop();
  }, 180_000);
});
