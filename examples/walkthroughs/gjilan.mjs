#!/usr/bin/env node
// Walk-through: registering the Gjilan facility and holding places in it by hand. Gjilan is in
// Kosovo and run by Kosovo; 300 of its places are leased to Denmark under the 2022 treaty
// (LEASE_DK_XK_2022 in the legal catalogue), so Danish law governs whoever holds them. Run against
// a running stack (`npm run dev`): `node examples/walkthroughs/gjilan.mjs`. Admitting a person
// needs both sides of a hand-over first: denmark-to-kosovo.mjs walks a case to the admission.
import { clockFrom, id, isMain, main, send, waitFor } from './lib.mjs';

export async function gjilan() {
  const { at } = clockFrom(2);
  const facilityId = id();

  await send('custody registers Gjilan, leased to Denmark', 'custody', '/facilities', {
    occurredAt: at(0), facilityId,
    name: 'Gjilan Correctional Facility (Danish-leased places)',
    country: 'XK', operatingState: 'XK', jurisdiction: 'leased',
    lease: { lesseeState: 'DK', treatyId: 'LEASE_DK_XK_2022' },
    capacity: 300,
    units: [{ unitId: 'A', name: 'Wing A', capacity: 150 }, { unitId: 'B', name: 'Wing B', capacity: 150 }],
  });

  // The transfer service usually asks for a place (PlaceReservationRequested on Kafka); by hand it
  // is a reservation for a transfer and a person, with the profile the lease's terms are checked on
  // (Rule 9: a third-country national with a final expulsion order, no serious illness).
  const profile = {
    nationalities: ['MA'], hasExpulsionOrder: true, offenceCategories: ['drugs'], sentenceKind: 'determinate',
    hasSeriousMentalIllness: false, hasTerminalIllness: false,
  };
  const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
  const reservations = [id(), id()];
  for (const [n, reservationId] of reservations.entries()) {
    await send(`a place held for transfer ${n + 1}`, 'custody', `/facilities/${facilityId}/reservations`, {
      occurredAt: at(1, n * 5), facilityId, reservationId, transferId: id(), inmateId: id(), profile, expiresAt,
    });
  }

  // Occupancy against capacity: the read model follows the facility's events.
  const occupancy = await waitFor('Gjilan shows the places held', 'custody', `/facilities/${facilityId}/occupancy`, (o) => o.reserved === reservations.length, (o) => ({
    capacity: o.capacity, occupied: o.occupied, reserved: o.reserved, free: o.free, governingState: o.governingState,
  }));
  return { facilityId, reservations, occupancy: { capacity: occupancy.capacity, occupied: occupancy.occupied, reserved: occupancy.reserved, free: occupancy.free, governingState: occupancy.governingState } };
}

if (isMain(import.meta.url)) main('Registering and filling Gjilan', gjilan);
