import { Pool } from 'pg';
import { migrateSchema, type Checkpoint, type EventStore, type GlobalEvent, type Subscription, type SubscribeOptions } from '@custody/event-store';
import { databaseUrl, eventually } from '@custody/testing';
import { RELAY_MIGRATIONS, writeRelayCheckpoint } from './relay';
import type { RelayPublisher, TopicMessages } from './relay-publishers';
import { inmateRegistered } from './testing/events';
import { compareIds, Harness } from './testing/harness';
import { RELAY_CLIENTS } from './relay-publisher-platformatic';

describe.each(RELAY_CLIENTS)('the relay and its lock (relay on %s)', (relayClient) => {
  let h: Harness;
  const pools: Pool[] = [];

  beforeAll(async () => {
    h = await Harness.create('relay-lock', { relayClient });
    await migrateSchema(h.db.pool, h.db.schema, RELAY_MIGRATIONS);
  });

  afterAll(async () => {
    await h?.close();
    for (const pool of pools.splice(0)) await pool.end();
  });

  const ownPool = (max = 4) => {
    const pool = new Pool({ connectionString: databaseUrl(), max, keepAlive: true });
    pools.push(pool);
    return pool;
  };

  it('moves the checkpoint row only forward: a late write of an earlier checkpoint changes nothing', async () => {
    const read = async (name: string) =>
      (await h.db.pool.query<{ checkpoint: string }>(`SELECT checkpoint FROM "${h.db.schema}".relay_checkpoints WHERE name = $1`, [name])).rows[0]?.checkpoint;
    const write = (name: string, checkpoint: Checkpoint) => writeRelayCheckpoint(h.db.pool, h.db.schema, name, checkpoint);

    expect(await write('forward', '100')).toBe(true);
    expect(await write('forward', '99')).toBe(false);
    expect(await write('forward', '100')).toBe(false);
    expect(await read('forward')).toBe('100');
    // Compared as numbers, not as text ("1000" < "999" as text).
    expect(await write('forward', '1000')).toBe(true);
    expect(await write('forward', '999')).toBe(false);
    expect(await read('forward')).toBe('1000');

    // A "<transaction id>:<position>" checkpoint of before ADR 0007 gives way to a global position, not the other way.
    await h.db.pool.query(`INSERT INTO "${h.db.schema}".relay_checkpoints (name, checkpoint) VALUES ('legacy', '9000:17')`);
    expect(await write('legacy', '5')).toBe(true);
    expect(await write('legacy', '9000:18')).toBe(false);
    expect(await read('legacy')).toBe('5');
    // KurrentDB's "<commit>:<prepare>" checkpoints compare part by part.
    expect(await write('kurrent', '20:10')).toBe(true);
    expect(await write('kurrent', '20:9')).toBe(false);
    expect(await write('kurrent', '21:0')).toBe(true);
    expect(await read('kurrent')).toBe('21:0');
  });

  it('adds no listener per standby poll to the clients of its pool', async () => {
    const active = await h.startRelay({ name: 'listeners' });
    await eventually(() => (active.status().isActive ? true : undefined), { message: 'the active relay' });
    // The standby's pool has one connection: every poll takes the same client.
    const pool = ownPool(1);
    let polls = 0;
    pool.on('acquire', () => polls++);
    const standby = await h.startRelay({ name: 'listeners', pool, standbyPollMs: 5 });
    await eventually(() => (polls >= 30 ? true : undefined), { message: '30 standby polls' });
    expect(standby.status().isActive).toBe(false);

    const baselinePool = ownPool(1);
    const fresh = await baselinePool.connect();
    const baseline = { error: fresh.listenerCount('error'), end: fresh.listenerCount('end') };
    fresh.release();
    const client = await pool.connect();
    try {
      expect({ error: client.listenerCount('error'), end: client.listenerCount('end') }).toEqual(baseline);
    } finally {
      client.release();
    }
    await standby.stop();
    await active.stop();
  });

  it('finishes the batch in flight (checkpoint included, lock held) before standing down on a failed read of the next batch', async () => {
    const events = Array.from({ length: 10 }, () => inmateRegistered());
    const ids = events.map((e) => e.id);
    await h.startConsumer();
    await h.append(events);

    // The store fails once, on the read after the first batch of 5.
    let reads = 0;
    let failed = false;
    const store: EventStore = {
      distanceFrom: (checkpoint?: Checkpoint) => h.store.distanceFrom(checkpoint),
      subscribeToAll: (options?: SubscribeOptions): Subscription => {
        const subscription = h.store.subscribeToAll(options);
        return {
          stop: () => subscription.stop(),
          [Symbol.asyncIterator]: () => {
            const iterator = subscription[Symbol.asyncIterator]();
            return {
              next: async (): Promise<IteratorResult<GlobalEvent>> => {
                if (!failed && ++reads > 5) {
                  failed = true;
                  throw new Error('the store could not be read');
                }
                return iterator.next();
              },
            };
          },
        };
      },
    } as unknown as EventStore;

    // The first batch is held in its send until the failed read is known.
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    let holding = true;
    const transactional = h.publisher('failing-read');
    const publisher: RelayPublisher = {
      mode: 'transactional',
      begin: async () => {
        const term = await transactional.begin();
        return {
          checkpoint: () => term.checkpoint(),
          publish: async (topicMessages: TopicMessages, checkpoint: Checkpoint) => {
            if (holding) {
              holding = false;
              await firstHeld;
            }
            await term.publish(topicMessages, checkpoint);
          },
          close: () => term.close(),
        };
      },
    };

    const timeline: string[] = [];
    const logs: string[] = [];
    const pool = ownPool();
    const lock: { pid?: number } = {};
    pool.on('release', (_error, client) => {
      // The backend's pid, as pg knows it once connected.
      if (lock.pid !== undefined && (client as unknown as { processID?: number }).processID === lock.pid) timeline.push('lock connection released');
    });
    const relay = await h.startRelay({
      name: 'failing-read',
      store,
      pool,
      publisher,
      batchSize: 5,
      log: (_level, message) => logs.push(message),
      onPublished: (batch) => timeline.push(`published ${batch.length}`),
    });
    const lockPid = await eventually(() => relay.status().lockSessionPid, { message: 'the relay to become active' });
    lock.pid = lockPid;

    await eventually(() => (logs.some((m) => m.includes('reading the next batch failed')) ? true : undefined), { message: 'the failed read' });
    // The read failed; the first batch is still in flight: the relay has not let go of its lock.
    const { rows } = await h.db.pool.query<{ held: number }>(
      `SELECT count(*)::int AS held FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = $1`,
      [lockPid],
    );
    expect(rows[0].held).toBe(1);
    expect(timeline).toEqual([]);
    releaseFirst();

    const effects = await eventually(async () => {
      const rows = await h.effects();
      return rows.length >= ids.length ? rows : undefined;
    }, { message: 'every event, after the relay took its lock again' });
    expect(compareIds(ids, effects.map((e) => e.event_id))).toEqual({ missing: [], duplicated: [] });
    // The held batch was published and checkpointed before the lock's connection went back to the pool.
    expect(timeline.slice(0, 2)).toEqual(['published 5', 'lock connection released']);
  });
});
