// 3. A refused case: the receiving state refuses, and a place held for a case is released; the
// facility's occupancy is back to what it was.
import { randomUUID } from 'node:crypto';
import { asRecordedNow, BELGIUM_TO_ALBANIA, facilityRegistration, TransferCase } from './harness/cases';
import { send } from './harness/driver';
import { eventually, request } from './harness/http';
import { auditFindings, ledgerEventsOf, occupancyOf, occupancyReaches, transferOf } from './harness/reads';
import { Stack } from './harness/stack';

describe('Refused cases, end to end over four processes', () => {
  let stack: Stack;
  let facilityId: string;

  beforeAll(async () => {
    stack = await Stack.start({ label: 'refused' });
    const facility = facilityRegistration(BELGIUM_TO_ALBANIA, 10);
    await send(stack, facility);
    facilityId = facility.body.facilityId as string;
    // Another case holds a place all along, so "back to what it was" is not simply zero.
    const other = new TransferCase(BELGIUM_TO_ALBANIA, facilityId);
    for (const step of [...other.intake(), ...other.untilReservation()]) await send(stack, step);
    await occupancyReaches(stack, facilityId, { reserved: 1, occupied: 0 });
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
  }, 120_000);

  it('the receiving state refuses to recognise the judgment: the case ends refused and no place is taken', async () => {
    const before = await occupancyOf(stack, facilityId);
    const c = new TransferCase(BELGIUM_TO_ALBANIA, facilityId);
    const steps = [...c.intake(), ...c.untilReservation()];
    const decision = steps.findIndex((s) => s.name === 'decision');
    for (const step of steps.slice(0, decision)) await send(stack, step);
    const refusal = { ...steps[decision], body: { ...steps[decision].body, ...c.decision(10, { decision: 'refused', refusalGround: 'no-double-criminality', procedure: undefined, adaptedSentence: undefined, facilityId: undefined }) } };
    await send(stack, refusal);

    const refused = await eventually(async () => {
      const t = await transferOf(stack, c.transferId);
      return t.stage === 'refused' ? t : undefined;
    }, { message: 'the case to end refused' });
    expect(refused).toMatchObject({ decision: { decision: 'refused' } });

    // A place can no longer be asked for.
    const late = steps.find((s) => s.name === 'reservation')!;
    const answer = await request('POST', `${stack.url('transfer')}${late.path}`, late.body);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);

    expect(await occupancyOf(stack, facilityId)).toMatchObject({ occupied: before.occupied, reserved: before.reserved, free: before.free });
    const events = await eventually(async () => {
      const all = await ledgerEventsOf(stack, c.inmateId);
      return all.some((e) => e.type === 'ReceivingStateDecisionRecorded') ? all : undefined;
    }, { message: 'the refusal in the ledger' });
    expect(events.map((e) => e.type)).not.toContain('PlaceReservationRequested');
  });

  it('the receiving state refuses to go on after a place was held: the reservation is released and occupancy is back to what it was', async () => {
    const before = await occupancyOf(stack, facilityId);
    const c = new TransferCase(BELGIUM_TO_ALBANIA, facilityId);
    for (const step of [...c.intake(), ...c.untilReservation()]) await send(stack, step);
    await eventually(async () => ((await transferOf(stack, c.transferId)).stage === 'place-reserved' ? true : undefined), { message: 'the place to be reserved' });
    const held = await occupancyReaches(stack, facilityId, { reserved: before.reserved + 1, occupied: before.occupied });
    expect(held.reservations.find((r) => r.reservationId === c.reservationId)?.status).toBe('held');

    await send(stack, {
      name: 'cancellation by the receiving state', service: 'transfer', path: `/transfers/${c.transferId}/cancellation`,
      body: asRecordedNow({
        commandId: randomUUID(), occurredAt: c.at(13), transferId: c.transferId, inmateId: c.inmateId,
        cancelledBy: 'receiving-state', reason: 'Albania refuses to take the person: a new prosecution is pending there.',
      }),
    });

    // Compensation: PlaceReleaseRequested → custody releases the reservation.
    const after = await occupancyReaches(stack, facilityId, { reserved: before.reserved, occupied: before.occupied });
    expect(after.free).toBe(before.free);
    expect(after.reservations.find((r) => r.reservationId === c.reservationId)?.status).toBe('released');
    const t = await transferOf(stack, c.transferId);
    expect(t.stage).toBe('cancelled');

    const events = await eventually(async () => {
      const all = await ledgerEventsOf(stack, c.inmateId);
      return all.some((e) => e.type === 'ReservationReleased') ? all : undefined;
    }, { message: 'the release of the place in the ledger' });
    expect(events.filter((e) => e.type === 'PlaceReleaseRequested')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'ReservationReleased')).toHaveLength(1);

    const verify = await stack.auditCli(['verify', '--quiet']);
    expect({ code: verify.code, stdout: verify.stdout }).toMatchObject({ code: 0, stdout: expect.stringContaining('INTACT') });
    expect(await auditFindings(stack)).toEqual([]);
  });
});
