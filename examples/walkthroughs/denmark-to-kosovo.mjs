#!/usr/bin/env node
// Walk-through: Denmark → Kosovo under the lease. A third-country national with a final expulsion
// order serves a Danish sentence in Danish-leased places of the Gjilan facility in Kosovo: no
// consent (the lease treaty), the sentence continued, Danish law throughout. Run against a running
// stack (`npm run dev`): `node examples/walkthroughs/denmark-to-kosovo.mjs`.
import { isMain, main } from './lib.mjs';
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
  receivingAuthority: 'Ministry of Justice of Kosovo',
  procedure: 'continuation',
  escortOrganisation: 'Danish Prison and Probation Service, Transport', escortOfficer: 'Chief Officer K. Madsen', airport: 'Pristina International Airport',
  prisonService: 'Kosovo Correctional Service', receivingOfficer: 'Chief Inspector A. Krasniqi',
  commitmentReason: 'Enforcement of a Danish sentence under the lease treaty', commitmentAuthority: { state: 'DK', organisation: 'Danish Prison and Probation Service' },
};

export const denmarkToKosovo = () => runTransferCase(DENMARK_TO_KOSOVO);

if (isMain(import.meta.url)) main('Denmark → Kosovo under the lease', denmarkToKosovo);
