import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { eventually, testKafka, uniqueName } from '@custody/testing';
import type { Consumer } from 'kafkajs';
import { run } from '../cli/cli';
import { AuditLedger } from '../ledger/audit-ledger';
import { LedgerRepository } from '../ledger/ledger.repository';
import { belgiumToAlbaniaCase, belgiumToNetherlandsCase, denmarkToKosovoCase } from '../testing/shapes';
import { startTestAudit, type TestAudit } from '../testing/test-app';
import type { Finding } from './findings.repository';
import { FindingsService } from './findings.service';

interface Published {
  type: string;
  data: { findingId: string; invariant: string; inmateId?: string; evidenceEventIds: string[] };
}

describe('findings: raised from the ledger, published, resolved by late evidence; rebuild and digest', () => {
  let audit: TestAudit;
  let consumer: Consumer;
  const published: Published[] = [];
  // Belgium → Albania with the dispatch still in flight: the receipt arrives without it.
  const late = belgiumToAlbaniaCase();
  const dispatch = late.events.find((e) => e.type === 'CustodyDispatched')!;
  const lawful = [belgiumToAlbaniaCase(), denmarkToKosovoCase(), belgiumToNetherlandsCase()];
  // Rule 17: a case whose certificate receipt was recorded 40 days after it happened, with the reason.
  const recordedLate = belgiumToAlbaniaCase();
  const receipt = recordedLate.events.find((e) => e.type === 'CertificateReceived')!;
  const lateReason = 'The receipt was entered from the paper register after the registry\'s outage.';
  Object.assign(receipt, { recordedAt: '2026-03-15T10:00:00.000Z', causationId: randomUUID(), lateRecordingReason: lateReason });
  const findingsOf = async (inmateId: string, status?: 'open' | 'resolved'): Promise<Finding[]> =>
    (await request(audit.app.getHttpServer()).get('/findings').query({ inmateId, ...(status ? { status } : {}) }).expect(200)).body as Finding[];

  beforeAll(async () => {
    // A short grace period: the sides of a hand-over published on two topics reach the ledger
    // in either order; a side still missing 10 s after the other arrived is a finding (on a
    // loaded machine one topic's partitions can be assigned seconds after the other's).
    audit = await startTestAudit('audit_findings', { INVARIANT_GRACE_PERIOD_MS: 10_000, INVARIANT_CHECK_INTERVAL_MS: 50 });
    consumer = testKafka('findings').consumer({ groupId: uniqueName('findings') });
    await consumer.connect();
    await consumer.subscribe({ topic: `${audit.config.KAFKA_TOPIC_PREFIX}custody.audit.findings`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void published.push({ type: String(message.headers?.ce_type), data: JSON.parse(String(message.value)) as Published['data'] }),
    });
    await audit.publish([...lawful.flatMap((h) => h.events), ...late.events.filter((e) => e !== dispatch), ...recordedLate.events]);
    const total = lawful.reduce((n, h) => n + h.events.length, 0) + late.events.length - 1 + recordedLate.events.length;
    const ledger = audit.app.get(AuditLedger);
    await eventually(async () => ((await ledger.repository.head()).size === total ? true : undefined), { timeoutMs: 90_000, message: `${total} chained entries` });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await audit?.close();
  });

  it('raises a finding for each broken invariant, lists it at GET /findings and publishes it on custody.audit.findings', async () => {
    const open = await eventually(async () => {
      const findings = await findingsOf(late.inmateId, 'open');
      return findings.length === 2 ? findings : undefined;
    }, { timeoutMs: 60_000, message: 'two findings of the receipt without its dispatch' });
    const receipt = late.events.find((e) => e.type === 'CustodyReceived')!;
    expect(open.map((f) => f.invariant).sort()).toEqual(['single-custodian', 'two-sided-hand-over']);
    expect(open.every((f) => f.status === 'open' && f.inmateId === late.inmateId && f.evidenceEventIds.includes(receipt.id))).toBe(true);
    const ids = new Set(open.map((f) => f.findingId));
    await eventually(() => (published.filter((p) => p.type === 'FindingRaised' && ids.has(p.data.findingId)).length === 2 ? true : undefined), {
      timeoutMs: 60_000,
      message: 'FindingRaised on Kafka',
    });
  });

  it('raises nothing on the three real shapes', async () => {
    const reports = await request(audit.app.getHttpServer()).post('/findings/check').send({}).expect(200);
    const lawfulSubjects = new Set(lawful.flatMap((h) => [`inmate/${h.inmateId}`, `facility/${h.facilityId}`]));
    const checked = (reports.body as Array<{ subject: string; violations: unknown[] }>).filter((r) => lawfulSubjects.has(r.subject));
    expect(checked).toHaveLength(lawfulSubjects.size);
    expect(checked.flatMap((r) => r.violations)).toEqual([]);
    for (const h of lawful) expect(await findingsOf(h.inmateId)).toEqual([]);
  });

  it('Rule 17: an act recorded late is a recorded-in-time finding quoting its reason; the ledger keeps the reason with the event', async () => {
    const [finding] = await eventually(async () => {
      const findings = await findingsOf(recordedLate.inmateId, 'open');
      return findings.length > 0 ? findings : undefined;
    }, { timeoutMs: 60_000, message: 'the finding of the receipt recorded late' });
    expect(await findingsOf(recordedLate.inmateId)).toHaveLength(1);
    expect(finding).toMatchObject({ invariant: 'recorded-in-time', status: 'open', inmateId: recordedLate.inmateId, evidenceEventIds: [receipt.id] });
    expect(finding.description).toBe(
      `LATE_RECORDING: CertificateReceived dated ${receipt.occurredAt} was recorded 2026-03-15T10:00:00.000Z, 40 days after it happened (more than 7); reason given: "${lateReason}" (Rule 17).`,
    );
    const entry = (await audit.app.get(AuditLedger).repository.entriesOfInmate(recordedLate.inmateId)).find((e) => e.eventId === receipt.id);
    expect(JSON.parse(entry!.body)).toMatchObject({ id: receipt.id, lateRecordingReason: lateReason });
    await eventually(() => (published.some((p) => p.type === 'FindingRaised' && p.data.findingId === finding.findingId && p.data.invariant === 'recorded-in-time') ? true : undefined), {
      timeoutMs: 60_000,
      message: 'its FindingRaised on Kafka',
    });
  });

  it('does not raise the same violation twice', async () => {
    const { body } = await request(audit.app.getHttpServer()).post('/findings/check').send({ inmateId: late.inmateId }).expect(200);
    expect(body).toMatchObject([{ subject: `inmate/${late.inmateId}`, raised: [], resolved: [] }]);
    expect(body[0].violations).toHaveLength(2);
    expect(await findingsOf(late.inmateId, 'open')).toHaveLength(2);
  });

  it('the digest of two rebuilds, by HTTP and by the CLI, is the digest of the live state', async () => {
    const server = audit.app.getHttpServer();
    const live = (await request(server).get('/admin/digest').expect(200)).body;
    expect(live).toMatchObject({ algorithm: 'SHA-256', digest: expect.stringMatching(/^[0-9a-f]{64}$/), people: 5, openFindings: 3 });
    const first = (await request(server).post('/admin/rebuild').expect(200)).body;
    const second = (await request(server).post('/admin/rebuild').expect(200)).body;
    expect(first).toEqual(live);
    expect(second).toEqual(live);
    let stdout = '';
    const code = await run(['--database-url', audit.config.DATABASE_URL, '--schema', audit.config.DATABASE_SCHEMA, '-q', 'rebuild', '--format', 'json'], { stdout: (t) => (stdout += t), stderr: () => undefined });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(live);
    expect(await findingsOf(late.inmateId, 'open')).toHaveLength(2);
  });

  it('resolves the findings when the late dispatch arrives over Kafka', async () => {
    const open = await findingsOf(late.inmateId, 'open');
    await audit.publish([{ ...dispatch, recordedAt: new Date().toISOString() }]);
    const resolved = await eventually(async () => {
      const findings = (await findingsOf(late.inmateId, 'resolved')).filter((f) => open.some((o) => o.findingId === f.findingId));
      return findings.length === 2 ? findings : undefined;
    }, { timeoutMs: 60_000, message: 'both findings resolved' });
    for (const finding of resolved) expect(finding.resolutionEventIds).toEqual([dispatch.id]);
    const resolutions = () => published.filter((p) => p.type === 'FindingResolved' && open.some((o) => o.findingId === p.data.findingId));
    await eventually(() => (resolutions().length === 2 ? true : undefined), { timeoutMs: 60_000, message: 'FindingResolved on Kafka' });
    expect(resolutions().map((p) => p.data.evidenceEventIds)).toEqual([[dispatch.id], [dispatch.id]]);
    const { body: stillOpen } = await request(audit.app.getHttpServer()).get('/findings').query({ status: 'open' }).expect(200);
    // Only the act recorded late stays open: a fact of the record, which no later evidence settles.
    expect((stillOpen as Finding[]).map((f) => [f.invariant, f.inmateId])).toEqual([['recorded-in-time', recordedLate.inmateId]]);
    // And the state still rebuilds to the live digest.
    const live = (await request(audit.app.getHttpServer()).get('/admin/digest').expect(200)).body;
    expect((await request(audit.app.getHttpServer()).post('/admin/rebuild').expect(200)).body).toEqual(live);
  });

  it("a person's check reads of the facility they name only what the ledger chained since the last read, and keeps its registration", async () => {
    // Released from Gjilan without a deportation order (Rule 9): the finding's evidence is the
    // facility's registration as leased, which only the facility's entries tell.
    const released = denmarkToKosovoCase();
    const release = released.events.find((e) => e.type === 'InmateReleased')!;
    release.data.disposition = 'released';
    delete release.data.deportationOrderReference;
    delete release.data.destinationState;
    const registration = released.events.find((e) => e.type === 'FacilityRegistered')!;
    const subject = `facility/${released.facilityId}`;
    const repository = audit.app.get(LedgerRepository);
    await audit.publish(released.events);
    await eventually(async () => {
      const chained = new Set([...(await repository.entriesOfInmate(released.inmateId)), ...(await repository.entriesOfSubject(subject))].map((e) => e.eventId));
      return released.events.every((e) => chained.has(e.id)) ? true : undefined;
    }, { timeoutMs: 90_000, message: "the released person's entries chained" });
    const last = (await repository.entriesOfSubject(subject)).at(-1)!.position;
    const { checker } = audit.app.get(FindingsService);
    const spy = jest.spyOn(repository, 'entriesOfSubject');
    try {
      const now = '2030-01-01T00:00:00.000Z';
      const first = await checker.evaluate(`inmate/${released.inmateId}`, now);
      // The periodic checker runs beside this test and reads too (a facility's own check reads its
      // whole history): only what follows the first check is looked at, and only that it holds a
      // read of the facility from the position after its last entry.
      spy.mockClear();
      const second = await checker.evaluate(`inmate/${released.inmateId}`, now);
      const unordered = first.result.violations.filter((v) => v.invariant === 'deportation-order-on-lease-release');
      expect(unordered.map((v) => v.evidenceEventIds)).toEqual([[release.id, registration.id]]);
      expect(second.result).toEqual(first.result);
      expect(spy.mock.calls.filter(([read]) => read === subject)).toContainEqual([subject, last + 1]);
    } finally {
      spy.mockRestore();
    }
  });
});
