// Bilateral treaties on the transfer of sentenced persons. To add one, copy an entry,
// change its id, parties, dates, consent exceptions and sources, and add it to
// BILATERAL_TREATIES below: the rule functions need no change.
import type { LegalBasis } from './legal-basis';
import { ETS112_RETURNS } from './multilateral';

export const BILATERAL_BE_AL_2010: LegalBasis = {
  id: 'BILATERAL_BE_AL_2010',
  title: 'Agreement between the Kingdom of Belgium and the Republic of Albania on the transfer of sentenced persons, Brussels, 29 July 2010',
  citation: 'BE–AL agreement 2010',
  kind: 'transfer-of-enforcement',
  lawAfterMove: 'receiving-state',
  parties: [
    { state: 'BE', since: '2013-12-01' },
    { state: 'AL', since: '2013-12-01' },
  ],
  inForce: { from: '2013-12-01' },
  // The agreement supplements ETS 112, to which both states are parties; its own
  // conditions are taken from ETS 112 until the article numbers are checked.
  finalJudgment: { cites: 'ETS 112 Art 3(1)(b), which the BE–AL agreement 2010 supplements' },
  timeLeft: {
    minimumMonths: 6,
    isIndeterminateSentenceAccepted: true,
    belowMinimum: 'barred-unless-both-states-agree',
    cites: 'ETS 112 Art 3(1)(c), which the BE–AL agreement 2010 supplements',
    belowMinimumCites: 'ETS 112 Art 3(2)',
  },
  nationality: {
    requirement: 'national-of-receiving-state',
    cites: 'ETS 112 Art 3(1)(a), which the BE–AL agreement 2010 supplements',
  },
  consent: {
    isRequiredByDefault: true,
    cites: 'ETS 112 Art 3(1)(d)',
    exceptions: [{ ground: 'expulsion-order', cites: 'BE–AL agreement 2010 (transfer without consent of a person under an expulsion or removal measure)' }],
    opinionCites: 'BE–AL agreement 2010 (the receiving state takes the inmate\'s opinion into consideration; the sending state sends a declaration of it)',
  },
  adaptation: {
    noHarsherCites: 'ETS 112 Art 10(2) and Art 11(1)(d)',
    noFineCites: 'ETS 112 Art 11(1)(b)',
    deductionCites: 'ETS 112 Art 11(1)(c)',
  },
  // Rule 19: as under ETS 112, which the agreement supplements.
  returns: ETS112_RETURNS,
  declarations: [],
  sources: [
    {
      title: 'Agreement between Belgium and Albania on the transfer of sentenced persons, signed in Brussels on 29 July 2010',
      reference: 'Belgian assent law of 14 April 2013, Moniteur belge 2 March 2016; in force 1 December 2013',
    },
  ],
  certainty: 'uncertain',
  note: 'Content taken from the Belgian government\'s summary: it lets Belgium transfer an Albanian national under an expulsion measure without consent, as ETS 167 Art 3 would (Albania is not a party to ETS 167). Article numbers, any time-left rule of its own, and whether Belgium\'s habitual-residence reservation to ETS 167 Art 3 is repeated in it are to verify against the text.',
};

/** Every bilateral transfer treaty in the catalogue. */
export const BILATERAL_TREATIES: LegalBasis[] = [BILATERAL_BE_AL_2010];
