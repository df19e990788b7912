import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { TOPICS } from '@custody/contracts';
import { eventually, testKafka } from '@custody/testing';
import { run } from '../cli/cli';
import { belgiumToAlbania } from '../testing/history';
import { FindingsRepository } from '../findings/findings.repository';
import { messageOf, serviceKey } from '../testing/signed-events';
import { startTestAudit, type TestAudit } from '../testing/test-app';
import { AuditLedger } from './audit-ledger';
import { CheckpointService } from './checkpoint.service';
import { entryHashInput } from './entry';

/**
 * The audit service with EVENT_SIGNATURES=required and the three publishers' keys: the ledger keeps
 * each event's signature, verify checks them online (GET /ledger/verify, custody-audit verify) with
 * the keys of configuration, and offline from an export that carries the publishers' keys.
 */
describe('the ledger keeps each event\'s signature; verify checks them online and offline (real broker and PostgreSQL)', () => {
  const intake = serviceKey('intake');
  const transfer = serviceKey('transfer');
  const custody = serviceKey('custody');
  const auditKey = serviceKey('audit');
  const publisherKeys = JSON.stringify([intake.entry, transfer.entry, custody.entry]);
  const person = belgiumToAlbania();
  let audit: TestAudit;
  let dir: string;

  async function cli(...argv: string[]) {
    let stdout = '';
    let stderr = '';
    const online = [
      '--database-url', audit.config.DATABASE_URL, '--schema', audit.config.DATABASE_SCHEMA,
      '--trusted-keys', JSON.stringify([{ keyId: audit.config.AUDIT_SIGNING_KEY_ID, publicKeyPem: audit.publicKeyPem }]),
    ];
    const code = await run([...online, ...argv], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
  }

  /** The CLI with no database at all, as an auditor runs it on a laptop. */
  async function offline(...argv: string[]) {
    let stdout = '';
    const code = await run(['--database-url', 'postgres://nobody@127.0.0.1:1/none', ...argv], { stdout: (t) => (stdout += t), stderr: () => undefined });
    return { code, stdout };
  }

  beforeAll(async () => {
    audit = await startTestAudit('audit_event_signatures', {
      EVENT_SIGNING_KEY: auditKey.privateKeyPem, EVENT_PUBLISHER_KEYS: publisherKeys, INVARIANT_GRACE_PERIOD_MS: 600_000, INVARIANT_CHECK_INTERVAL_MS: 50,
    });
    expect(audit.config.EVENT_SIGNATURES).toBe('required');
    dir = await mkdtemp(join(tmpdir(), 'custody-audit-signatures-'));
    await audit.publish(person.events, { intake: intake.signer, transfer: transfer.signer, custody: custody.signer });
    const ledger = audit.app.get(AuditLedger);
    await eventually(async () => ((await ledger.repository.head()).size === person.events.length ? true : undefined), { timeoutMs: 90_000, message: 'the ledger chained' });
    await audit.app.get(CheckpointService).signIfGrown();
    await writeFile(join(dir, 'ledger-key.pem'), audit.publicKeyPem);
  });

  afterAll(async () => {
    await audit?.close();
  });

  it('keeps with each entry the signature as received, its batch path and the key id, hashed as entry version 2', async () => {
    const entries = await audit.app.get(AuditLedger).repository.entriesOfInmate(person.inmateId);
    expect(entries).toHaveLength(person.events.length);
    const kidOf: Record<string, string> = { [TOPICS.intakeEvents]: intake.kid, [TOPICS.transferEvents]: transfer.kid, [TOPICS.facilityEvents]: custody.kid };
    for (const entry of entries) {
      const record = JSON.parse(entry.signature!);
      expect(record.kid).toBe(kidOf[record.topic]);
      expect(record.signature).toMatch(/^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+$/);
      expect(record.path).toMatch(/^\d+\.[1-9]\d*(\.[A-Za-z0-9_-]{43})*$/);
      expect(entryHashInput(entry).startsWith('custody-ledger-entry/2\n')).toBe(true);
    }
  });

  it('verifies every signature online with the publishers\' keys of configuration: GET /ledger/verify and custody-audit verify', async () => {
    const { body } = await request(audit.app.getHttpServer()).get('/ledger/verify?fromPosition=0').expect(200);
    expect(body).toMatchObject({ isIntact: true, signatures: { checked: 6, valid: 6, missing: 0, invalid: 0, bySigner: { intake: 1, transfer: 4, custody: 1 }, entries: [] } });

    const signed = await cli('verify', '--publisher-keys', publisherKeys);
    expect(signed).toMatchObject({ code: 0, stdout: expect.stringContaining('SIGNED: 6 of 6 entries hold their publisher\'s signature (custody 1, intake 1, transfer 4).') });
    expect((await cli('verify')).stdout).toContain('Event signatures not checked: no publisher key given');

    // The keys come from the auditor, never from the ledger: without custody's, its entry is not proven.
    const withoutCustody = await cli('verify', '--publisher-keys', JSON.stringify([intake.entry, transfer.entry]), '--format', 'json');
    expect(withoutCustody.code).toBe(1);
    const admitted = (await audit.app.get(AuditLedger).repository.entriesOfInmate(person.inmateId)).find((e) => e.body.includes('"InmateAdmitted"'))!;
    expect(JSON.parse(withoutCustody.stdout).signatures).toMatchObject({
      valid: 5, invalid: 1, entries: [{ position: admitted.position, eventId: admitted.eventId, status: 'invalid', reason: expect.stringContaining(`${custody.kid} is not a configured publisher key`) }],
    });
  });

  it('exports the publishers\' keys with the entries; offline verify checks each signature, and reports exactly the entry whose signature was altered', async () => {
    const file = join(dir, 'person.ndjson');
    const checkpointFile = join(dir, 'checkpoint.json');
    // Without the publishers' keys, the export says which it cannot carry.
    const keyless = await cli('export', person.inmateId, '--out', file, '--purpose', 'signature test', '--actor', 'cli-test');
    expect(keyless).toMatchObject({ code: 0, stdout: expect.stringContaining(`The export carries no public key for ${[custody.kid, intake.kid, transfer.kid].sort().join(', ')}`) });
    expect((await cli('export', person.inmateId, '--out', file, '--purpose', 'signature test', '--actor', 'cli-test', '--publisher-keys', publisherKeys)).code).toBe(0);
    expect((await cli('checkpoint', '--out', checkpointFile)).code).toBe(0);
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    const header = JSON.parse(lines[0]);
    expect(header.format).toBe('custody-audit-export/2');
    expect(header.publisherKeys.map((k: { service: string; kid: string }) => [k.service, k.kid]).sort()).toEqual([['custody', custody.kid], ['intake', intake.kid], ['transfer', transfer.kid]].sort());
    const ledgerKey = ['--public-key', `${audit.config.AUDIT_SIGNING_KEY_ID}=${join(dir, 'ledger-key.pem')}`];

    const verified = await offline('verify', '--file', file, '--checkpoint', checkpointFile, ...ledgerKey, '--format', 'json');
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout).signatures).toMatchObject({ checked: 6, valid: 6, invalid: 0, keysFromExport: [custody.kid, intake.kid, transfer.kid].sort() });
    // The keys the auditor holds are used first; the export's, for the ids they do not name, are said to come from it.
    const confirmed = await offline('verify', '--file', file, '--checkpoint', checkpointFile, ...ledgerKey, '--publisher-keys', publisherKeys);
    expect(confirmed).toMatchObject({ code: 0, stdout: expect.stringContaining('SIGNED: 6 of 6 entries') });
    expect(confirmed.stdout).not.toContain('Keys taken from the export');

    // The export's keys replaced by someone's own under the same ids: refused against the auditor's keys, and the signatures no longer hold with them.
    const impostor = serviceKey('intake');
    const swapped = join(dir, 'swapped.ndjson');
    const swappedHeader = { ...header, publisherKeys: header.publisherKeys.map((k: { kid: string }) => (k.kid === intake.kid ? { ...k, publicKeyPem: impostor.entry.publicKeyPem } : k)) };
    await writeFile(swapped, [JSON.stringify(swappedHeader), ...lines.slice(1)].join('\n') + '\n');
    const refused = await offline('verify', '--file', swapped, '--checkpoint', checkpointFile, ...ledgerKey, '--publisher-keys', publisherKeys, '--format', 'json');
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).problems).toEqual([{ line: 1, problem: `the export names key ${intake.kid} as intake's with another key than the one given for it` }]);
    const alone = JSON.parse((await offline('verify', '--file', swapped, '--checkpoint', checkpointFile, ...ledgerKey, '--format', 'json')).stdout);
    expect(alone.signatures).toMatchObject({ valid: 5, invalid: 1 });

    // One event signature altered in the file: a character inside it (the last one of base64url carries padding bits, which decode alike).
    const at = 3;
    const entry = JSON.parse(lines[at]);
    const record = JSON.parse(entry.signature);
    const c = record.signature.length - 10;
    record.signature = record.signature.slice(0, c) + (record.signature[c] === 'A' ? 'B' : 'A') + record.signature.slice(c + 1);
    const tampered = join(dir, 'tampered.ndjson');
    await writeFile(tampered, lines.map((line, i) => (i === at ? JSON.stringify({ ...entry, signature: JSON.stringify(record) }) : line)).join('\n') + '\n');
    const caught = await offline('verify', '--file', tampered, '--checkpoint', checkpointFile, ...ledgerKey, '--publisher-keys', publisherKeys, '--format', 'json');
    expect(caught.code).toBe(1);
    const result = JSON.parse(caught.stdout);
    expect(result.problems.length).toBeGreaterThan(0);
    for (const problem of result.problems) expect(problem).toMatchObject({ line: at + 1, position: entry.position, eventId: entry.eventId });
    expect(result.problems).toContainEqual({ line: at + 1, position: entry.position, eventId: entry.eventId, problem: expect.stringContaining("the event's signature does not hold") });
    expect(result.signatures).toMatchObject({ valid: 5, invalid: 1, entries: [{ position: entry.position, eventId: entry.eventId, status: 'invalid' }] });
    const table = await offline('verify', '--file', tampered, '--checkpoint', checkpointFile, ...ledgerKey, '--publisher-keys', publisherKeys);
    expect(table.stdout).toMatch(new RegExp(`${at + 1}\\s+${entry.position}\\s+${entry.eventId}\\s+the event's signature does not hold`));
  });

  it('a forged event dead-lettered as EVENT_SIGNATURE_INVALID raises an event-signatures-valid finding of the person it names; the ledger is unchanged', async () => {
    // A CustodyReceived about the person on the transfer service's topic, signed with custody's key, then one unsigned.
    const received = person.events.find((e) => e.type === 'CustodyReceived')!;
    const forged = { ...received, id: randomUUID(), occurredAt: '2026-04-15T09:00:00Z', recordedAt: '2026-04-15T09:00:00Z' };
    const unsigned = { ...forged, id: randomUUID() };
    const topic = `${audit.config.KAFKA_TOPIC_PREFIX}${TOPICS.transferEvents}`;
    await audit.producer.send({ topic, acks: -1, messages: [custody.signer.signedBatch([messageOf(forged)])[0], messageOf(unsigned)] });

    const findings = new FindingsRepository(audit.schema.pool, audit.schema.schema);
    const raised = await eventually(async () => {
      const found = (await findings.list({ inmateId: person.inmateId })).filter((f) => f.invariant === 'event-signatures-valid');
      return found.length === 2 ? found : undefined;
    }, { timeoutMs: 60_000, message: 'two event-signatures-valid findings' });
    const of = (id: string) => raised.find((f) => f.evidenceEventIds.includes(id))!;
    expect(of(forged.id)).toMatchObject({ status: 'open', inmateId: person.inmateId, evidenceEventIds: [forged.id] });
    expect(of(forged.id).description).toMatch(new RegExp(`^EVENT_SIGNATURE_INVALID: CustodyReceived ${forged.id} on ${TOPICS.transferEvents.replace(/\./g, '\\.')} `));
    expect(of(forged.id).description).toContain(`signed with key ${custody.kid}`);
    expect(of(forged.id).description).toContain('signed by custody');
    expect(of(unsigned.id).description).toContain('carries no signature');

    // Both set aside in the topic's dead letters, neither in the ledger; it still verifies, every signature holding; the metric counts both.
    const { rows } = await audit.schema.pool.query(`SELECT 1 FROM "${audit.schema.schema}".ledger WHERE event_id = ANY($1::uuid[]) UNION ALL SELECT 1 FROM "${audit.schema.schema}".ledger_pending WHERE event_id = ANY($1::uuid[])`, [[forged.id, unsigned.id]]);
    expect(rows).toEqual([]);
    expect(await audit.app.get(AuditLedger).verify()).toMatchObject({ isIntact: true, checked: person.events.length, signatures: { valid: person.events.length, invalid: 0 } });
    const admin = testKafka('admin').admin();
    await admin.connect();
    try {
      const dlq = await eventually(async () => {
        const count = (await admin.fetchTopicOffsets(`${topic}.dlq`)).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
        return count === 2 ? count : undefined;
      }, { timeoutMs: 30_000, message: 'two dead letters' });
      expect(dlq).toBe(2);
    } finally {
      await admin.disconnect();
    }
    const metrics = (await request(audit.app.getHttpServer()).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^custody_audit_event_signatures_refused(\{[^}]*\})? 2$/m);
  });

  it('a message that names no one, undecodable under a forged signature, raises a topic-level finding (FindingRaised v2, listed by topic and published keyed by it); the valid event behind it on the partition is recorded', async () => {
    // Garbage (no CloudEvent, not JSON, no ce_id nor ce_subject) claiming to be transfer's CustodyReceived, signed with a key that is not transfer's.
    const impostor = serviceKey('transfer');
    const garbage = impostor.signer.signed({ key: 'no-one', value: '\u0000{not an event', headers: { ce_type: 'CustodyReceived', ce_source: '/custody/transfer' } });
    // Behind it on the same partition, a genuine event of transfer's about another person.
    const next = belgiumToAlbania();
    const genuineEvent = next.events.find((e) => e.type === 'TransferRequested')!;
    const genuine = transfer.signer.signedBatch([messageOf(genuineEvent)])[0];
    const topic = `${audit.config.KAFKA_TOPIC_PREFIX}${TOPICS.transferEvents}`;
    const [sent] = await audit.producer.send({
      topic, acks: -1,
      messages: [{ ...garbage, partition: 1 }, { key: genuine.key, value: genuine.value, headers: genuine.headers, partition: 1 }],
    });
    expect(sent.partition).toBe(1);

    const findings = new FindingsRepository(audit.schema.pool, audit.schema.schema);
    const [finding] = await eventually(async () => {
      const found = await findings.list({ topic: TOPICS.transferEvents });
      return found.length > 0 ? found : undefined;
    }, { timeoutMs: 60_000, message: 'a topic-level finding of custody.transfer.events' });
    expect(finding).toEqual({
      findingId: expect.any(String),
      invariant: 'event-signatures-valid',
      subject: `topic/${TOPICS.transferEvents}`,
      refusedMessage: { topic: TOPICS.transferEvents, partition: 1, offset: sent.baseOffset, reasonCode: 'EVENT_SIGNATURE_INVALID', type: 'CustodyReceived', source: '/custody/transfer', kid: impostor.kid },
      status: 'open',
      description: expect.stringContaining(`EVENT_SIGNATURE_INVALID: a message naming no person or facility (type CustodyReceived, no ce_id) on ${TOPICS.transferEvents} (partition 1, offset ${sent.baseOffset})`),
      evidenceEventIds: [expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)],
      raisedAt: expect.any(String),
      raisedEventId: expect.any(String),
      raisedAtLedgerSize: expect.any(Number),
      revision: 0,
    });
    expect(finding.description).toContain(`signed with key ${impostor.kid}`);
    expect(finding.description).toContain('is not a configured publisher key');

    // The partition moved on: the genuine event behind the garbage is recorded.
    await eventually(async () => {
      const { rows } = await audit.schema.pool.query(`SELECT 1 FROM "${audit.schema.schema}".ledger WHERE event_id = $1 UNION ALL SELECT 1 FROM "${audit.schema.schema}".ledger_pending WHERE event_id = $1`, [genuineEvent.id]);
      return rows.length > 0 ? true : undefined;
    }, { timeoutMs: 60_000, message: 'the genuine event behind the garbage recorded' });

    // The auditor lists it: by topic over HTTP (an invalid topic is a 400), and among all findings.
    const { body: byTopic } = await request(audit.app.getHttpServer()).get('/findings').query({ topic: TOPICS.transferEvents }).expect(200);
    expect(byTopic).toEqual([finding]);
    const { body: all } = await request(audit.app.getHttpServer()).get('/findings').expect(200);
    expect(all).toContainEqual(finding);
    const { body: invalid } = await request(audit.app.getHttpServer()).get('/findings').query({ topic: 'not a topic' }).expect(400);
    expect(invalid).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'topic' }] });

    // Published on custody.audit.findings as FindingRaised version 2, keyed by the topic, with subject topic/<topic>.
    const consumer = testKafka('findings-reader').consumer({ groupId: `${audit.config.KAFKA_GROUP_ID}-findings-reader` });
    const published: Array<{ key: string | null; headers: Record<string, string>; value: string }> = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: `${audit.config.KAFKA_TOPIC_PREFIX}${TOPICS.auditFindings}`, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => void published.push({
          key: message.key?.toString() ?? null,
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)])),
          value: message.value?.toString() ?? '',
        }),
      });
      const message = await eventually(async () => published.find((m) => m.headers.ce_subject === `topic/${TOPICS.transferEvents}`), { timeoutMs: 60_000, message: 'the topic-level finding published' });
      expect(message).toMatchObject({ key: TOPICS.transferEvents, headers: { ce_type: 'FindingRaised', ce_schemaversion: '2' } });
      expect(JSON.parse(message.value)).toMatchObject({ findingId: finding.findingId, refusedMessage: finding.refusedMessage });
    } finally {
      await consumer.disconnect();
    }
  });
});
