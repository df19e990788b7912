// Facility leases: one state rents prison places in another. Not a transfer of
// enforcement: the sending (tenant) state's sentence and law continue to apply, and it
// keeps jurisdiction; the host state provides the building and staff.
import { EU_MEMBER_STATES } from '../states';
import type { LegalBasis, Source } from './legal-basis';

const DK_TREATY: Source = {
  title: 'Treaty between the Kingdom of Denmark and the Republic of Kosovo on the use of the Correctional Facility in Gjilan for the purpose of the execution of Danish sentences, 26 April 2022 (Danish text: Annex 1 to the Danish Sentence Enforcement Act)',
  reference: 'Folketinget, Retsudvalget 2021-22, L 180, answer to question 16 (English and Albanian texts); Kosovo Assembly ratification of 23 May 2024',
};
const DK_ACT: Source = {
  title: 'Act amending the Danish Sentence Enforcement Act (lov om fuldbyrdelse af straf m.v.), new § 1 a: the government may conclude the treaty of 26 April 2022; the Minister of Justice may lay down that imprisonment or preventive detention is enforced in its facilities; the Act and rules under it apply there, with derogations the Minister lays down',
  reference: 'Folketinget 2021-22, bill L 180 (tabled 27 April 2022, adopted)',
};
const DK_PLACEMENT_ORDER: Source = {
  title: 'Danish order on placement and transfer of persons serving imprisonment or preventive detention (anbringelses- og overførselsbekendtgørelsen), BEK no. 174 of 31 January 2022, § 28: placement and transfer decisions of a prison area may be appealed to the Department of Prisons and Probation within two months, without suspensive effect',
  reference: 'Danish Ministry of Justice, BEK nr 174 af 31/01/2022',
};
const DK_PUBLIC_ADMINISTRATION: Source = {
  title: 'Danish Public Administration Act (forvaltningsloven) § 22 (a written decision gives its reasons) and § 25 (a decision that may be appealed says to whom, how and within which time)',
  reference: 'forvaltningsloven §§ 22, 25',
};
const DK_GOVERNMENT: Source = {
  title: 'Danish Ministry of Justice and Prison and Probation Service announcements (treaty signed April 2022; Kosovo approval May 2024; a Danish governor appointed 2025; opening expected April 2027): places for third-country nationals sentenced to expulsion, outside the EU and EEA, Danish enforcement rules and standards, Denmark\'s international obligations',
  reference: 'regeringen.dk news of 2022 and 2024; Kriminalforsorgen press release on the governor (2025)',
};
const DK_PRESS: Source = {
  title: 'Press reports of the treaty\'s content: deportation directly from Kosovo to the country of origin after the sentence; no terrorism or war-crimes convictions, no serious mental disorder',
  reference: 'AP (May 2024), Der Standard (April 2022), Al Jazeera Balkans summary (May 2024)',
};
const NO_NL_AGREEMENT: Source = {
  title: 'Agreement between the Kingdom of Norway and the Kingdom of the Netherlands on the use of a prison in the Netherlands for the execution of Norwegian sentences, signed Veenhuizen 2 March 2015, Art 1: the prison functions under Norwegian law as an annex of Ullersmo prison; its Governor is appointed by the Directorate of the Norwegian Correctional Service; the staff and facility manager by the Dutch Custodial Institutions Agency',
  reference: 'Netherlands treaty database, BWBV0006451',
};
const NO_GOVERNMENT: Source = {
  title: 'Norwegian Ministry of Justice and Public Security, "Norway opens prison in the Netherlands" (September 2015): 112 transfers decided, 79 of them voluntary; Dutch government news (March and July 2015): Norwegian governor and regime, Dutch staff',
  reference: 'regjeringen.no historical archive (Solberg government), 2015; government.nl news 2015-03-02 and 2015-07-30',
};
const NO_PRESS: Source = {
  title: 'Press report of the opening: Norwegian law applies; inmates are moved to a prison in Norway before the end of the sentence; a new offence in the Netherlands is prosecuted there',
  reference: 'Xinhua, 3 September 2015',
};

const DK_XK_ENTRY_INTO_FORCE: Source = {
  title: 'Report of the treaty\'s entry into force 15 days after its approval by Kosovo\'s Assembly (23 May 2024), for five years, renewable',
  reference: 'RE-ACT Lab, "Kosovo - Denmark Agreement Enters into Force" (18 March 2025); press reports of the approval (May 2024)',
};

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
    placement: {
      decidedBy: {
        authority: 'Danish Prison and Probation Service (Kriminalforsorgen)',
        text: 'Denmark decides: the Danish Prison and Probation Service, the treaty\'s designated authority of the sending state, under the rules the Minister of Justice lays down for enforcement in Gjilan. Kosovo takes no decision on the placement: it neither recognises nor adapts the Danish sentence.',
        cites: 'DK–XK lease treaty 2022 Art 1(c); Danish Sentence Enforcement Act § 1 a(2)',
        certainty: 'established',
        sources: [DK_TREATY, DK_ACT],
      },
      grounds: {
        text: 'The Danish Sentence Enforcement Act, § 1 a, and the rules made under it; by the governments\' statements, third-country nationals (outside the EU and EEA) sentenced to expulsion, not convicted of terrorism or war crimes, without a serious mental disorder. Legal commentators note that the Act itself does not limit placements to persons sentenced to expulsion.',
        cites: 'Danish Sentence Enforcement Act § 1 a; DK–XK lease treaty 2022',
        certainty: 'uncertain',
        sources: [DK_ACT, DK_GOVERNMENT, DK_PRESS],
      },
      information: {
        text: 'A written decision with its reasons and, where it can be appealed, the body, the way and the time limit of the appeal (Danish administrative law); the project records that the person was told, in a language they understand (InmateNotified). Whether the rules for Gjilan add anything is to verify.',
        cites: 'forvaltningsloven §§ 22, 25',
        certainty: 'to-verify',
        sources: [DK_PUBLIC_ADMINISTRATION],
      },
      appeal: {
        text: 'By the general Danish rule, a placement decision of a prison area may be appealed to the Department of Prisons and Probation within two months, without suspensive effect unless decided otherwise; whether the rules for Gjilan keep, or derogate from, this rule is to verify (§ 1 a lets the Minister derogate).',
        cites: 'anbringelses- og overførselsbekendtgørelsen § 28; Danish Sentence Enforcement Act § 1 a(4)',
        certainty: 'to-verify',
        sources: [DK_PLACEMENT_ORDER, DK_ACT],
      },
      release: {
        dispositions: ['deported', 'returned-to-sending-state'],
        text: 'At the end of the sentence the person is deported directly from Kosovo to the country of origin, under the Danish expulsion order; where that cannot be done, the person goes back to Denmark.',
        cites: 'DK–XK lease treaty 2022',
        certainty: 'uncertain',
        sources: [DK_PRESS, DK_GOVERNMENT],
      },
      roles: [
        {
          text: 'Denmark: the governor (institution head), appointed by the Danish Prison and Probation Service, is responsible for the enforcement under Danish rules; Danish law and Denmark\'s international obligations govern the sentence.',
          cites: 'DK–XK lease treaty 2022 Art 1(f); Danish Sentence Enforcement Act § 1 a(3)',
          certainty: 'established',
          sources: [DK_TREATY, DK_ACT, DK_GOVERNMENT],
        },
        {
          text: 'Kosovo: the administrative head, appointed by the Kosovo Correctional Service, runs the prison and its staff; Kosovo provides the building and the custodial staff.',
          cites: 'DK–XK lease treaty 2022 Art 1(d), 1(g)',
          certainty: 'established',
          sources: [DK_TREATY],
        },
      ],
    },
  },
  returns: {
    decidedBy: 'lessee',
    grounds: [
      {
        ground: 'lease-ended',
        text: 'When the treaty ends (by the public accounts concluded for five years and renewable), Denmark takes back the persons it placed in Gjilan; they go on serving the Danish sentence in Denmark. Denmark decides the return, as it decided the placement.',
        cites: 'DK–XK lease treaty 2022 (term of the treaty); Danish Sentence Enforcement Act § 1 a',
        certainty: 'uncertain',
        sources: [DK_XK_ENTRY_INTO_FORCE, DK_GOVERNMENT, DK_ACT],
      },
      {
        ground: 'court-order',
        text: 'A Danish court orders the person back to Denmark (a new trial that needs the person present, a decision on the lawfulness of the enforcement): the sentence stays Danish and Danish law and courts govern it.',
        cites: 'Danish Sentence Enforcement Act § 1 a(3)',
        certainty: 'to-verify',
        sources: [DK_ACT],
      },
      {
        ground: 'appeal-succeeded',
        text: 'The placement decision may be appealed to the Department of Prisons and Probation within two months, without suspensive effect; an appeal that succeeds undoes the placement, and the person goes back to Denmark.',
        cites: 'anbringelses- og overførselsbekendtgørelsen § 28',
        certainty: 'to-verify',
        sources: [DK_PLACEMENT_ORDER],
      },
      {
        ground: 'treaty',
        text: 'At release, where the deportation directly from Kosovo cannot be carried out, the person goes back to Denmark.',
        cites: 'DK–XK lease treaty 2022',
        certainty: 'uncertain',
        sources: [DK_PRESS],
      },
    ],
  },
  declarations: [],
  sources: [
    DK_TREATY,
    DK_ACT,
    {
      title: 'Denmark–Kosovo treaty on renting 300 places in Gjilan prison (about EUR 210 million over 10 years; opening expected 2026-27)',
      reference: 'Danish Ministry of Justice and Kosovo Ministry of Justice announcements 2021-2022; the project\'s domain document',
    },
  ],
  certainty: 'uncertain',
  note: 'Signed 26 April 2022, approved by Kosovo\'s Assembly on 23 May 2024; the date of entry into force is to verify, so no date limits are applied. A placement is Denmark\'s own decision (Rule 18): Kosovo recognises and adapts nothing. After the sentence, the inmate is deported directly from Kosovo.',
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
    placement: {
      decidedBy: {
        authority: 'Directorate of the Norwegian Correctional Service (Kriminalomsorgsdirektoratet)',
        text: 'Norway decided: the Directorate of the Norwegian Correctional Service, the agreement\'s designated authority of the sending state; Norgerhaven was an annex of Ullersmo prison under Norwegian law, so a placement there was a Norwegian placement decision. The Netherlands recognised nothing.',
        cites: 'NO–NL Norgerhaven agreement 2015 Art 1(c), 1(e)',
        certainty: 'established',
        sources: [NO_NL_AGREEMENT],
      },
      grounds: {
        text: 'Adult men serving a Norwegian prison sentence imposed by a final judgment; the Correctional Service\'s selection criteria are not encoded.',
        cites: 'NO–NL Norgerhaven agreement 2015 Art 1(h), 1(i)',
        certainty: 'uncertain',
        sources: [NO_NL_AGREEMENT],
      },
      information: {
        text: 'What the person was told is not recorded in the sources read (the Directorate published an information leaflet on serving a sentence in Norgerhaven).',
        cites: 'NO–NL Norgerhaven agreement 2015',
        certainty: 'to-verify',
        sources: [NO_GOVERNMENT],
      },
      appeal: {
        text: 'Not found in the sources read: to verify (Norwegian administrative law would apply to a Norwegian placement decision).',
        cites: 'NO–NL Norgerhaven agreement 2015',
        certainty: 'to-verify',
        sources: [NO_NL_AGREEMENT],
      },
      release: {
        dispositions: ['returned-to-sending-state'],
        text: 'Inmates were moved back to a prison in Norway before the end of their sentence; no deportation from the Netherlands.',
        cites: 'NO–NL Norgerhaven agreement 2015',
        certainty: 'uncertain',
        sources: [NO_PRESS],
      },
      roles: [
        {
          text: 'Norway: the Governor, appointed by the Directorate of the Norwegian Correctional Service; Norwegian law and regime.',
          cites: 'NO–NL Norgerhaven agreement 2015 Art 1(e), 1(f)',
          certainty: 'established',
          sources: [NO_NL_AGREEMENT, NO_GOVERNMENT],
        },
        {
          text: 'The Netherlands: the staff and facility manager, appointed by the Dutch Custodial Institutions Agency, and the Dutch prison staff; a new offence committed there was prosecuted in the Netherlands.',
          cites: 'NO–NL Norgerhaven agreement 2015 Art 1(g), Art 6(4)',
          certainty: 'uncertain',
          sources: [NO_NL_AGREEMENT, NO_PRESS],
        },
      ],
    },
  },
  returns: {
    decidedBy: 'lessee',
    grounds: [
      {
        ground: 'lease-ended',
        text: 'The agreement ended on 31 August 2018; the persons Norway held in Norgerhaven were moved back to prisons in Norway.',
        cites: 'NO–NL Norgerhaven agreement 2015 (term, until 31 August 2018)',
        certainty: 'uncertain',
        sources: [NO_NL_AGREEMENT, NO_PRESS],
      },
      {
        ground: 'treaty',
        text: 'Persons were moved back to a prison in Norway before the end of their sentence; none was released from Norgerhaven.',
        cites: 'NO–NL Norgerhaven agreement 2015',
        certainty: 'uncertain',
        sources: [NO_PRESS],
      },
    ],
  },
  declarations: [],
  sources: [
    NO_NL_AGREEMENT,
    NO_GOVERNMENT,
    {
      title: 'Norway–Netherlands agreement on the lease of Norgerhaven prison (242 places, 2015-2018)',
      reference: 'Norwegian Ministry of Justice and Public Security; the project\'s domain document',
    },
  ],
  certainty: 'to-verify',
  note: 'Historical: ended on 31 August 2018; kept so that past cases can be read. A placement was Norway\'s own decision (Rule 18). Placement without consent happened (79 of the first 112 transfers were voluntary); the article allowing it and the eligibility terms are to verify.',
};

/** Every facility lease in the catalogue. */
export const FACILITY_LEASES: LegalBasis[] = [LEASE_DK_XK_2022, LEASE_NO_NL_2015];
