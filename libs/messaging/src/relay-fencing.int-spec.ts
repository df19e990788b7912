import { Pool } from 'pg';
import type { Consumer } from 'kafkajs';
import { migrateSchema } from '@custody/event-store';
import { databaseUrl, eventually, uniqueName } from '@custody/testing';
import { RELAY_MIGRATIONS, type Relay } from './relay';
import { isFenced } from './relay-publishers';
import { inmateRegistered } from './testing/events';
import { compareIds, Harness } from './testing/harness';
import type { TransactionHooks } from './testing/observed-kafka';
import { RELAY_CLIENTS } from './relay-publisher-platformatic';

/** Held shut until opened: a relay's batch waits on it at a chosen point of its transaction. */
class Gate {
  private opened!: () => void;
  readonly whenOpen = new Promise<void>((resolve) => (this.opened = resolve));
  open(): void {
    this.opened();
  }
}

/**
 * Two relay instances of one service, in this process, each with a pool of its own (so that only
 * the active one's lock connection is terminated); the active one's transactions observed.
 */
describe.each(RELAY_CLIENTS)('a live relay whose lock connection is terminated (pg_terminate_backend) during traffic (relay on %s)', (relayClient) => {
  let h: Harness;
  const pools: Pool[] = [];
  let raw: Consumer | undefined;
  const rawSeen = new Map<string, number>();

  beforeEach(async () => {
    h = await Harness.create('relay-fencing', { relayClient });
    await migrateSchema(h.db.pool, h.db.schema, RELAY_MIGRATIONS);
    // Every value the checkpoint row takes, in order.
    await h.db.pool.query(`
      CREATE TABLE "${h.db.schema}".checkpoint_history (seq bigserial PRIMARY KEY, previous text, checkpoint text);
      CREATE FUNCTION "${h.db.schema}".note_checkpoint() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO "${h.db.schema}".checkpoint_history (previous, checkpoint) VALUES (CASE WHEN TG_OP = 'UPDATE' THEN OLD.checkpoint END, NEW.checkpoint);
        RETURN NEW;
      END $$;
      CREATE TRIGGER note_checkpoint AFTER INSERT OR UPDATE ON "${h.db.schema}".relay_checkpoints
        FOR EACH ROW EXECUTE FUNCTION "${h.db.schema}".note_checkpoint();
    `);
    // A consumer of the topic itself, read_committed (stated, though it is kafkajs's default): what reaches it, and how often.
    rawSeen.clear();
    raw = h.kafka.consumer({ groupId: uniqueName('raw'), readUncommitted: false });
    await raw.connect();
    await raw.subscribe({ topic: h.topic, fromBeginning: true });
    await raw.run({
      eachMessage: async ({ message }) => {
        const id = String(message.headers?.ce_id);
        rawSeen.set(id, (rawSeen.get(id) ?? 0) + 1);
      },
    });
    await h.startConsumer();
  });

  afterEach(async () => {
    await raw?.disconnect();
    await h?.close();
    for (const pool of pools.splice(0)) await pool.end();
  });

  const ownPool = () => {
    const pool = new Pool({ connectionString: databaseUrl(), max: 4, keepAlive: true });
    pools.push(pool);
    return pool;
  };

  /** Relay A (active, observed) and relay B (standby), each on a pool of its own, small batches. */
  async function twoRelays(hooks: TransactionHooks): Promise<{ a: Relay; b: Relay }> {
    const a = await h.startRelay({ pool: ownPool(), publisher: h.publisher('intake', hooks), batchSize: 10, log: () => undefined });
    await eventually(() => (a.status().isActive ? true : undefined), { message: 'relay A to become active' });
    const b = await h.startRelay({ pool: ownPool(), batchSize: 10, log: () => undefined });
    return { a, b };
  }

  async function wave(count: number): Promise<string[]> {
    const events = Array.from({ length: count }, () => inmateRegistered());
    await h.append(events);
    return events.map((e) => e.id);
  }

  async function terminateLockOf(relay: Relay): Promise<void> {
    const pid = relay.status().lockSessionPid;
    expect(pid).toEqual(expect.any(Number));
    const { rows } = await h.db.pool.query<{ terminated: boolean }>('SELECT pg_terminate_backend($1) AS terminated', [pid]);
    expect(rows[0].terminated).toBe(true);
  }

  /** Each event applied once, reached the consumer once (no duplicate delivery) and the topic's read_committed reader once. */
  async function expectEachDeliveredOnce(ids: string[]): Promise<void> {
    const effects = await eventually(
      async () => {
        const rows = await h.effects();
        return rows.length >= ids.length && ids.every((id) => rawSeen.has(id)) ? rows : undefined;
      },
      { timeoutMs: 60_000, message: 'every event applied and read from the topic' },
    );
    expect(compareIds(ids, effects.map((e) => e.event_id))).toEqual({ missing: [], duplicated: [] });
    const delivered = h.outcomes.flatMap((o) => (o.kind === 'processed' || o.kind === 'duplicate' ? [o.event.id] : []));
    expect(compareIds(ids, delivered)).toEqual({ missing: [], duplicated: [] });
    expect([...rawSeen].filter(([, n]) => n !== 1)).toEqual([]);
    expect([...rawSeen.keys()].sort()).toEqual([...ids].sort());
  }

  /** The checkpoint row only ever moved forward, and stands at the last event. */
  async function expectCheckpointNeverBack(): Promise<void> {
    const { rows } = await h.db.pool.query<{ previous: string | null; checkpoint: string }>(
      `SELECT previous, checkpoint FROM "${h.db.schema}".checkpoint_history ORDER BY seq`,
    );
    expect(rows.length).toBeGreaterThan(1);
    const backwards = rows.filter((r) => r.previous !== null && BigInt(r.checkpoint) <= BigInt(r.previous));
    expect(backwards).toEqual([]);
    let last: string | undefined;
    for await (const event of h.store.readAll()) last = event.checkpoint;
    expect(rows[rows.length - 1].checkpoint).toBe(last);
  }

  it('with a batch sent inside an open transaction: it stops reporting itself active, the standby fences it, its commit is refused, and no event reaches the consumer twice', async () => {
    const gate = new Gate();
    let hold = false;
    let held: string[] = [];
    const errors: unknown[] = [];
    const { a, b } = await twoRelays({
      afterSend: async (ids) => {
        if (!hold) return;
        hold = false;
        held = ids;
        await gate.whenOpen;
      },
      onError: (error) => errors.push(error),
    });

    const first = await wave(20);
    await eventually(async () => ((await h.effects()).length >= first.length ? true : undefined), { message: 'the first wave' });
    expect(b.status().isActive).toBe(false);

    hold = true;
    const second = await wave(20);
    await eventually(() => (held.length > 0 ? true : undefined), { message: 'relay A to hold a batch sent and not committed' });
    await terminateLockOf(a);
    await eventually(() => (a.status().isActive ? undefined : true), { message: 'relay A to stop reporting itself active' });
    expect(a.status().lockSessionPid).toBeUndefined();
    await eventually(() => (b.status().isActive ? true : undefined), { message: 'relay B to take over' });

    // B's term began by fencing A at the broker: A's transaction can no longer commit.
    gate.open();
    await eventually(() => (errors.some((error) => isFenced(error)) ? true : undefined), { message: 'relay A to be refused as fenced' });
    const third = await wave(20);

    await expectEachDeliveredOnce([...first, ...second, ...third]);
    expect(a.status().isActive).toBe(false);
    expect(b.status().isActive).toBe(true);
    await expectCheckpointNeverBack();
  }, 120_000);

  it('after the broker committed a batch and before the checkpoint row moved: the standby resumes after that batch, and no event reaches the consumer twice', async () => {
    const gate = new Gate();
    let hold = false;
    let held: string[] = [];
    const { a, b } = await twoRelays({
      afterCommit: async (ids) => {
        if (!hold) return;
        hold = false;
        held = ids;
        await gate.whenOpen;
      },
    });

    const first = await wave(20);
    await eventually(async () => ((await h.effects()).length >= first.length ? true : undefined), { message: 'the first wave' });

    hold = true;
    const second = await wave(20);
    await eventually(() => (held.length > 0 ? true : undefined), { message: 'relay A to hold a committed batch before its checkpoint row' });
    await terminateLockOf(a);
    await eventually(() => (a.status().isActive ? undefined : true), { message: 'relay A to stop reporting itself active' });
    await eventually(() => (b.status().isActive ? true : undefined), { message: 'relay B to take over' });
    gate.open();
    const third = await wave(20);

    await expectEachDeliveredOnce([...first, ...second, ...third]);
    expect(a.status().isActive).toBe(false);
    expect(b.status().isActive).toBe(true);
    await expectCheckpointNeverBack();
  }, 120_000);
});
