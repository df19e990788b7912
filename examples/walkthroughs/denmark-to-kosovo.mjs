#!/usr/bin/env node
// Walk-through: Denmark → Kosovo under the lease. A third-country national with a final expulsion
// order serves a Danish sentence in Danish-leased places of the Gjilan facility in Kosovo: no
// consent (the lease treaty), Denmark's own placement decision (no certificate, no recognition, no
// adaptation by Kosovo: docs/domain.md, Rule 18), Danish law throughout. Run against a running
// stack (`npm run dev`): `node examples/walkthroughs/denmark-to-kosovo.mjs`.
import { clockFrom, isMain, main, send, waitFor } from './lib.mjs';
import { runTransferCase } from './transfer-case.mjs';

export const DENMARK_TO_KOSOVO = {
  sendingState: 'DK', receivingState: 'XK', legalBasis: 'LEASE_DK_XK_2022', nationality: 'MA', isLease: true,
  person: { givenNames: 'Youssef', familyName: 'El Amrani', dateOfBirth: '1990-07-21', sex: 'male' },
  reason: 'Third-country national with a final expulsion order: the sentence is served in the leased places.',
  court: 'Københavns Byret',
  offence: { description: 'Aggravated assault', category: 'violent' },
  expulsionOrder: { orderReference: 'DK-UDL-2025-44120', destinationState: 'MA' },
  holdingFacility: 'Vestre Fængsel', sendingOfficer: 'Officer on duty',
  // Gjilan: in Kosovo, run by Kosovo, 300 places leased to Denmark under the 2022 treaty.
  facility: {
    name: 'Gjilan Correctional Facility (Danish-leased places)', country: 'XK', operatingState: 'XK', jurisdiction: 'leased',
    lease: { lesseeState: 'DK', treatyId: 'LEASE_DK_XK_2022' }, capacity: 300,
    units: [{ unitId: 'A', name: 'Wing A', capacity: 150 }, { unitId: 'B', name: 'Wing B', capacity: 150 }],
  },
  opinion: 'I have been told where I will serve the rest of my sentence.', language: 'ar',
  // Rule 5: the lease treaty asks no consent; the ground is recorded.
  consent: { outcome: 'not-required', notRequiredGround: 'lease-treaty' },
  // Rule 18: the lessee decides the placement; Kosovo recognises nothing.
  placement: {
    decidedBy: { state: 'DK', organisation: 'Danish Prison and Probation Service' },
    grounds: 'Third-country national sentenced to expulsion by a final judgment; no excluded offence or condition; a leased place in Gjilan.',
    legalGround: 'Danish Sentence Enforcement Act § 1 a',
    notice: 'Decision of the Danish Prison and Probation Service on the placement in Gjilan, with the right of appeal',
  },
  escortOrganisation: 'Danish Prison and Probation Service, Transport', escortOfficer: 'Chief Officer K. Madsen', airport: 'Pristina International Airport',
  prisonService: 'Kosovo Correctional Service', receivingOfficer: 'Chief Inspector A. Krasniqi',
  commitmentReason: 'Enforcement of a Danish sentence under the lease treaty', commitmentAuthority: { state: 'DK', organisation: 'Danish Prison and Probation Service' },
};

/**
 * The case to the admission, then the end of the sentence in Gjilan: Denmark's facility staff
 * record the completion, and the person is deported directly from Kosovo under the Danish expulsion
 * order, its reference recorded (Rule 9; the lease's release terms, Rule 18).
 */
export async function denmarkToKosovo() {
  const facts = await runTransferCase(DENMARK_TO_KOSOVO);
  const { inmateId, facilityId } = facts;
  // After the admission (74 hours into the case's clock), within the last six days.
  const { at } = clockFrom(6);
  await send('the sentence is completed in Gjilan', 'custody', `/custody/${inmateId}/sentence-completed`, {
    occurredAt: at(100), inmateId, facilityId, completedOn: at(100).slice(0, 10),
  });
  const order = DENMARK_TO_KOSOVO.expulsionOrder;
  await send('the person is deported from Kosovo with the order\'s reference', 'custody', `/custody/${inmateId}/release`, {
    occurredAt: at(100, 30), inmateId, facilityId, disposition: 'deported', deportationOrderReference: order.orderReference, destinationState: order.destinationState,
  });
  const released = await waitFor('custody records the deportation', 'custody', `/custody/${inmateId}`, (c) => c.status === 'released', (c) => ({ status: c.status, law: c.law }));
  return { ...facts, release: { status: released.status, disposition: 'deported', deportationOrderReference: order.orderReference, governingState: released.law?.governingState } };
}

if (isMain(import.meta.url)) main('Denmark → Kosovo under the lease', denmarkToKosovo);
