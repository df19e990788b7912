import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { PostgresEventStore } from '@custody/event-store';
import { eventually, sendUntilKnownHere, testKafka, uniqueName } from '@custody/testing';
import { foldTimeline } from '../timeline/timeline';
import { belgiumToAlbania, History } from '../testing/history';
import { startTestAudit, type TestAudit } from '../testing/test-app';
import { AuditLedger } from './audit-ledger';
import { loadPublicKey } from './checkpoint';
import { Chainer } from './chainer';
import { ChainerService } from './chainer.service';
import { formatExport, timelineOfExport, verifyExport } from './offline';

describe('the ledger, from Kafka to verification', () => {
  let audit: TestAudit;
  let ledger: AuditLedger;
  const people = [belgiumToAlbania(), belgiumToAlbania(), belgiumToAlbania()];
  const total = people.reduce((n, h) => n + h.events.length, 0);
  const sql = (text: string, params: unknown[] = []) => audit.schema.pool.query(text.replaceAll('ledger', `"${audit.schema.schema}".ledger`), params);

  beforeAll(async () => {
    audit = await startTestAudit('audit_ledger');
    ledger = audit.app.get(AuditLedger);
    // Interleaved as three services would publish them, and one message sent twice.
    const interleaved = people[0].events.flatMap((_, i) => people.map((h) => h.events[i]));
    await audit.publish([...interleaved, people[1].events[2]]);
    await eventually(async () => ((await ledger.repository.head()).size === total ? true : undefined), {
      timeoutMs: 90_000,
      message: `${total} chained ledger entries`,
    });
  });

  afterAll(async () => {
    await audit?.close();
  });

  it('records every event once, chained, and the ledger verifies intact', async () => {
    expect(await ledger.repository.pendingCount()).toBe(0);
    const report = await ledger.verify();
    expect(report).toMatchObject({ isIntact: true, checked: total, size: total });
    const { body } = await request(audit.app.getHttpServer()).get('/ledger/verify?fromPosition=0').expect(200);
    expect(body).toMatchObject({ isIntact: true, checked: total, trigger: 'request' });
  });

  it('the ledger\'s consumer claims no inbox row: the entries\' unique event ids are its inbox, and the message sent twice is one entry', async () => {
    // The service's only consumer is the ledger's: with a claim per message the inbox held a row per event.
    const { rows } = await audit.schema.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${audit.schema.schema}".inbox`);
    expect(rows[0].n).toBe(0);
    const entries = await sql('SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS ids FROM ledger');
    expect(entries.rows[0]).toEqual({ n: total, ids: total });
  });

  it('an idle chainer tick locks nothing and takes no transaction id', async () => {
    // A row locked FOR UPDATE carries the locking transaction's id in xmax.
    const before = (await sql('SELECT xmax::text AS xmax FROM ledger_head')).rows;
    // The service's own chainer ticks 20 times a second under the same advisory lock: a tick that
    // finds the lock taken answers undefined (it did nothing), so the test ticks until it has the lock.
    const chainer = new Chainer(audit.schema.pool, audit.schema.schema);
    let idle = await chainer.chainBatch();
    for (let attempt = 1; idle === undefined && attempt < 50; attempt++) idle = await chainer.chainBatch();
    expect(idle).toMatchObject({ taken: 0, entries: [], size: total });
    // The service's own chainer ticks meanwhile too.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await sql('SELECT xmax::text AS xmax FROM ledger_head')).rows).toEqual(before);
  });

  it('answers the custody timeline as the fold of the person\'s events, as of a date and as known at a date', async () => {
    const person = people[0];
    const server = audit.app.getHttpServer();
    const { body } = await request(server).get(`/inmates/${person.inmateId}/custody-timeline`).expect(200);
    expect(body.intervals).toEqual(foldTimeline(person.inmateId, person.positioned()).intervals);
    expect(body.intervals).toHaveLength(3);
    const asOf = await request(server).get(`/inmates/${person.inmateId}/custody-timeline`).query({ asOf: '2026-04-14T08:00:00Z' }).expect(200);
    expect(asOf.body.intervals.at(-1)).toMatchObject({ place: { kind: 'in-transit' }, to: null });
    const bad = await request(server).get(`/inmates/${person.inmateId}/custody-timeline`).query({ knownAt: 'yesterday' }).expect(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'knownAt' }] });
    // A person the ledger holds nothing about is not an empty custody: "nothing has arrived" is told apart.
    // (While the partition of the id is still being committed, 409 NOT_YET_KNOWN_HERE: waited out.)
    const unknown = await sendUntilKnownHere(() => request(server).get(`/inmates/${randomUUID()}/custody-timeline`));
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'INMATE_NOT_FOUND' });
  });

  it('places a late, out-of-order event by when it happened', async () => {
    const person = people[2];
    const late = new History(person.inmateId, person.transferId, person.facilityId);
    late.add('AbsenceStarted', '2026-05-01T08:00:00Z', { kind: 'court', destination: 'Tirana District Court', authority: { state: 'AL', organisation: 'Court police' } }, '2026-05-09T08:00:00Z');
    late.add('AbsenceEnded', '2026-05-01T15:00:00Z', {}, '2026-05-09T08:00:01Z');
    await audit.publish([late.events[1], late.events[0]]);
    await eventually(async () => ((await ledger.repository.head()).size === total + 2 ? true : undefined), { timeoutMs: 60_000, message: 'the late events chained' });
    const now = await ledger.timeline(person.inmateId);
    expect(now.intervals.slice(-2).map((i) => i.place.kind)).toEqual(['absence', 'facility']);
    const before = await ledger.timeline(person.inmateId, { knownAt: '2026-05-08T00:00:00Z' });
    expect(before.intervals.at(-1)).toMatchObject({ place: { kind: 'facility' }, to: null });
  });

  it('signs a checkpoint of the head and publishes it on custody.audit.checkpoints', async () => {
    const consumer = testKafka('checkpoints').consumer({ groupId: uniqueName('checkpoints') });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: `${audit.config.KAFKA_TOPIC_PREFIX}custody.audit.checkpoints`, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.headers?.ce_type)) });
    try {
      const { body } = await request(audit.app.getHttpServer()).post('/ledger/checkpoints').expect(201);
      const head = await ledger.repository.head();
      expect(body.checkpoint).toMatchObject({ entryCount: head.size, headHash: head.headHash, merkleRoot: head.frontier.root(), keyId: 'test-key', algorithm: 'Ed25519' });
      await eventually(() => (seen.includes('LedgerCheckpointSigned') ? true : undefined), { timeoutMs: 60_000, message: 'the checkpoint on Kafka' });
      expect((await ledger.verify()).checkpointsMatched).toBe(1);
    } finally {
      await consumer.disconnect();
    }
  });

  describe('tampering in PostgreSQL is reported at the exact entry', () => {
    const rowAt = async (position: number) => (await sql('SELECT * FROM ledger WHERE position = $1', [position])).rows[0] as Record<string, unknown>;

    it('a byte changed in any row', async () => {
      const size = (await ledger.repository.head()).size;
      for (const position of [0, Math.floor(size / 2), size - 1]) {
        const row = await rowAt(position);
        const body = row.body as string;
        const changed = body.replace(/"occurredAt":"2026-0(\d)/, (_m, d: string) => `"occurredAt":"2026-0${(Number(d) % 9) + 1}`);
        expect(changed).not.toBe(body);
        await sql('UPDATE ledger SET body = $2 WHERE position = $1', [position, changed]);
        try {
          expect((await ledger.verify()).break).toMatchObject({ position, eventId: row.event_id, kind: 'hash-mismatch' });
        } finally {
          await sql('UPDATE ledger SET body = $2 WHERE position = $1', [position, body]);
        }
      }
      // Every other column of a row: the links, the hash, the keys it is found by.
      const position = Math.floor(size / 3);
      const row = await rowAt(position);
      const flip = (text: string) => text.slice(0, -1) + (text.endsWith('0') ? '1' : '0');
      for (const column of ['prev_hash', 'subject_prev_hash', 'hash', 'subject', 'inmate_id']) {
        const original = row[column] as string | null;
        if (original === null) continue;
        await sql(`UPDATE ledger SET ${column} = $2 WHERE position = $1`, [position, flip(original)]);
        try {
          expect({ column, ...(await ledger.verify()).break }).toMatchObject({ column, position, eventId: row.event_id });
        } finally {
          await sql(`UPDATE ledger SET ${column} = $2 WHERE position = $1`, [position, original]);
        }
      }
      expect((await ledger.verify()).isIntact).toBe(true);
    });

    it('a row deleted', async () => {
      const removed = await rowAt(5);
      const next = await rowAt(6);
      await sql('DELETE FROM ledger WHERE position = 5');
      try {
        expect((await ledger.verify()).break).toMatchObject({ position: 5, eventId: next.event_id, kind: 'missing-entry' });
      } finally {
        await sql('INSERT INTO ledger SELECT (json_populate_record(NULL::ledger, $1::json)).*', [JSON.stringify(removed)]);
      }
      expect((await ledger.verify()).isIntact).toBe(true);
    });

    it('two rows swapped', async () => {
      const [a, b] = [await rowAt(4), await rowAt(9)];
      const columns = ['event_id', 'subject', 'inmate_id', 'body', 'prev_hash', 'subject_prev_hash', 'hash'];
      const write = (position: number, row: Record<string, unknown>) =>
        sql(`UPDATE ledger SET ${columns.map((c, i) => `${c} = $${i + 2}`).join(', ')} WHERE position = $1`, [position, ...columns.map((c) => row[c])]);
      await sql('UPDATE ledger SET event_id = gen_random_uuid() WHERE position = 9');
      await write(4, b);
      await write(9, a);
      try {
        expect((await ledger.verify()).break).toMatchObject({ position: 4, eventId: b.event_id });
      } finally {
        await sql('UPDATE ledger SET event_id = gen_random_uuid() WHERE position = 9');
        await write(4, a);
        await write(9, b);
      }
      expect((await ledger.verify()).isIntact).toBe(true);
    });

    it('the last rows cut off', async () => {
      const size = (await ledger.repository.head()).size;
      const last = await rowAt(size - 1);
      await sql('DELETE FROM ledger WHERE position = $1', [size - 1]);
      try {
        expect((await ledger.verify()).break).toMatchObject({ position: size - 1, kind: 'missing-entry' });
      } finally {
        await sql('INSERT INTO ledger SELECT (json_populate_record(NULL::ledger, $1::json)).*', [JSON.stringify(last)]);
      }
    });
  });

  describe('an export verified and replayed offline', () => {
    it('replays to the online timeline and verifies against the checkpoint', async () => {
      await audit.app.get(ChainerService).chainPending();
      const person = people[2];
      const { body: signed } = await request(audit.app.getHttpServer()).post('/ledger/checkpoints').expect(201);
      const response = await request(audit.app.getHttpServer()).get(`/inmates/${person.inmateId}/export`).buffer(true).parse((res, done) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => done(null, text));
      }).expect(200);
      const text = response.body as string;
      const key = loadPublicKey(audit.publicKeyPem);
      expect(verifyExport(text, signed.checkpoint, key)).toMatchObject({ isIntact: true, entries: person.events.length + 2, problems: [] });
      const online = await ledger.timeline(person.inmateId);
      expect(timelineOfExport(text)).toEqual(online);
      const window = { asOf: '2026-05-01T12:00:00Z', knownAt: '2026-05-08T00:00:00Z' };
      expect(timelineOfExport(text, window)).toEqual(await ledger.timeline(person.inmateId, window));
    });

    it('detects a changed byte, a dropped line and another checkpoint', async () => {
      const person = people[0];
      const { header, entries } = await ledger.export(person.inmateId);
      const key = loadPublicKey(audit.publicKeyPem);
      const text = formatExport(header, entries);
      expect(verifyExport(text, header.checkpoint, key).isIntact).toBe(true);
      // One byte changed in the fourth entry, whatever event that is (the order of topics varies).
      expect(entries[3].body).toContain('2026-');
      const changed = formatExport(header, entries.map((e, i) => (i === 3 ? { ...e, body: e.body.replace('2026-', '2025-') } : e)));
      expect(verifyExport(changed, header.checkpoint, key).problems).toEqual([expect.objectContaining({ line: 5, position: entries[3].position, problem: 'the content does not give the recorded hash' })]);
      const dropped = formatExport({ ...header, entryCount: entries.length - 1 }, entries.filter((_, i) => i !== 2));
      expect(verifyExport(dropped, header.checkpoint, key).problems).toEqual([expect.objectContaining({ eventId: entries[3].eventId, problem: expect.stringMatching(/chain is broken/) })]);
      const forged = { ...header.checkpoint, entryCount: header.checkpoint.entryCount + 1 };
      expect(verifyExport(text, forged, key).problems[0].problem).toMatch(/not signed by this key/);
    });
  });

  it('keeps its checkpoints in its own event store', async () => {
    const store = audit.app.get(PostgresEventStore);
    const types: string[] = [];
    for await (const e of store.readStream('checkpoint-ledger')) types.push(e.type);
    expect(types.length).toBeGreaterThanOrEqual(1);
    expect(new Set(types)).toEqual(new Set(['LedgerCheckpointSigned']));
  });
});
