// Denmark → Kosovo under the Gjilan lease, then the return to Denmark at the end of the lease
// (docs/domain.md, Rule 19; docs/adr/0016-return-as-a-case.md): Denmark, the lessee, opens the
// return naming the completed case; Denmark dispatches from Gjilan and receives in Denmark (Rule 11);
// custody releases the person from Gjilan to Denmark on the receipt, one custodian after the other
// (Rule 10); intake resumes Denmark's enforcement (Rule 12); the audit's checks hold.
import { randomUUID } from 'node:crypto';
import { asRecordedNow, DENMARK_TO_KOSOVO, facilityRegistration, TransferCase, type Step } from './harness/cases';
import { send } from './harness/driver';
import { eventually, getOk } from './harness/http';
import { auditFindings, deadLetters, ledgerEventsOf, occupancyReaches, transferOf, type TimelineInterval } from './harness/reads';
import { Stack } from './harness/stack';

describe('Denmark → Kosovo lease and the return to Denmark at its end, end to end over four processes', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start({ label: 'dk-xk-return' });
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
  }, 120_000);

  it('returns the person placed in Gjilan to Denmark with a two-sided hand-over, custody released to Denmark, Danish enforcement resumed and no audit finding', async () => {
    const facility = facilityRegistration(DENMARK_TO_KOSOVO, 300);
    await send(stack, facility);
    const c = new TransferCase(DENMARK_TO_KOSOVO, facility.body.facilityId as string);
    for (const step of c.intake()) await send(stack, step);
    for (const step of c.untilReservation()) await send(stack, step);
    await eventually(async () => ((await transferOf(stack, c.transferId)).stage === 'place-reserved' ? true : undefined), { message: 'custody to reserve a leased place' });
    for (const step of c.handOver()) await send(stack, step);
    await send(stack, c.admission());
    await eventually(async () => ((await transferOf(stack, c.transferId)).stage === 'completed' ? true : undefined), { message: 'the placement to complete' });
    await occupancyReaches(stack, c.facilityId, { occupied: 1, reserved: 0 });

    // Rule 19: at the end of the lease, Denmark (the lessee, which kept jurisdiction) decides the return.
    const returnId = randomUUID();
    const destination = randomUUID();
    const ids = { transferId: returnId, inmateId: c.inmateId };
    const danish = (organisation: string, place: string) => ({ state: 'DK', organisation, officer: 'Principal Officer K. Holm', place });
    const escort = { state: 'DK', organisation: 'Danish Prison and Probation Service, Transport', leadOfficer: 'Principal Officer K. Holm' };
    const step = (name: string, path: string, day: number, minutes: number, data: object, event?: string): Step => ({
      name, service: 'transfer', path, body: asRecordedNow({ commandId: randomUUID(), occurredAt: c.at(day, minutes), ...ids, ...data }), ...(event ? { event } : {}),
    });
    const steps: Step[] = [
      step('return', '/transfers/returns', 26, 0, {
        returnOf: c.transferId, ground: 'lease-ended', sendingState: 'DK', receivingState: 'DK', decisionReference: `RET-${c.passport}`,
        decidedBy: { state: 'DK', organisation: 'Danish Prison and Probation Service' }, fromFacilityId: c.facilityId, destinationFacilityId: destination,
        explanation: 'The treaty on the use of the Gjilan facility ended.',
      }, 'ReturnRequested'),
      step('return schedule', `/transfers/${returnId}/schedule`, 26, 30, { plannedDeparture: c.at(27), destinationFacilityId: destination, escort }, 'TransferScheduled'),
      step('return dispatch', `/transfers/${returnId}/dispatch`, 27, 0, { dispatchedBy: danish('Gjilan Correctional Facility, Danish governor', 'Gjilan'), escort }, 'CustodyDispatched'),
      step('return receipt', `/transfers/${returnId}/receipt`, 27, 300, { receivedBy: danish('Vestre Fængsel', 'Copenhagen Airport'), facilityId: destination }, 'CustodyReceived'),
    ];
    for (const s of steps) await send(stack, s);

    // The return completes from custody's release of the person from Gjilan to Denmark.
    const returned = await eventually(async () => {
      const t = await transferOf(stack, returnId);
      return t.stage === 'completed' ? t : undefined;
    }, { message: 'the return to complete' });
    expect(returned).toMatchObject({ sendingState: 'DK', receivingState: 'DK', legalBasis: 'LEASE_DK_XK_2022', returnOf: { transferId: c.transferId, ground: 'lease-ended', fromFacilityId: c.facilityId } });
    const released = await eventually(async () => {
      const person = await getOk<{ status: string }>(`${stack.url('custody')}/custody/${c.inmateId}`);
      return person.status === 'released' ? person : undefined;
    }, { message: "custody's record to show the release from Gjilan" });
    expect(released.status).toBe('released');
    await occupancyReaches(stack, c.facilityId, { occupied: 0, reserved: 0 });

    const events = await eventually(async () => {
      const all = await ledgerEventsOf(stack, c.inmateId);
      return all.some((e) => e.type === 'EnforcementResumed') && all.some((e) => e.type === 'TransferCompleted' && e.data.transferId === returnId) ? all : undefined;
    }, { message: 'the ledger to show the resumption and the completed return' });
    expect(events.filter((e) => e.type === 'ReturnRequested').map((e) => e.data)).toEqual([expect.objectContaining({
      returnOf: c.transferId, ground: 'lease-ended', legalBasis: 'LEASE_DK_XK_2022', cites: 'DK–XK lease treaty 2022 (term of the treaty); Danish Sentence Enforcement Act § 1 a',
    })]);
    // Rule 11: both sides of the return's hand-over, the dispatch first.
    const returnSteps = events.filter((e) => e.data.transferId === returnId).map((e) => e.type);
    expect(returnSteps.indexOf('CustodyDispatched')).toBeLessThan(returnSteps.indexOf('CustodyReceived'));
    // Rule 10: released from Gjilan to Denmark, handed to the receiving side.
    expect(events.filter((e) => e.type === 'InmateReleased').map((e) => e.data)).toEqual([expect.objectContaining({
      facilityId: c.facilityId, disposition: 'returned-to-sending-state', destinationState: 'DK', handedTo: expect.objectContaining({ state: 'DK', organisation: 'Vestre Fængsel' }),
    })]);
    // Rule 12: suspended once at the placement's receipt, resumed once at the return's.
    expect(events.filter((e) => e.type === 'EnforcementSuspended')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'EnforcementResumed').map((e) => e.data)).toEqual([expect.objectContaining({ reason: 'returned-to-sending-state' })]);

    // The auditor's timeline: Danish law throughout; the last custodian Denmark.
    const timeline = await getOk<{ intervals: TimelineInterval[] }>(`${stack.url('audit')}/inmates/${c.inmateId}/custody-timeline`);
    expect(timeline.intervals.map((i) => i.governingState)).toEqual(timeline.intervals.map(() => 'DK'));
    expect(timeline.intervals.at(-1)).toMatchObject({ custodian: { state: 'DK' } });
    expect(timeline.intervals.some((i) => i.place.kind === 'in-transit' && i.custodian.state === 'DK')).toBe(true);

    const verify = await stack.auditCli(['verify', '--quiet']);
    expect({ code: verify.code, stdout: verify.stdout }).toMatchObject({ code: 0, stdout: expect.stringContaining('INTACT') });
    expect(await auditFindings(stack)).toEqual([]);
    expect(await deadLetters(stack)).toEqual({});
  });
});
