#!/usr/bin/env node
// Walk-through: Belgium → Albania under ETS 112, with consent. An Albanian national without a
// residence permit in Belgium serves the rest of a Belgian sentence in Albania, converted by
// Albania. Run against a running stack (`npm run dev`): `node examples/walkthroughs/belgium-to-albania.mjs`.
import { isMain, main } from './lib.mjs';
import { runTransferCase } from './transfer-case.mjs';

export const BELGIUM_TO_ALBANIA = {
  sendingState: 'BE', receivingState: 'AL', legalBasis: 'ETS112', nationality: 'AL', isLease: false,
  person: { givenNames: 'Arben', familyName: 'Hoxha', dateOfBirth: '1988-05-14', sex: 'male' },
  reason: 'Albanian national without a residence permit in Belgium.',
  court: 'Tribunal de première instance de Bruxelles',
  offence: { description: 'Trafficking of narcotics', category: 'drugs' },
  holdingFacility: 'Prison de Haren', sendingOfficer: 'Inspector L. Peeters',
  // The receiving facility: a national prison of Albania.
  facility: { name: 'Burrel Prison', country: 'AL', operatingState: 'AL', jurisdiction: 'national', capacity: 50 },
  opinion: 'I agree to serve the rest of my sentence in Albania, near my family.', language: 'sq',
  // ETS 112 Art 3(1)(d): the sentenced person's consent.
  consent: { outcome: 'given' },
  receivingAuthority: 'Ministry of Justice of Albania',
  procedure: 'conversion', adaptationGround: 'Criminal Code of Albania, art. 283; ETS 112 Art 11',
  escortOrganisation: 'Federal Police, Escort Directorate', escortOfficer: 'Commissioner M. Janssens', airport: 'Tirana International Airport',
  prisonService: 'General Directorate of Prisons', receivingOfficer: 'Chief Inspector A. Kola',
  commitmentReason: 'Enforcement of a converted sentence', commitmentAuthority: { state: 'AL', organisation: 'Ministry of Justice of Albania' },
};

export const belgiumToAlbania = () => runTransferCase(BELGIUM_TO_ALBANIA);

if (isMain(import.meta.url)) main('Belgium → Albania under ETS 112', belgiumToAlbania);
