// 1. Belgium → Albania under ETS 112, over the four services as separate processes: register,
// sentence, consent, certificate, recognition with conversion, reservation, schedule, dispatch,
// receipt, admission; the audit timeline shows the custodian change at the receipt instant;
// `custody-audit verify` says intact; no finding.
import { BELGIUM_TO_ALBANIA, facilityRegistration, TransferCase } from './harness/cases';
import { send } from './harness/driver';
import { eventually, getOk } from './harness/http';
import { auditFindings, ledgerEventsOf, occupancyReaches, transferOf, type TimelineInterval } from './harness/reads';
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

    // No finding.
    expect(await auditFindings(stack)).toEqual([]);
  });
});
