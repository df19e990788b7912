// The multilateral instruments: EU Framework Decision 2008/909/JHA and the Council of
// Europe Convention ETS 112 with its Additional Protocol ETS 167 (Art 2 and Art 3 as
// separate bases, because each removes the consent requirement in a different situation).
import type { AdaptationTerms, LegalBasis, NationalityTerms, ReturnTerms, TimeLeftTerms } from './legal-basis';
import { ETS112_PARTIES, ETS167_PARTIES, FD2008_909_PARTIES } from './parties';

const ETS112_SOURCE = {
  title: 'Convention on the Transfer of Sentenced Persons, Strasbourg, 21 March 1983 (ETS No. 112)',
  reference: 'Council of Europe Treaty Office, treaty 112: text, chart of signatures and ratifications, declarations',
};
const ETS167_SOURCE = {
  title: 'Additional Protocol to the Convention on the Transfer of Sentenced Persons, Strasbourg, 18 December 1997 (ETS No. 167)',
  reference: 'Council of Europe Treaty Office, treaty 167: text, chart of signatures and ratifications, declarations',
};
const PARTY_DATES_SOURCE = {
  title: 'Netherlands treaty database (Verdragenbank): parties and dates of entry into force',
  reference: 'Tractatenblad 2014, 165 (ETS 112) and 2009, 37 (ETS 167), as updated',
};

/**
 * Rule 19 after a transfer of enforcement under ETS 112 (and ETS 167, which supplements it): only the
 * sentencing state decides on a review of the judgment (Art 13), and the administering state ends
 * the enforcement once told the sentence is no longer enforceable (Art 14). Neither article provides
 * for handing the person back; a return on a court order of the sentencing state is the project's
 * reading, to verify with a ministry.
 */
export const ETS112_RETURNS: ReturnTerms = {
  decidedBy: 'administering-state',
  grounds: [{
    ground: 'court-order',
    text: 'A court of the sentencing state, which alone decides on a review of the judgment, orders the person back (e.g. a retrial that needs them present); the administering state hands the person back and ends its enforcement.',
    cites: 'ETS 112 Art 13 and Art 14',
    certainty: 'to-verify',
    sources: [ETS112_SOURCE],
  }],
};

// ETS 167 supplements ETS 112 (Art 1(2)): the Convention's conditions still apply.
const ETS112_FINAL_JUDGMENT = { cites: 'ETS 112 Art 3(1)(b)' };
const ETS112_TIME_LEFT: TimeLeftTerms = {
  minimumMonths: 6,
  isIndeterminateSentenceAccepted: true,
  belowMinimum: 'barred-unless-both-states-agree',
  cites: 'ETS 112 Art 3(1)(c)',
  belowMinimumCites: 'ETS 112 Art 3(2)',
};
const ETS112_NATIONALITY: NationalityTerms = {
  requirement: 'national-of-receiving-state',
  cites: 'ETS 112 Art 3(1)(a)',
  note: 'A state may define "national" by declaration under Art 3(4) (Albania includes stateless permanent residents); such declarations are not encoded.',
};
const ETS112_ADAPTATION: AdaptationTerms = {
  noHarsherCites: 'ETS 112 Art 10(2) and Art 11(1)(d)',
  noFineCites: 'ETS 112 Art 11(1)(b)',
  deductionCites: 'ETS 112 Art 11(1)(c)',
};

export const FD2008_909: LegalBasis = {
  id: 'FD2008_909',
  title: 'Council Framework Decision 2008/909/JHA on the mutual recognition of judgments in criminal matters imposing custodial sentences',
  citation: '2008/909',
  kind: 'transfer-of-enforcement',
  lawAfterMove: 'receiving-state',
  parties: FD2008_909_PARTIES,
  inForce: { from: '2011-12-05' },
  finalJudgment: { cites: '2008/909 Art 1(a)' },
  timeLeft: {
    minimumMonths: 6,
    isIndeterminateSentenceAccepted: true,
    belowMinimum: 'optional-refusal-ground',
    cites: '2008/909 Art 9(1)(h)',
    belowMinimumCites: '2008/909 Art 9(1)(h)',
  },
  nationality: {
    requirement: 'nationality-residence-deportation-or-agreement',
    cites: '2008/909 Art 4(1)',
    note: 'Declarations under Art 4(7) (no consent needed for long-term residents of the receiving state) are not encoded.',
  },
  consent: {
    isRequiredByDefault: true,
    cites: '2008/909 Art 6(1)',
    exceptions: [
      { ground: 'national-living-in-receiving-state', cites: '2008/909 Art 6(2)(a)' },
      { ground: 'national-to-be-deported-to-receiving-state', cites: '2008/909 Art 6(2)(b)' },
      { ground: 'fled-to-receiving-state', cites: '2008/909 Art 6(2)(c)' },
    ],
    opinionCites: '2008/909 Art 6(3) (opinion) and Art 6(4) (notified in a language the inmate understands)',
  },
  adaptation: {
    noHarsherCites: '2008/909 Art 8(4)',
    noFineCites: '2008/909 Art 8(3)',
    deductionCites: '2008/909 Art 17(2)',
  },
  deadlines: {
    decisionDays: 90,
    decisionCites: '2008/909 Art 12(2)',
    transferDays: 30,
    transferCites: '2008/909 Art 15(1)',
    afterObstacleDays: 10,
    afterObstacleCites: '2008/909 Art 15(2)',
  },
  returns: {
    decidedBy: 'administering-state',
    grounds: [{
      ground: 'court-order',
      text: 'Only the issuing state decides on a review of the judgment (Art 19(2)); told of a decision that ends the enforceability of the sentence, the executing state ends its enforcement (Art 20). Handing the person back on such a court order is the project\'s reading, to verify with a ministry.',
      cites: '2008/909 Art 19(2) and Art 20',
      certainty: 'to-verify',
      sources: [{ title: 'Council Framework Decision 2008/909/JHA of 27 November 2008', reference: 'Official Journal of the European Union L 327, 5.12.2008, p. 27' }],
    }],
  },
  declarations: [],
  replaces: { ids: ['ETS112', 'ETS167_ART2', 'ETS167_ART3'], from: '2011-12-05', cites: '2008/909 Art 26(1)' },
  sources: [
    {
      title: 'Council Framework Decision 2008/909/JHA of 27 November 2008',
      reference: 'Official Journal of the European Union L 327, 5.12.2008, p. 27',
    },
  ],
  certainty: 'established',
  note: 'Transposition deadline 5 December 2011; some member states transposed late. Art 15(2) counts the 10 days from the new date agreed once the obstacle ends; we count from the end of the obstacle, as the project\'s rules say.',
};

export const ETS112: LegalBasis = {
  id: 'ETS112',
  title: 'Council of Europe Convention on the Transfer of Sentenced Persons',
  citation: 'ETS 112',
  kind: 'transfer-of-enforcement',
  lawAfterMove: 'receiving-state',
  parties: ETS112_PARTIES,
  inForce: { from: '1985-07-01' },
  finalJudgment: ETS112_FINAL_JUDGMENT,
  timeLeft: ETS112_TIME_LEFT,
  nationality: ETS112_NATIONALITY,
  consent: {
    isRequiredByDefault: true,
    cites: 'ETS 112 Art 3(1)(d)',
    exceptions: [],
    opinionCites: 'ETS 112 Art 7(1)',
  },
  adaptation: ETS112_ADAPTATION,
  returns: ETS112_RETURNS,
  declarations: [],
  sources: [ETS112_SOURCE, PARTY_DATES_SOURCE],
  certainty: 'established',
  note: 'Kosovo is not a party (not a Council of Europe member). The Convention sets no decision or transfer deadlines. Dual criminality (Art 3(1)(e)) and both states\' agreement (Art 3(1)(f)) are decided by the states, not screened here.',
};

export const ETS167_ART2: LegalBasis = {
  id: 'ETS167_ART2',
  title: 'Additional Protocol ETS 167, Art 2: persons who fled from the sentencing state',
  citation: 'ETS 167 Art 2',
  kind: 'transfer-of-enforcement',
  lawAfterMove: 'receiving-state',
  parties: ETS167_PARTIES,
  inForce: { from: '2000-06-01' },
  finalJudgment: ETS112_FINAL_JUDGMENT,
  timeLeft: ETS112_TIME_LEFT,
  nationality: ETS112_NATIONALITY,
  consent: {
    isRequiredByDefault: true,
    cites: 'ETS 112 Art 3(1)(d)',
    exceptions: [{ ground: 'fled-to-state-of-nationality', cites: 'ETS 167 Art 2(3)' }],
    opinionCites: 'ETS 112 Art 7(1)',
  },
  adaptation: ETS112_ADAPTATION,
  returns: ETS112_RETURNS,
  declarations: [],
  sources: [ETS167_SOURCE, PARTY_DATES_SOURCE],
  certainty: 'established',
  note: 'The amending Protocol of 2017 (CETS No. 222) widens Art 2 to persons who "fled to or otherwise returned to" their state of nationality; it applies only between states bound by it.',
};

export const ETS167_ART3: LegalBasis = {
  id: 'ETS167_ART3',
  title: 'Additional Protocol ETS 167, Art 3: sentenced persons subject to an expulsion or deportation order',
  citation: 'ETS 167 Art 3',
  kind: 'transfer-of-enforcement',
  lawAfterMove: 'receiving-state',
  parties: ETS167_PARTIES,
  inForce: { from: '2000-06-01' },
  finalJudgment: ETS112_FINAL_JUDGMENT,
  timeLeft: ETS112_TIME_LEFT,
  nationality: ETS112_NATIONALITY,
  consent: {
    isRequiredByDefault: true,
    cites: 'ETS 112 Art 3(1)(d)',
    exceptions: [{ ground: 'expulsion-order', cites: 'ETS 167 Art 3(1)' }],
    opinionCites: 'ETS 167 Art 3(2) and 3(3)(a)',
  },
  adaptation: ETS112_ADAPTATION,
  returns: ETS112_RETURNS,
  declarations: [
    {
      state: 'BE',
      excludes: 'expulsion-order',
      when: 'habitually-resident-in-declaring-state-when-arrested',
      since: '2005-09-01',
      text: 'Belgium undertakes not to apply Article 3 of the Protocol when the sentenced person had their habitual residence in the territory of the Kingdom at the time of arrest.',
      cites: 'Belgium\'s declaration on ratification of ETS 167 (26 May 2005)',
      certainty: 'established',
    },
    {
      state: 'IE',
      excludes: 'expulsion-order',
      when: 'always',
      since: '2007-04-01',
      text: 'Ireland will not apply Article 3 and will not take over the execution of sentences in the circumstances it describes.',
      cites: 'Ireland\'s declaration under ETS 167 Art 3(6) (13 December 2006)',
      certainty: 'established',
    },
  ],
  sources: [ETS167_SOURCE, PARTY_DATES_SOURCE],
  certainty: 'established',
  note: 'Albania is not a party to ETS 167. The 2017 amending Protocol (CETS No. 222) rewrites parts of Art 3 between the states bound by it; not encoded.',
};
