// 2. Denmark → Kosovo under the Gjilan lease: a third-country national with an expulsion order,
// no consent required; Denmark's own placement decision (Rule 18: no certificate, no recognition,
// no adaptation by Kosovo); admission to Gjilan; sentence completed; deportation with the order
// reference; Danish law shown throughout (custody's record, the audit timeline).
import { randomUUID } from 'node:crypto';
import { DENMARK_TO_KOSOVO, facilityRegistration, TransferCase, type Step } from './harness/cases';
import { send } from './harness/driver';
import { eventually, getOk } from './harness/http';
import { auditFindings, ledgerEventsOf, transferOf, type TimelineInterval } from './harness/reads';
import { Stack } from './harness/stack';

describe('Denmark → Kosovo lease, end to end over four processes', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start({ label: 'dk-xk' });
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
  }, 120_000);

  it('places a third-country national in Gjilan by Denmark\'s own placement decision, without consent or recognition, and deports at the end with the order reference, under Danish law throughout', async () => {
    const facility = facilityRegistration(DENMARK_TO_KOSOVO, 300);
    await send(stack, facility);
    const c = new TransferCase(DENMARK_TO_KOSOVO, facility.body.facilityId as string);

    for (const step of c.intake()) await send(stack, step);
    for (const step of c.untilReservation()) await send(stack, step);
    const reserved = await eventually(async () => {
      const t = await transferOf(stack, c.transferId);
      return t.stage === 'place-reserved' ? t : undefined;
    }, { message: 'custody to reserve a leased place' });
    // Rule 5: consent not required under the lease treaty, with its ground.
    expect(reserved).toMatchObject({ legalBasis: 'LEASE_DK_XK_2022', consent: { outcome: 'not-required', notRequiredGround: 'lease-treaty' } });
    // Rule 18: Denmark, the lessee, placed the person; Kosovo recognised nothing and adapted nothing.
    expect(reserved).toMatchObject({ placement: { reference: `PLACE-${c.passport}`, decidedBy: { state: 'DK', organisation: 'Danish Prison and Probation Service' }, facilityId: c.facilityId } });
    expect(reserved.decision).toBeUndefined();
    expect(reserved.certificate).toBeUndefined();
    expect((reserved.timeline as Array<{ step: string }>).map((t) => t.step)).toEqual(expect.arrayContaining(['PlacementDecided']));

    for (const step of c.handOver()) await send(stack, step);
    await send(stack, c.admission());
    await eventually(async () => ((await transferOf(stack, c.transferId)).stage === 'completed' ? true : undefined), { message: 'the case to complete' });

    // Custody: held under a lease, Danish sentence and law.
    const held = await eventually(() => getOk<{ status: string; law: { governingState: string; governedBy: string } }>(`${stack.url('custody')}/custody/${c.inmateId}`), { message: "custody's record of the person" });
    expect(held).toMatchObject({ status: 'in-custody', law: { governingState: 'DK', governedBy: 'sending-state' } });

    const ids = { inmateId: c.inmateId, facilityId: c.facilityId };
    // Day 25 of the case, after the admission on day 20: the date completed and the instant of
    // the act come from the same day, whatever the hour the test runs at (an hour before now
    // could fall on yesterday).
    const completed: Step = {
      name: 'sentence completed', service: 'custody', path: `/custody/${c.inmateId}/sentence-completed`,
      body: { commandId: randomUUID(), occurredAt: c.at(25), ...ids, completedOn: c.day(25) },
    };
    const deported: Step = {
      name: 'deportation', service: 'custody', path: `/custody/${c.inmateId}/release`,
      body: {
        commandId: randomUUID(), occurredAt: c.at(25, 30), ...ids,
        disposition: 'deported', deportationOrderReference: 'DK-UDL-2025-44120', destinationState: 'MA',
      },
    };
    await send(stack, completed);
    await send(stack, deported);

    // The read model follows the events: wait for it.
    const released = await eventually(async () => {
      const person = await getOk<{ status: string; isSentenceCompleted: boolean; law: { governingState: string } }>(`${stack.url('custody')}/custody/${c.inmateId}`);
      return person.status !== 'in-custody' ? person : undefined;
    }, { message: "custody's record to show the release" });
    expect(released).toMatchObject({ status: 'released', isSentenceCompleted: true, law: { governingState: 'DK' } });

    // The ledger: admitted with Danish law, the sentence completed, released by deportation with the order.
    const events = await eventually(async () => {
      const all = await ledgerEventsOf(stack, c.inmateId);
      return all.some((e) => e.type === 'InmateReleased') ? all : undefined;
    }, { message: 'the ledger to show the release' });
    expect(events.find((e) => e.type === 'InmateAdmitted')!.data).toMatchObject({ governingState: 'DK', facilityId: c.facilityId });
    expect(events.filter((e) => e.type === 'SentenceCompleted')).toHaveLength(1);
    expect(events.find((e) => e.type === 'InmateReleased')!.data).toMatchObject({ disposition: 'deported', deportationOrderReference: 'DK-UDL-2025-44120', destinationState: 'MA' });
    // No consent event other than "not required".
    expect(events.filter((e) => e.type === 'ConsentRecorded').map((e) => e.data.outcome)).toEqual(['not-required']);
    // Rule 18: one placement decision by Denmark citing the treaty and the Danish act; no recognition step at all.
    expect(events.filter((e) => e.type === 'PlacementDecided').map((e) => e.data)).toEqual([expect.objectContaining({
      legalBasis: 'LEASE_DK_XK_2022', decidedBy: expect.objectContaining({ state: 'DK' }), legalGround: 'Danish Sentence Enforcement Act § 1 a',
      cites: 'DK–XK lease treaty 2022 Art 1(c); Danish Sentence Enforcement Act § 1 a(2)',
    })]);
    expect(events.map((e) => e.type)).not.toEqual(expect.arrayContaining(['CertificateIssued']));
    expect(events.map((e) => e.type)).not.toEqual(expect.arrayContaining(['CertificateReceived']));
    expect(events.map((e) => e.type)).not.toEqual(expect.arrayContaining(['ReceivingStateDecisionRecorded']));
    // Intake believed the hand-over of the placed case (Rule 18): it applied it (Rule 12 records it as a suspension).
    expect(events.filter((e) => e.type === 'EnforcementSuspended').map((e) => e.data)).toEqual([expect.objectContaining({ transferId: c.transferId, receivingState: 'XK' })]);

    // The auditor's timeline: Danish law in every interval, Kosovo's staff as custodian in Gjilan, then the end.
    const timeline = await getOk<{ intervals: TimelineInterval[]; endedAt?: string; endedBy?: string }>(`${stack.url('audit')}/inmates/${c.inmateId}/custody-timeline`);
    expect(timeline.intervals.length).toBeGreaterThanOrEqual(3);
    expect(timeline.intervals.map((i) => i.governingState)).toEqual(timeline.intervals.map(() => 'DK'));
    const gjilan = timeline.intervals.find((i) => i.place.kind === 'facility' && i.place.facilityId === c.facilityId);
    expect(gjilan).toMatchObject({ custodian: { state: 'XK' }, governingState: 'DK', legalBasis: 'LEASE_DK_XK_2022' });
    expect(timeline.endedAt).toBeDefined();

    // Who read the person's data, in every service: the reads above of the case (transfer), of the
    // custody record (custody) and of the timeline (audit), each service answering.
    const history = await getOk<{ items: Array<{ service: string; kind: string; at: string }>; sources: Array<{ service: string; isComplete: boolean; error?: string }> }>(
      `${stack.url('audit')}/inmates/${c.inmateId}/access-log`,
    );
    expect(history.sources.map(({ service, isComplete, error }) => ({ service, isComplete, error }))).toEqual(
      ['audit', 'intake', 'transfer', 'custody'].map((service) => ({ service, isComplete: true, error: undefined })),
    );
    const read = new Set(history.items.map((e) => `${e.service}:${e.kind}`));
    expect([...read]).toEqual(expect.arrayContaining(['transfer:case', 'custody:custody', 'audit:custody-timeline']));

    const verify = await stack.auditCli(['verify', '--quiet']);
    expect({ code: verify.code, stdout: verify.stdout }).toMatchObject({ code: 0, stdout: expect.stringContaining('INTACT') });
    expect(await auditFindings(stack)).toEqual([]);
  });
});
