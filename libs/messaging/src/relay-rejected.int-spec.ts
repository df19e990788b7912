import { eventually } from '@custody/testing';
import { randomUUID } from 'node:crypto';
import { inmateRegistered } from './testing/events';
import { Harness } from './testing/harness';

describe('a stored event the contract refuses to publish', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.create('relay-rejected');
  });

  afterAll(async () => {
    await h?.close();
  });

  it('is recorded in relay_rejected and skipped: the relay does not stop at it', async () => {
    await h.startConsumer();
    const before = inmateRegistered();
    const broken = { ...inmateRegistered(), data: { inmateId: randomUUID(), nationalities: 'AL' } };
    const after = inmateRegistered();
    await h.append([before]);
    await h.append([broken]);
    await h.append([after]);
    await h.startRelay({ log: () => undefined });

    const effects = await eventually(async () => {
      const rows = await h.effects();
      return rows.length >= 2 ? rows : undefined;
    }, { message: 'the events around the broken one to be applied' });
    expect(effects.map((e) => e.event_id).sort()).toEqual([before.id, after.id].sort());
    const { rows } = await h.db.pool.query<{ event_id: string; event_type: string; reason: string }>(
      `SELECT event_id, event_type, reason FROM "${h.db.schema}".relay_rejected`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ event_id: broken.id, event_type: 'InmateRegistered' });
    expect(rows[0].reason).toMatch(/identity|nationalities/);
  });
});
