// 1. Belgium → Albania under ETS 112, over the four services as separate processes: register,
// sentence, consent, certificate, recognition with conversion, reservation, schedule, dispatch,
// receipt, admission; the audit timeline shows the custodian change at the receipt instant;
// `custody-audit verify` says intact; no finding of a breach, and the acts recorded late listed with
// their reason (Rule 17). Then a case with about 150 days left (30 of the days served in pre-trial
// detention), which goes on once both states recorded their agreement (ETS 112 Art 3(2)) to the
// admission, with the placement sealed in custody's event, and certificate receipts dated in the
// future or before the certificate, refused with codes naming the dates (Rule 17).
import { randomUUID } from 'node:crypto';
import { asRecordedNow, BELGIUM_TO_ALBANIA, facilityRegistration, TransferCase, type Step } from './harness/cases';
import { send } from './harness/driver';
import { eventually, getOk, request } from './harness/http';
import { auditFindings, lateRecordings, ledgerEventsOf, occupancyReaches, transferOf, type TimelineInterval } from './harness/reads';
import { Stack } from './harness/stack';

describe('Belgium → Albania under ETS 112, end to end over four processes', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start({ label: 'be-al' });
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
  }, 120_000);

  it('runs a case from the registration to the admission, and the auditor sees the custodian change at the receipt', async () => {
    const facility = facilityRegistration(BELGIUM_TO_ALBANIA, 50);
    await send(stack, facility);
    const c = new TransferCase(BELGIUM_TO_ALBANIA, facility.body.facilityId as string);

    for (const step of c.intake()) await send(stack, step);
    for (const step of c.untilReservation()) await send(stack, step);
    const reserved = await eventually(async () => {
      const t = await transferOf(stack, c.transferId);
      return t.stage === 'place-reserved' ? t : undefined;
    }, { message: 'custody to reserve the place (PlaceReserved → the case)' });
    expect(reserved).toMatchObject({ legalBasis: 'ETS112', sendingState: 'BE', receivingState: 'AL', reservation: { reservationId: c.reservationId } });

    await occupancyReaches(stack, c.facilityId, { reserved: 1, occupied: 0 });

    for (const step of c.handOver()) await send(stack, step);
    await send(stack, c.admission(), { timeoutMs: 120_000 });

    // The facility's admission completes the case in the transfer service (InmateAdmitted over Kafka).
    const completed = await eventually(async () => {
      const t = await transferOf(stack, c.transferId);
      return t.stage === 'completed' ? t : undefined;
    }, { message: 'the case to complete on InmateAdmitted' });
    expect(completed).toMatchObject({ openDeadlines: [], decision: { decision: 'recognised', procedure: 'conversion' }, reservation: { status: 'used' }, ending: { reason: 'admitted' } });
    await occupancyReaches(stack, c.facilityId, { reserved: 0, occupied: 1 });

    // Intake heard the hand-over: Belgium's enforcement is suspended (Rule 12).
    await eventually(async () => {
      const inmate = await getOk<{ enforcement: { status: string } }>(`${stack.url('intake')}/inmates/${c.inmateId}`);
      return inmate.enforcement.status === 'suspended' ? inmate : undefined;
    }, { message: "intake to suspend Belgium's enforcement on CustodyReceived" });

    // The ledger holds every event of the person, once.
    const types = await eventually(async () => {
      const events = await ledgerEventsOf(stack, c.inmateId);
      return events.some((e) => e.type === 'InmateAdmitted') && events.some((e) => e.type === 'TransferCompleted') ? events.map((e) => e.type) : undefined;
    }, { message: 'the audit ledger to show the admission and the completion' });
    for (const type of ['InmateRegistered', 'SentenceRecorded', 'TransferRequested', 'ConsentRecorded', 'CertificateIssued', 'ReceivingStateDecisionRecorded', 'PlaceReservationRequested', 'PlaceReserved', 'TransferScheduled', 'CustodyDispatched', 'CustodyReceived', 'InmateAdmitted', 'TransferCompleted']) {
      expect(types.filter((t) => t === type)).toHaveLength(1);
    }

    // The auditor's timeline: Belgium until the dispatch, the escort in transit, Albania from the receipt instant on.
    const timeline = await getOk<{ intervals: TimelineInterval[] }>(`${stack.url('audit')}/inmates/${c.inmateId}/custody-timeline`);
    const intervals = timeline.intervals;
    const at = (instant: string) => Date.parse(instant);
    const transit = intervals.findIndex((i) => i.place.kind === 'in-transit');
    expect(transit).toBeGreaterThan(0);
    expect(intervals[transit - 1]).toMatchObject({ custodian: { state: 'BE', organisation: 'Prison de Haren' }, governingState: 'BE' });
    expect(at(intervals[transit].from)).toBe(at(c.dispatchAt));
    expect(intervals[transit]).toMatchObject({ custodian: { state: 'BE' }, place: { transferId: c.transferId } });
    expect(at(intervals[transit].to!)).toBe(at(c.receiptAt));
    const albania = intervals[transit + 1];
    expect(at(albania.from)).toBe(at(c.receiptAt));
    expect(albania).toMatchObject({ custodian: { state: 'AL' }, governingState: 'AL', legalBasis: 'ETS112' });
    expect(intervals.slice(transit + 1).every((i) => i.custodian.state === 'AL' && i.governingState === 'AL')).toBe(true);
    expect(intervals[intervals.length - 1].to).toBeNull();

    // custody-audit verify, as the auditor runs it: intact (exit 0).
    await getOk(`${stack.url('audit')}/ledger/head`);
    const verify = await stack.auditCli(['verify', '--quiet']);
    expect({ code: verify.code, stdout: verify.stdout }).toMatchObject({ code: 0, stdout: expect.stringContaining('INTACT') });

    // No finding of a breach.
    expect(await auditFindings(stack)).toEqual([]);

    // Rule 17: the acts were recorded weeks after they happened, each with its reason; the audit
    // service lists each such act as a recorded-in-time finding quoting it.
    const ledger = await ledgerEventsOf(stack, c.inmateId);
    const registered = ledger.find((e) => e.type === 'InmateRegistered')!.id;
    const issued = ledger.find((e) => e.type === 'CertificateIssued')!.id;
    const late = await eventually(async () => {
      const found = await lateRecordings(stack, c.inmateId);
      const listed = (id: string) => found.some((f) => f.evidenceEventIds.includes(id));
      return listed(registered) && listed(issued) ? found : undefined;
    }, { message: 'the registration and the certificate, recorded late, listed by the audit service' });
    for (const finding of late) {
      expect(finding.description).toContain(`reason given: "${asRecordedNow({ occurredAt: c.at(-3) }).lateRecordingReason}"`);
    }
  });

  it('ETS 112 Art 3(2): with about 150 days left the case goes on to the admission once both states agreed; a receipt dated in the future or before the certificate is refused naming the dates', async () => {
    const facility = facilityRegistration(BELGIUM_TO_ALBANIA, 50);
    await send(stack, facility);
    const c = new TransferCase(BELGIUM_TO_ALBANIA, facility.body.facilityId as string);
    // A sentence of 365 days: 30 days of pre-trial detention, then enforcement from 185 days before
    // the request. Both count as served (Rule 3, Rule 8): about 150 days are left on it.
    const short = {
      ...c.sentence, length: { years: 0, months: 0, days: 365 }, enforcementStartDate: c.day(-185), sentenceEndDate: c.day(150), finalJudgmentDate: c.day(-230),
      preTrialDays: 30, daysServed: 215,
    };
    const intake = c.intake().map((step) => (step.name === 'sentence' ? { ...step, body: { ...step.body, sentence: short } } : step));
    for (const step of intake) await send(stack, step);
    const legal = c.untilReservation();
    for (const step of legal.slice(0, legal.findIndex((s) => s.name === 'certificate'))) await send(stack, step);

    const transfers = `${stack.url('transfer')}/transfers/${c.transferId}`;
    const ids = { transferId: c.transferId, inmateId: c.inmateId };
    const post = (path: string, body: Record<string, unknown> & { occurredAt: string }) => request<{ code?: string; message?: string; details?: Record<string, unknown> }>('POST', `${transfers}/${path}`, asRecordedNow({ commandId: randomUUID(), ...ids, ...body }));
    const certificate = legal.find((s) => s.name === 'certificate')!;
    const issue = () => request<{ code?: string; message?: string }>('POST', `${stack.url('transfer')}${certificate.path}`, { ...certificate.body, commandId: randomUUID() });

    const waiting = await issue();
    expect(waiting).toMatchObject({ status: 422, body: { code: 'INSUFFICIENT_TIME_LEFT' } });
    const agreement = (state: string, organisation: string) => ({ occurredAt: c.at(3, 30), clause: 'time-left-below-minimum', answer: 'agreed', agreedBy: { state, organisation } });
    expect((await post('agreements', agreement('BE', 'FPS Justice, Central Authority'))).status).toBe(200);
    const oneSided = await issue();
    expect(oneSided.status).toBe(422);
    expect(oneSided.body.message).toMatch(/So far BE has agreed; AL has not answered yet/);
    expect((await post('agreements', agreement('AL', 'Ministry of Justice of Albania'))).status).toBe(200);
    expect((await issue()).status).toBe(200);

    // Rule 17: the 90 days of 2008/909 and any deadline run from a receipt dated when it happened.
    const receivedBy = { state: 'AL', organisation: 'Ministry of Justice of Albania' };
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    const future = await post('certificate-receipt', { occurredAt: tomorrow, receivedBy });
    expect(future).toMatchObject({ status: 422, body: { code: 'DATE_IN_FUTURE', details: { field: 'occurredAt', date: tomorrow } } });
    const early = await post('certificate-receipt', { occurredAt: c.at(3), receivedBy });
    expect(early).toMatchObject({ status: 422, body: { code: 'DATE_BEFORE_PRECEDING_STEP', details: { field: 'occurredAt', date: c.at(3), precedingStep: 'certificate-issue', precedingDate: c.at(4) } } });
    expect((await post('certificate-receipt', { occurredAt: c.at(6), receivedBy })).status).toBe(200);

    const steps = (await transferOf(stack, c.transferId)).timeline?.map((t) => t.step);
    expect(steps?.filter((step) => step === 'StateAgreementRecorded')).toHaveLength(2);
    expect(steps?.slice(-2)).toEqual(['CertificateIssued', 'CertificateReceived']);

    // Albania recognises the judgment and continues the sentence; the case goes on to the admission.
    const continuation = (step: Step): Step => {
      const { adaptedSentence: _converted, ...body }: Step['body'] & { adaptedSentence?: unknown } = { ...step.body, procedure: 'continuation' };
      return { ...step, body };
    };
    const rest = legal.slice(legal.findIndex((s) => s.name === 'decision'));
    for (const step of rest) await send(stack, step.name === 'decision' ? continuation(step) : step);
    await eventually(async () => ((await transferOf(stack, c.transferId)).stage === 'place-reserved' ? true : undefined), { message: 'custody to reserve the place of the short case' });
    for (const step of c.handOver()) await send(stack, step);
    const placement = { securityLevel: 'medium', medicalNeeds: ['Asthma inhaler within reach'], languages: ['sq', 'fr'], needsInterpreter: true };
    const admission = c.admission();
    await send(stack, { ...admission, body: { ...admission.body, admission: { ...(admission.body.admission as object), placement } } }, { timeoutMs: 120_000 });
    await eventually(async () => ((await transferOf(stack, c.transferId)).stage === 'completed' ? true : undefined), { message: 'the short case to complete on InmateAdmitted' });

    // The ledger: each state's answer citing Art 3(2); the placement with its personal parts sealed (Rule 14, Rule 16).
    const events = await eventually(async () => {
      const all = await ledgerEventsOf(stack, c.inmateId);
      return all.some((e) => e.type === 'TransferCompleted') ? all : undefined;
    }, { message: 'the audit ledger to show the short case completed' });
    const answers = events.filter((e) => e.type === 'StateAgreementRecorded').map((e) => e.data);
    expect(answers).toEqual([
      expect.objectContaining({ side: 'sending', answer: 'agreed', cites: 'ETS 112 Art 3(2)', agreedBy: expect.objectContaining({ state: 'BE' }) }),
      expect.objectContaining({ side: 'receiving', answer: 'agreed', cites: 'ETS 112 Art 3(2)', agreedBy: expect.objectContaining({ state: 'AL' }) }),
    ]);
    const admitted = events.find((e) => e.type === 'InmateAdmitted')!.data as { admission: { placement: Record<string, unknown> } };
    expect(admitted.admission.placement.securityLevel).toBe('medium');
    for (const field of ['medicalNeeds', 'languages', 'needsInterpreter']) {
      expect(admitted.admission.placement[field]).toEqual(expect.objectContaining({ enc: expect.any(String), kid: expect.any(String) }));
    }
  });
});
