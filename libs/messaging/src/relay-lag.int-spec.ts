import type { Producer } from 'kafkajs';
import { eventually } from '@custody/testing';
import { producerPublisher } from './relay-publishers';
import { inmateRegistered } from './testing/events';
import { Harness } from './testing/harness';
import { RELAY_CLIENTS } from './relay-publisher-platformatic';

describe.each(RELAY_CLIENTS)('the relay reports its distance to the store head (relay on %s)', (relayClient) => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.create('relay-lag', { relayClient });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('rises while the broker acknowledges nothing, counting events the relay has not read, and falls to 0 once a relay publishes', async () => {
    const unavailable = {
      sendBatch: async () => {
        throw new Error('broker unavailable');
      },
    } as unknown as Producer;
    const events = Array.from({ length: 5 }, () => inmateRegistered());
    // A batch of one: the stuck relay holds the first event; the other four it has not even read.
    const stuck = await h.startRelay({ publisher: producerPublisher(unavailable), batchSize: 1, headPollMs: 50, log: () => undefined });
    for (const event of events) await h.append([event]);

    const behind = await eventually(() => {
      const status = stuck.status();
      return status.behindEvents === events.length ? status : undefined;
    }, { message: 'the distance to the head to count every unpublished event' });
    expect(behind.pendingEvents).toBeLessThanOrEqual(1);
    expect(behind.published).toBe(0);
    const oldest = Date.parse(behind.oldestUnpublishedAt!);
    expect(Number.isFinite(oldest)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The oldest unpublished event stays the same while time passes: its age (the lag in seconds) grows.
    expect(Date.parse(stuck.status().oldestUnpublishedAt!)).toBe(oldest);
    expect(stuck.status().behindEvents).toBe(events.length);
    await stuck.stop();

    const working = await h.startRelay({ headPollMs: 50 });
    await eventually(() => {
      const status = working.status();
      return status.published === events.length && status.behindEvents === 0 ? status : undefined;
    }, { message: 'a working relay to catch up and report no distance' });
    expect(working.status().oldestUnpublishedAt).toBeUndefined();
  }, 60_000);
});
