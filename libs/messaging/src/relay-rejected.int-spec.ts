import { eventually } from '@custody/testing';
import { randomUUID } from 'node:crypto';
import type { RevisionGap } from './stream-revisions';
import { inmateRegistered, inmateStream, residenceStatusRecorded } from './testing/events';
import { Harness } from './testing/harness';
import { RELAY_CLIENTS } from './relay-publisher-platformatic';

describe.each(RELAY_CLIENTS)('a stored event the contract refuses to publish (relay on %s)', (relayClient) => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.create('relay-rejected', { relayClient });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('is recorded in relay_rejected and skipped: the relay does not stop at it, and counts it apart from the published', async () => {
    const gaps: RevisionGap[] = [];
    await h.startConsumer({ onRevisionGap: (gap) => gaps.push(gap) });
    const before = inmateRegistered();
    const broken = { ...inmateRegistered(), data: { inmateId: randomUUID(), nationalities: 'AL' } };
    const inmateId = randomUUID();
    const after = inmateRegistered(inmateId);
    // In the stream of `after`: a refused event between two published ones.
    const refusedInStream = { ...residenceStatusRecorded(inmateId), data: { inmateId, status: 'unheard-of' } };
    const last = residenceStatusRecorded(inmateId);
    await h.append([before]);
    await h.append([broken]);
    await h.append([after]);
    await h.append([refusedInStream]);
    await h.append([last]);
    const lines: string[] = [];
    const relay = await h.startRelay({ log: (level, message) => lines.push(`${level} ${message}`) });

    const effects = await eventually(async () => {
      const rows = await h.effects();
      return rows.length >= 3 ? rows : undefined;
    }, { message: 'the events around the broken ones to be applied' });
    expect(effects.map((e) => e.event_id).sort()).toEqual([before.id, after.id, last.id].sort());
    const { rows } = await h.db.pool.query<{ event_id: string; event_type: string; reason: string }>(
      `SELECT event_id, event_type, reason FROM "${h.db.schema}".relay_rejected ORDER BY event_type`,
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ event_id: broken.id, event_type: 'InmateRegistered' });
    expect(rows[0].reason).toMatch(/identity|nationalities/);
    expect(rows[1]).toMatchObject({ event_id: refusedInStream.id, event_type: 'ResidenceStatusRecorded' });

    // Counted apart: 3 published, 2 refused (the metric custody_relay_rejected_events reads it), each logged with its place in its stream.
    await eventually(async () => (relay.status().published + relay.status().rejected === 5 ? true : undefined), { message: 'the relay to count the five events' });
    expect(relay.status()).toMatchObject({ published: 3, rejected: 2 });
    const stream = inmateStream(inmateId);
    expect(lines.filter((line) => line.startsWith('error'))).toEqual(expect.arrayContaining([
      expect.stringContaining(`event ${refusedInStream.id} (ResidenceStatusRecorded, revision 1 of ${stream}) cannot be published`),
    ]));
    // Its readers see it missing: the next event of its stream names its revision as the previous one.
    await eventually(async () => (gaps.length > 0 ? true : undefined), { message: 'the consumer to see the refused revision missing' });
    expect(gaps).toEqual([expect.objectContaining({ source: '/custody/intake', stream, lastSeen: 0, revision: 2, missing: 1 })]);
  });
});
