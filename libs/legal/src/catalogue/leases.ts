// Facility leases: one state rents prison places in another. Not a transfer of
// enforcement: the sending (tenant) state's sentence and law continue to apply, and it
// keeps jurisdiction; the host state provides the building and staff.
import { EU_MEMBER_STATES } from '../states';
import type { LegalBasis } from './legal-basis';

export const LEASE_DK_XK_2022: LegalBasis = {
  id: 'LEASE_DK_XK_2022',
  title: 'Treaty between Denmark and Kosovo on the use of the prison in Gjilan for the enforcement of Danish sentences (2022)',
  citation: 'DK–XK lease treaty 2022',
  kind: 'facility-lease',
  lawAfterMove: 'sending-state',
  parties: [{ state: 'DK' }, { state: 'XK' }],
  inForce: {},
  consent: {
    isRequiredByDefault: false,
    cites: 'DK–XK lease treaty 2022 (placement decided by the Danish authorities)',
    exceptions: [],
    opinionCites: 'the project\'s rule that the inmate\'s opinion is always recorded (domain rule 5)',
  },
  lease: {
    tenantState: 'DK',
    hostState: 'XK',
    facility: 'Gjilan prison',
    places: 300,
    eligibility: {
      // "Third-country national" in the EU sense: not a citizen of an EU member state
      // (which covers Danish nationals, who cannot be expelled anyway).
      excludedNationalities: [...EU_MEMBER_STATES],
      nationalitiesToDecide: ['IS', 'LI', 'NO', 'CH', 'XK'],
      requiresExpulsionOrder: true,
      excludedOffences: ['terrorism', 'war-crimes'],
      excludedConditions: ['serious-mental-illness', 'terminal-illness'],
      isLifeSentenceExcluded: true,
      cites: 'DK–XK lease treaty 2022',
      certainty: 'uncertain',
      note: 'Taken from public statements of both governments, not from the treaty text: third-country nationals sentenced to expulsion; no terrorism or war crimes convictions, no serious mental or terminal illness, no life sentences. Whether EEA and Swiss nationals, and Kosovo\'s own nationals, may be placed is left to a person. Press reports of a 10-year cap on the sentence are not encoded.',
    },
    isDeportationOrderRequiredForRelease: true,
  },
  declarations: [],
  sources: [
    {
      title: 'Denmark–Kosovo treaty on renting 300 places in Gjilan prison (about EUR 210 million over 10 years; opening expected 2026-27)',
      reference: 'Danish Ministry of Justice and Kosovo Ministry of Justice announcements 2021-2022; the project\'s domain document',
    },
  ],
  certainty: 'uncertain',
  note: 'Dates of signature, ratification and entry into force are to verify; no date limits are applied. After the sentence, the inmate is deported directly from Kosovo.',
};

export const LEASE_NO_NL_2015: LegalBasis = {
  id: 'LEASE_NO_NL_2015',
  title: 'Agreement between Norway and the Netherlands on the use of Norgerhaven prison for the enforcement of Norwegian sentences (2015)',
  citation: 'NO–NL Norgerhaven agreement 2015',
  kind: 'facility-lease',
  lawAfterMove: 'sending-state',
  parties: [{ state: 'NO' }, { state: 'NL' }],
  inForce: { from: '2015-09-01', until: '2018-08-31' },
  consent: {
    isRequiredByDefault: false,
    cites: 'NO–NL Norgerhaven agreement 2015',
    exceptions: [],
    opinionCites: 'the project\'s rule that the inmate\'s opinion is always recorded (domain rule 5)',
  },
  lease: {
    tenantState: 'NO',
    hostState: 'NL',
    facility: 'Norgerhaven prison, Veenhuizen',
    places: 242,
    eligibility: {
      excludedNationalities: [],
      nationalitiesToDecide: [],
      requiresExpulsionOrder: false,
      excludedOffences: [],
      excludedConditions: [],
      isLifeSentenceExcluded: false,
      cites: 'NO–NL Norgerhaven agreement 2015',
      certainty: 'to-verify',
      note: 'Selection criteria of the Norwegian Correctional Service not encoded.',
    },
    isDeportationOrderRequiredForRelease: false,
  },
  declarations: [],
  sources: [
    {
      title: 'Norway–Netherlands agreement on the lease of Norgerhaven prison (242 places, 2015-2018)',
      reference: 'Norwegian Ministry of Justice and Public Security; the project\'s domain document',
    },
  ],
  certainty: 'to-verify',
  note: 'Historical: ended on 31 August 2018; kept so that past cases can be read. Consent and eligibility terms are to verify.',
};

/** Every facility lease in the catalogue. */
export const FACILITY_LEASES: LegalBasis[] = [LEASE_DK_XK_2022, LEASE_NO_NL_2015];
