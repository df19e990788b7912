import { eventually } from '@custody/testing';
import { ChildRelay } from './testing/child-relay';
import { inmateRegistered } from './testing/events';
import { compareIds, Harness } from './testing/harness';
import { RELAY_CLIENTS } from './relay-publisher-platformatic';

/** How long a standby relay may take to publish after the active one died (lock poll: 200 ms). */
const TAKEOVER_BOUND_MS = 5_000;

describe.each(RELAY_CLIENTS)('two relay instances of one service (relay on %s)', (relayClient) => {
  let h: Harness;
  const children: ChildRelay[] = [];

  beforeAll(async () => {
    h = await Harness.create('failover', { relayClient });
  });

  afterAll(async () => {
    for (const child of children) await child.kill();
    await h?.close();
  });

  it('only one publishes; killed, the other takes over within the bound, and every event is applied once', async () => {
    await h.startConsumer();
    const a = new ChildRelay(h.childEnv());
    const b = new ChildRelay(h.childEnv());
    children.push(a, b);
    await eventually(() => (a.reports.some((r) => r.kind === 'started') && b.reports.some((r) => r.kind === 'started') ? true : undefined), {
      timeoutMs: 60_000,
      message: 'both relay processes to start',
    });
    const active = await eventually(() => [a, b].find((r) => r.isActive()), { message: 'one relay to become active' });
    const standby = active === a ? b : a;

    const firstWave = Array.from({ length: 30 }, () => inmateRegistered());
    await h.append(firstWave);
    await eventually(async () => ((await h.effects()).length >= firstWave.length ? true : undefined), { message: 'the first wave' });
    expect(active.publishedIds()).toEqual(firstWave.map((e) => e.id));
    expect(standby.isActive()).toBe(false);
    expect(standby.ackedIds()).toEqual([]);

    await active.kill();
    const killedAt = Date.now();
    const secondWave = Array.from({ length: 30 }, () => inmateRegistered());
    await h.append(secondWave);
    await eventually(() => (standby.publishedIds().length >= secondWave.length ? true : undefined), {
      timeoutMs: 30_000,
      message: 'the standby relay to publish the second wave',
    });
    const tookOverAt = standby.reports.find((r) => r.kind === 'active')!.at;
    const publishedAt = standby.reports.find((r) => r.kind === 'published')!.at;
    expect(tookOverAt - killedAt).toBeLessThan(TAKEOVER_BOUND_MS);
    expect(publishedAt - killedAt).toBeLessThan(TAKEOVER_BOUND_MS);
    // It resumed from the dead one's checkpoint: nothing of the first wave again.
    expect(standby.publishedIds()).toEqual(secondWave.map((e) => e.id));

    const ids = [...firstWave, ...secondWave].map((e) => e.id);
    const effects = await eventually(async () => {
      const rows = await h.effects();
      return rows.length >= ids.length ? rows : undefined;
    }, { message: 'every effect' });
    expect(compareIds(ids, effects.map((e) => e.event_id))).toEqual({ missing: [], duplicated: [] });
    process.stdout.write(`[failover] standby active ${tookOverAt - killedAt} ms and published ${publishedAt - killedAt} ms after the kill\n`);
  }, 120_000);
});
