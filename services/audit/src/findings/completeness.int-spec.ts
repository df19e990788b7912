import request from 'supertest';
import { eventually, testKafka, uniqueName } from '@custody/testing';
import type { Consumer } from 'kafkajs';
import { AuditLedger } from '../ledger/audit-ledger';
import type { LedgerEvent } from '../ledger/entry';
import { History } from '../testing/history';
import { belgiumToAlbaniaCase } from '../testing/shapes';
import { startTestAudit, type TestAudit } from '../testing/test-app';
import type { Finding } from './findings.repository';

/** A person held in a facility: four events of custody's stream `custody-<id>`, revisions 0 to 3. */
function heldPerson(): { history: History; events: LedgerEvent[] } {
  const history = new History();
  history.add('InmateAdmitted', '2026-04-14T13:00:00Z', { governingState: 'AL' });
  history.add('CellAssigned', '2026-04-14T14:00:00Z');
  history.add('AbsenceStarted', '2026-05-01T08:00:00Z', { kind: 'hospital', destination: 'Regional Hospital', authority: { state: 'AL', organisation: 'Hospital guard' } });
  history.add('AbsenceEnded', '2026-05-02T16:00:00Z');
  history.add('AbsenceStarted', '2026-06-01T08:00:00Z', { kind: 'court', destination: 'Tirana District Court', authority: { state: 'AL', organisation: 'Court police' } });
  return { history, events: history.revisioned() };
}

describe('completeness: a revision missing from a stream is an EVENT_MISSING finding (history-complete)', () => {
  let audit: TestAudit;
  let consumer: Consumer;
  const published: Array<{ type: string; findingId: string; invariant: string }> = [];
  const gappy = heldPerson();
  const [rev0, rev1, rev2, rev3, rev4] = gappy.events;
  const stream = `custody-${gappy.history.inmateId}`;
  const lawful = belgiumToAlbaniaCase();
  /** The person's EVENT_MISSING findings (the short histories here break other invariants too: an admission without its receipt). */
  const findingsOf = async (inmateId: string, status?: 'open' | 'resolved'): Promise<Finding[]> =>
    ((await request(audit.app.getHttpServer()).get('/findings').query({ inmateId, ...(status ? { status } : {}) }).expect(200)).body as Finding[]).filter((f) => f.invariant === 'history-complete');
  const completenessOf = (report: { violations: Array<{ invariant: string }>; pending: Array<{ invariant: string }> }) => ({
    violations: report.violations.filter((v) => v.invariant === 'history-complete'),
    pending: report.pending.filter((v) => v.invariant === 'history-complete'),
  });
  const chained = (size: number) =>
    eventually(async () => ((await audit.app.get(AuditLedger).repository.head()).size === size ? true : undefined), { timeoutMs: 90_000, message: `${size} chained entries` });

  beforeAll(async () => {
    // A grace period of 10 s from when the ledger learnt of the event after a gap: a message of
    // another partition still in flight settles it before (as for the sides of a hand-over).
    audit = await startTestAudit('audit_completeness', { INVARIANT_GRACE_PERIOD_MS: 10_000, INVARIANT_CHECK_INTERVAL_MS: 50 });
    consumer = testKafka('completeness').consumer({ groupId: uniqueName('completeness') });
    await consumer.connect();
    await consumer.subscribe({ topic: `${audit.config.KAFKA_TOPIC_PREFIX}custody.audit.findings`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const data = JSON.parse(String(message.value)) as { findingId: string; invariant: string };
        published.push({ type: String(message.headers?.ce_type), findingId: data.findingId, invariant: data.invariant });
      },
    });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await audit?.close();
  });

  it('raises EVENT_MISSING naming the stream and the revision when a stream has revisions 0, 1 and 3, and publishes it', async () => {
    await audit.publish([...lawful.revisioned(), rev0, rev1, rev3]);
    await chained(lawful.events.length + 3);
    const [finding] = await eventually(async () => {
      const open = await findingsOf(gappy.history.inmateId, 'open');
      return open.length > 0 ? open : undefined;
    }, { timeoutMs: 60_000, message: 'the EVENT_MISSING finding' });
    expect(finding).toMatchObject({ invariant: 'history-complete', subject: `inmate/${gappy.history.inmateId}`, status: 'open', evidenceEventIds: [rev3.id] });
    expect(finding.description).toBe(`EVENT_MISSING: revision 2 of stream ${stream} (/custody/facility) never reached the ledger; revision 3 (event ${rev3.id}) names it as the stream's previous published event.`);
    expect(await findingsOf(gappy.history.inmateId)).toHaveLength(1);
    expect(await findingsOf(lawful.inmateId)).toEqual([]);
    await eventually(() => (published.some((p) => p.type === 'FindingRaised' && p.findingId === finding.findingId) ? true : undefined), { timeoutMs: 60_000, message: 'FindingRaised on Kafka' });
  });

  it('raises nothing for a redelivered revision 1', async () => {
    const [before] = await findingsOf(gappy.history.inmateId, 'open');
    // Revision 1 again, then revision 4 of the same stream (same key, same partition): once 4 is chained, 1 was read.
    await audit.publish([rev1, rev4]);
    await chained(lawful.events.length + 4);
    const { body } = await request(audit.app.getHttpServer()).post('/findings/check').send({ inmateId: gappy.history.inmateId }).expect(200);
    expect(body).toMatchObject([{ subject: `inmate/${gappy.history.inmateId}`, resolved: [] }]);
    expect(body[0].raised).not.toContain(before.findingId);
    expect(completenessOf(body[0]).violations).toEqual([expect.objectContaining({ evidenceEventIds: [rev3.id] })]);
    expect(await findingsOf(gappy.history.inmateId)).toEqual([before]);
    expect((await audit.app.get(AuditLedger).repository.entriesOfInmate(gappy.history.inmateId)).map((e) => e.eventId)).toEqual([rev0.id, rev1.id, rev3.id, rev4.id]);
  });

  it('resolves the finding when revision 2 arrives late', async () => {
    const [open] = await findingsOf(gappy.history.inmateId, 'open');
    await audit.publish([rev2]);
    const [resolved] = await eventually(async () => {
      const findings = await findingsOf(gappy.history.inmateId, 'resolved');
      return findings.length === 1 ? findings : undefined;
    }, { timeoutMs: 60_000, message: 'the finding resolved' });
    expect(resolved.findingId).toBe(open.findingId);
    expect(resolved.resolutionEventIds).toContain(rev2.id);
  });

  it('raises nothing for an event that arrives after the one that follows it, within the grace period', async () => {
    const other = heldPerson();
    const [first, second, third] = other.events;
    await audit.publish([first, third, second]);
    await chained(lawful.events.length + 8);
    // Checked now and once the grace period from the arrival of revision 2 has run out: never a finding.
    await request(audit.app.getHttpServer()).post('/findings/check').send({ inmateId: other.history.inmateId }).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 10_500));
    const { body } = await request(audit.app.getHttpServer()).post('/findings/check').send({ inmateId: other.history.inmateId }).expect(200);
    expect(completenessOf(body[0])).toEqual({ violations: [], pending: [] });
    expect(await findingsOf(other.history.inmateId)).toEqual([]);
  });
});
