import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Pool } from 'pg';
import request from 'supertest';
import { TOPICS } from '@custody/contracts';
import { addDays } from '@custody/legal';
import { databaseUrl, eventually } from '@custody/testing';
import { bootTransferApp, dropSchema, newEnvironment, registerInmate, streamTypes, TestProducer } from '../testing/transfer-test-app';
import { MovableClock } from './clock';
import { DeadlineScheduler } from './deadline.scheduler';

const DAY0 = '2026-01-12';
const on = (day: number) => `${addDays(DAY0, day)}T09:00:00Z`;
const BELGIAN_PRISON = { state: 'BE', organisation: 'Prison de Haren' };
const DUTCH_JUSTICE = { state: 'NL', organisation: 'Ministerie van Justitie en Veiligheid' };
const missedCount = async (app: INestApplication, transferId: string) => (await streamTypes(app, transferId)).filter((t) => t === 'DeadlineMissed').length;

describe('deadlines (Rule 7): durable, on an injected clock, fired once', () => {
  const env = newEnvironment();
  // The service's clock reads day 1, noon, while the case is prepared: its acts of days 0 and 1 are
  // not in the future (docs/domain.md, Rule 17).
  const clock = new MovableClock(new Date(`${addDays(DAY0, 1)}T12:00:00Z`));
  const apps: INestApplication[] = [];
  const boot = async () => {
    const app = await bootTransferApp(env, clock);
    apps.push(app);
    return app;
  };
  let producer: TestProducer;

  beforeAll(() => {
    producer = new TestProducer(env.prefix);
  });

  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await producer.close();
    await dropSchema(env.schema);
  });

  /** A Belgium → Netherlands case under 2008/909 whose certificate the Netherlands received on day 1: the 90 days run. */
  async function caseAwaitingDecision(app: INestApplication) {
    const http = request(app.getHttpServer());
    const inmateId = randomUUID();
    const transferId = randomUUID();
    await registerInmate(producer, inmateId, {
      nationalities: ['NL'], sendingState: 'BE', habitualResidence: 'BE',
      sentence: {
        court: 'Rechtbank', caseReference: 'C-1', finalJudgmentDate: '2025-06-01', offences: [{ description: 'Burglary', category: 'property' }],
        kind: 'determinate', length: { years: 3, months: 0, days: 0 }, sentenceEndDate: '2028-06-10', enforcementStartDate: '2025-06-10', preTrialDays: 30, daysServed: 200,
      },
      expulsionOrder: { orderReference: 'OQT-1', issuingAuthority: BELGIAN_PRISON, issuedOn: '2025-07-01', destinationState: 'NL', isFinal: true },
    }, app);
    const c = (day: number, body: object = {}) => ({ commandId: randomUUID(), occurredAt: on(day), transferId, inmateId, ...body });
    await http.post('/transfers').send(c(0, { sendingState: 'BE', receivingState: 'NL', legalBasis: 'FD2008_909' })).expect(201);
    await eventually(async () => ((await http.post(`/transfers/${transferId}/eligibility`).send(c(0))).status === 200 ? true : undefined), { message: 'the inmate facts from intake' });
    await http.post(`/transfers/${transferId}/opinion`).send(c(0, { opinion: 'I would rather stay.', language: 'nl', recordedBy: BELGIAN_PRISON })).expect(200);
    await http.post(`/transfers/${transferId}/consent`).send(c(0, { outcome: 'not-required', notRequiredGround: 'national-to-be-deported-to-receiving-state', recordedBy: BELGIAN_PRISON })).expect(200);
    await http.post(`/transfers/${transferId}/certificate`).send(c(1, { certificateReference: 'BE-NL-1', receivingAuthority: DUTCH_JUSTICE, isJudgmentEnclosed: true })).expect(200);
    const receipt = await http.post(`/transfers/${transferId}/certificate-receipt`).send(c(1, { receivedBy: DUTCH_JUSTICE })).expect(200);
    expect(receipt.body.events).toEqual([expect.objectContaining({ type: 'CertificateReceived' })]);
    return { transferId, dueAt: `${addDays(DAY0, 91)}T23:59:59Z` };
  }

  it('fires DeadlineMissed once when the clock passes the due date, and still once after a restart and with two instances', async () => {
    const first = await boot();
    const { transferId, dueAt } = await caseAwaitingDecision(first);
    const http = request(first.getHttpServer());
    const shown = await http.get(`/transfers/${transferId}`).expect(200);
    expect(shown.body.openDeadlines).toEqual([{ kind: 'receiving-state-decision', dueAt, status: 'open', isOverdue: false }]);

    // The read model holds the deadline; nothing fires before the clock passes it.
    await eventually(async () => ((await http.get('/transfers').query({ state: 'certificate-issued', receivingState: 'NL' })).body.items.length === 1 ? true : undefined), { message: 'the case in the read model' });
    expect(await first.get(DeadlineScheduler).scanOnce()).toBe(0);
    clock.set(`${addDays(DAY0, 91)}T23:00:00Z`);
    expect(await first.get(DeadlineScheduler).scanOnce()).toBe(0);

    clock.set(`${addDays(DAY0, 92)}T08:00:00Z`);
    await eventually(async () => ((await missedCount(first, transferId)) > 0 ? true : undefined), { message: 'DeadlineMissed' });
    const overdue = await eventually(async () => {
      const { body } = await http.get('/transfers').query({ overdue: 'true' }).expect(200);
      return body.items.find((i: { transferId: string; openDeadlines: { status: string }[] }) => i.transferId === transferId && i.openDeadlines[0]?.status === 'missed');
    }, { message: 'the case listed as overdue with its deadline missed' });
    expect(overdue).toMatchObject({ isOverdue: true, openDeadlines: [{ kind: 'receiving-state-decision', dueAt, status: 'missed', isOverdue: true }] });
    expect((await http.get('/transfers').query({ overdue: 'false', receivingState: 'NL' })).body.items).toEqual([]);
    await first.get(DeadlineScheduler).scanOnce();
    expect(await missedCount(first, transferId)).toBe(1);

    // Restart: the deadline table survives; the clock moves on; still one.
    await first.close();
    clock.advanceDays(3);
    const second = await boot();
    const third = await boot();
    await Promise.all([second.get(DeadlineScheduler).scanOnce(), third.get(DeadlineScheduler).scanOnce()]);
    await Promise.all([second.get(DeadlineScheduler).scanOnce(), third.get(DeadlineScheduler).scanOnce()]);
    expect(await missedCount(second, transferId)).toBe(1);

    // A late decision is refused until the deadline is extended with a reason; then it is met. The
    // clock reads day 96, noon: the acts of days 95 and 96 have happened.
    clock.set(`${addDays(DAY0, 96)}T12:00:00Z`);
    const http2 = request(second.getHttpServer());
    const c = (day: number, body: object) => ({ commandId: randomUUID(), occurredAt: on(day), transferId, inmateId: shown.body.inmateId, ...body });
    const decision = { decision: 'recognised', decisionReference: 'NL-1', decidedBy: DUTCH_JUSTICE, procedure: 'continuation' };
    await http2.post(`/transfers/${transferId}/decision`).send(c(95, decision)).expect(422).expect((r) => expect(r.body.code).toBe('DEADLINE_PASSED'));
    await http2.post(`/transfers/${transferId}/deadline-extensions`).send(c(95, { deadline: 'receiving-state-decision', newDueAt: `${addDays(DAY0, 120)}T23:59:59Z`, reason: 'The judgment is being translated.', noticeReference: 'NL-N-7' })).expect(200);
    const decided = await http2.post(`/transfers/${transferId}/decision`).send(c(96, decision)).expect(200);
    expect(decided.body.events).toEqual([expect.objectContaining({ type: 'ReceivingStateDecisionRecorded' })]);
    const after = await http2.get(`/transfers/${transferId}`).expect(200);
    expect(after.body.openDeadlines).toEqual([{ kind: 'physical-transfer', dueAt: `${addDays(DAY0, 126)}T23:59:59Z`, status: 'open', isOverdue: false }]);
    expect(after.body.timeline.filter((t: { step: string }) => t.step === 'DeadlineMissed')).toHaveLength(1);
    // The table the scheduler scans follows: the met deadline's row is gone, the new one is open.
    const pool = new Pool({ connectionString: databaseUrl(), max: 1 });
    try {
      const rows = async () =>
        (await pool.query(`SELECT kind, due_at, status FROM "${env.schema}".transfer_deadlines WHERE transfer_id = $1 ORDER BY kind`, [transferId])).rows;
      await eventually(async () => ((await rows()).length === 1 && (await rows())[0].kind === 'physical-transfer' ? true : undefined), { message: 'the deadlines table after the decision' });
      expect(await rows()).toEqual([{ kind: 'physical-transfer', due_at: `${addDays(DAY0, 126)}T23:59:59Z`, status: 'open' }]);
    } finally {
      await pool.end();
    }
    expect(TOPICS.transferEvents).toBe('custody.transfer.events');
  });
});
