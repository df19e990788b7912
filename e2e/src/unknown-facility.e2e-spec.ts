// 4. A place asked at a facility custody does not know: custody answers ReservationRefused
// (FACILITY_NOT_FOUND) instead of setting the request aside, the case is recognised again (Rule 9),
// and once the facility is registered the case asks again and runs to the admission.
import { randomUUID } from 'node:crypto';
import { BELGIUM_TO_ALBANIA, facilityRegistration, TransferCase, type Step } from './harness/cases';
import { send } from './harness/driver';
import { eventually } from './harness/http';
import { auditFindings, deadLetters, ledgerEventsOf, occupancyReaches, transferOf } from './harness/reads';
import { Stack } from './harness/stack';

describe('A place asked at a facility custody does not know, end to end over four processes', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start({ label: 'unknown-facility' });
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
  }, 120_000);

  it('is refused with FACILITY_NOT_FOUND; once the facility is registered the case asks again and is completed on the admission', async () => {
    const facility = facilityRegistration(BELGIUM_TO_ALBANIA, 10);
    const facilityId = facility.body.facilityId as string;
    // The case names the facility at the decision; custody has not registered it yet.
    const c = new TransferCase(BELGIUM_TO_ALBANIA, facilityId);
    for (const step of [...c.intake(), ...c.untilReservation()]) await send(stack, step);

    const declined = await eventually(async () => {
      const t = await transferOf(stack, c.transferId);
      return (t.reservation as { status?: string } | undefined)?.status === 'declined' ? t : undefined;
    }, { message: 'custody to refuse the place (ReservationRefused → the case)', timeoutMs: 60_000 });
    expect(declined).toMatchObject({ stage: 'recognised', reservation: { reservationId: c.reservationId, code: 'FACILITY_NOT_FOUND' } });

    await send(stack, facility);
    // Asked again under a new reservation id (the refused one is not asked twice).
    const reservation = c.untilReservation().find((s) => s.name === 'reservation')!;
    const second = randomUUID();
    const again: Step = { ...reservation, body: { ...reservation.body, commandId: randomUUID(), occurredAt: c.at(13), reservationId: second } };
    await send(stack, again);
    const reserved = await eventually(async () => {
      const t = await transferOf(stack, c.transferId);
      return t.stage === 'place-reserved' ? t : undefined;
    }, { message: 'custody to hold the place asked again', timeoutMs: 60_000 });
    expect(reserved).toMatchObject({ reservation: { reservationId: second, status: 'confirmed' } });
    await occupancyReaches(stack, facilityId, { reserved: 1, occupied: 0 });

    for (const step of c.handOver()) await send(stack, step);
    const admission = c.admission();
    await send(stack, { ...admission, body: { ...admission.body, reservationId: second } }, { timeoutMs: 120_000 });
    const completed = await eventually(async () => {
      const t = await transferOf(stack, c.transferId);
      return t.stage === 'completed' ? t : undefined;
    }, { message: 'the case to complete on InmateAdmitted' });
    expect(completed).toMatchObject({ reservation: { reservationId: second, status: 'used' }, ending: { reason: 'admitted' } });
    await occupancyReaches(stack, facilityId, { reserved: 0, occupied: 1 });

    // The ledger has the request, the refusal with its code, the request again, the place and the admission, once each.
    const events = await eventually(async () => {
      const all = await ledgerEventsOf(stack, c.inmateId);
      return all.some((e) => e.type === 'TransferCompleted') ? all : undefined;
    }, { message: 'the audit ledger to show the completion' });
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'PlaceReservationRequested')).toHaveLength(2);
    expect(types.filter((t) => t === 'PlaceReservationDeclined')).toHaveLength(1);
    for (const type of ['PlaceReservationConfirmed', 'CustodyReceived', 'TransferCompleted']) expect(types.filter((t) => t === type)).toHaveLength(1);

    // Nothing was set aside: the request was answered, not dead-lettered.
    expect(await deadLetters(stack)).toEqual({});
    const verify = await stack.auditCli(['verify', '--quiet']);
    expect({ code: verify.code, stdout: verify.stdout }).toMatchObject({ code: 0, stdout: expect.stringContaining('INTACT') });
    expect(await auditFindings(stack)).toEqual([]);
  });
});
