import { eventually } from '@custody/testing';
import { randomUUID } from 'node:crypto';
import { contractRoute } from './contract-codec';
import { relayTransactionalId } from './relay-publishers';
import { inmateRegistered, residenceStatusRecorded } from './testing/events';
import { compareIds, Harness } from './testing/harness';

describe('the same event delivered more than once', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.create('duplicates');
  });

  afterAll(async () => {
    await h?.close();
  });

  it('delivered twice, and re-published by a second relay from a reset checkpoint: one effect each', async () => {
    await h.startConsumer();
    const inmateId = randomUUID();
    const events = [inmateRegistered(inmateId), residenceStatusRecorded(inmateId), inmateRegistered(), inmateRegistered()];
    const ids = events.map((e) => e.id);
    await h.append(events);
    const relay = await h.startRelay();
    await eventually(async () => ((await h.effects()).length >= ids.length ? true : undefined), { message: 'the first delivery' });

    // The same message a second time on the topic (a producer retry, a replay by an operator).
    const stored = [];
    for await (const event of h.store.readAll()) stored.push(event);
    const route = contractRoute(h.names);
    const producer = await h.producer();
    await producer.send({ topic: h.topic, messages: stored.map((e) => route(e)!).map(({ key, value, headers }) => ({ key, value, headers })) });
    await eventually(() => (h.outcomes.filter((o) => o.kind === 'duplicate').length >= ids.length ? true : undefined), {
      message: 'the second delivery to be seen as duplicates',
    });

    // A second relay whose checkpoints were lost (the database's row and the broker's, ADR 0009) publishes everything again.
    await relay.stop();
    await h.db.pool.query(`UPDATE "${h.db.schema}".relay_checkpoints SET checkpoint = NULL`);
    const admin = h.kafka.admin();
    await admin.connect();
    await admin.deleteGroups([relayTransactionalId(h.names.prefix, 'intake')]);
    await admin.disconnect();
    const again = await h.startRelay();
    await eventually(() => (again.status().published >= ids.length ? true : undefined), { message: 'the re-publication' });
    await eventually(() => (h.outcomes.filter((o) => o.kind === 'duplicate').length >= 2 * ids.length ? true : undefined), {
      message: 'the third delivery to be seen as duplicates',
    });

    const effects = await h.effects();
    expect(compareIds(ids, effects.map((e) => e.event_id))).toEqual({ missing: [], duplicated: [] });
    expect(effects).toHaveLength(ids.length);
    expect(await h.inboxCount()).toBe(ids.length);
    const processed = h.outcomes.filter((o) => o.kind === 'processed');
    expect(processed).toHaveLength(ids.length);
  });
});
