// The three real shapes of case the specifications start from. Each spec changes
// only the facts it is about, so the table rows read as "this case, except …".
import type { CaseFacts } from './case-facts';

/** Belgium → Albania under ETS 112: Albanian national without a Belgian residence permit, 2 years left, consenting. */
export const belgiumToAlbania: CaseFacts = {
  basis: 'ETS112',
  sendingState: 'BE',
  receivingState: 'AL',
  requestReceivedOn: '2025-03-03',
  inmate: { nationalities: ['AL'], livesIn: 'BE' },
  sentence: {
    length: { kind: 'determinate', days: 1096 },
    startedOn: '2024-03-03',
    preTrialDays: 0,
    isFinal: true,
    offences: ['drugs'],
  },
  consent: 'given',
  isOpinionRecorded: true,
};

/** Denmark → Kosovo under the lease: a Moroccan national with an expulsion order, placed without consent. */
export const denmarkToKosovo: CaseFacts = {
  basis: 'LEASE_DK_XK_2022',
  sendingState: 'DK',
  receivingState: 'XK',
  requestReceivedOn: '2026-09-01',
  inmate: {
    nationalities: ['MA'],
    livesIn: 'DK',
    expulsionOrder: { toState: 'MA', reference: 'expulsion order 2025/4411' },
    healthConditions: [],
  },
  sentence: {
    length: { kind: 'determinate', days: 1460 },
    startedOn: '2025-06-01',
    preTrialDays: 120,
    isFinal: true,
    offences: ['violent'],
  },
  isOpinionRecorded: true,
};

/** Belgium → Netherlands under 2008/909: a Dutch national to be deported to the Netherlands; no consent needed. */
export const belgiumToNetherlands: CaseFacts = {
  basis: 'FD2008_909',
  sendingState: 'BE',
  receivingState: 'NL',
  requestReceivedOn: '2025-05-12',
  inmate: { nationalities: ['NL'], livesIn: 'BE', expulsionOrder: { toState: 'NL' } },
  sentence: {
    length: { kind: 'determinate', days: 730 },
    startedOn: '2025-01-15',
    preTrialDays: 60,
    isFinal: true,
    offences: ['property'],
  },
  isOpinionRecorded: true,
};

/** A copy of `base` with the inmate's facts changed. */
export function withInmate(base: CaseFacts, inmate: Partial<CaseFacts['inmate']>): CaseFacts {
  return { ...base, inmate: { ...base.inmate, ...inmate } };
}

/** A copy of `base` with the sentence changed. */
export function withSentence(base: CaseFacts, sentence: Partial<CaseFacts['sentence']>): CaseFacts {
  return { ...base, sentence: { ...base.sentence, ...sentence } };
}
