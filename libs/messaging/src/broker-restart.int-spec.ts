import { eventually, OwnKafka } from '@custody/testing';
import type { NewEvent } from '@custody/event-store';
import { inmateRegistered } from './testing/events';
import { compareIds, Harness } from './testing/harness';
import { RELAY_CLIENTS } from './relay-publisher-platformatic';

describe.each(RELAY_CLIENTS)('the broker stopped and started again during traffic (relay on %s)', (relayClient) => {
  let broker: OwnKafka | undefined;
  let h: Harness | undefined;

  afterAll(async () => {
    await h?.close();
    await broker?.destroy();
  }, 120_000);

  it('loses nothing, duplicates no effect, and the relay and the consumer reconnect by themselves', async () => {
    // A broker of this test's own: the shared one is never stopped.
    broker = await OwnKafka.create();
    await broker.start();
    h = await Harness.create('broker-restart', { relayClient, brokers: broker.brokerList });
    const world = h;
    await world.startConsumer();
    const relay = await world.startRelay({ batchSize: 50 });

    const appended: NewEvent[] = [];
    let stop = false;
    const traffic = (async () => {
      while (!stop) {
        const events = Array.from({ length: 5 }, () => inmateRegistered());
        await world.append(events);
        appended.push(...events);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const effectsAtLeast = (n: number, timeoutMs = 120_000) =>
      eventually(async () => ((await world.effects()).length >= n ? true : undefined), { timeoutMs, intervalMs: 200, message: `${n} effects` });

    try {
      await effectsAtLeast(50);
      await broker.stop();
      const appendedWhileDown = appended.length;
      // Traffic goes on while the broker is down: the relay keeps trying (a term that fails ends,
      // and the next begins after a pause, so whether a term is under way at a given instant is
      // timing), the store keeps the events.
      await eventually(() => (appended.length >= appendedWhileDown + 50 ? true : undefined), { timeoutMs: 30_000, message: 'traffic while down' });
      await broker.start();
      // Nobody restarts the relay or the consumer: they find the broker again by themselves.
      await effectsAtLeast(appended.length + 50, 180_000);
      expect(relay.status().isActive).toBe(true);
    } finally {
      // Whatever failed, the appends stop before the harness closes its pool.
      stop = true;
      await traffic.catch(() => undefined);
    }

    const ids = appended.map((e) => e.id);
    const effects = await eventually(async () => {
      const rows = await world.effects();
      return rows.length >= ids.length ? rows : undefined;
    }, { timeoutMs: 120_000, intervalMs: 200, message: 'every effect' });
    expect(compareIds(ids, effects.map((e) => e.event_id))).toEqual({ missing: [], duplicated: [] });
    expect(await world.inboxCount()).toBe(ids.length);
    expect(world.outcomes.filter((o) => o.kind === 'dead-lettered')).toEqual([]);
  }, 600_000);
});
