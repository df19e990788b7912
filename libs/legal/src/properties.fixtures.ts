// Test support: arbitrary case facts for the rules' property tests. The states, dates and facts
// are drawn around the catalogue's real ones (EU and non-EU parties, Kosovo, a state party to
// nothing), so that every branch of each rule is reached.
import fc from 'fast-check';
import type { Answer, CaseFacts, HealthCondition, InmateFacts, OffenceCategory, SentenceFacts, SentenceLength } from './case-facts';
import { addDays, type IsoDate } from './dates';

/** EU members, ETS 112 parties outside the EU, Kosovo (party only to bilateral treaties and the lease), and Morocco. */
export const STATES = ['BE', 'NL', 'DK', 'FR', 'PL', 'IE', 'AL', 'NO', 'CH', 'XK', 'MA'] as const;

export const BASES = ['FD2008_909', 'ETS112', 'ETS167_ART2', 'ETS167_ART3', 'BILATERAL_BE_AL_2010', 'LEASE_DK_XK_2022', 'LEASE_NO_NL_2015'] as const;

/** The transfers of enforcement of the catalogue. */
export const ENFORCEMENT_BASES = ['FD2008_909', 'ETS112', 'ETS167_ART2', 'ETS167_ART3', 'BILATERAL_BE_AL_2010'] as const;

/** The bases under which less than six months left is barred unless both states agree (ETS 112 Art 3(2)). */
export const ETS112_TIME_LEFT_BASES = ['ETS112', 'ETS167_ART2', 'ETS167_ART3', 'BILATERAL_BE_AL_2010'] as const;

const OFFENCES: OffenceCategory[] = ['terrorism', 'war-crimes', 'crimes-against-humanity', 'genocide', 'violent', 'sexual', 'drugs', 'property', 'other'];
const CONDITIONS: HealthCondition[] = ['serious-mental-illness', 'terminal-illness'];

export const state = fc.constantFrom(...STATES);
export const answer = fc.option(fc.constantFrom<Answer>('agreed', 'refused'), { nil: undefined });

/** A day from 1980 to 2035: before and after the instruments' entry into force and 2008/909's replacement of ETS 112 (2011-12-05). */
export const day: fc.Arbitrary<IsoDate> = fc.integer({ min: 0, max: 20_000 }).map((n) => addDays('1980-01-01', n));

export const inmate: fc.Arbitrary<InmateFacts> = fc.record(
  {
    nationalities: fc.uniqueArray(state, { maxLength: 3 }),
    livesIn: state,
    residenceWhenArrested: state,
    expulsionOrder: fc.record({ toState: state }, { requiredKeys: [] }),
    fledTo: state,
    healthConditions: fc.uniqueArray(fc.constantFrom(...CONDITIONS), { maxLength: 2 }),
  },
  { requiredKeys: ['nationalities'] },
);

export const length: fc.Arbitrary<SentenceLength> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 3_000 }).map((days) => ({ kind: 'determinate' as const, days })) },
  { weight: 1, arbitrary: fc.constant<SentenceLength>({ kind: 'indeterminate' }) },
  { weight: 1, arbitrary: fc.constant<SentenceLength>({ kind: 'life' }) },
);

/** A sentence whose enforcement started up to 3 years before `on`, with up to a year of pre-trial detention. */
export const sentenceOn = (on: IsoDate, lengths: fc.Arbitrary<SentenceLength> = length): fc.Arbitrary<SentenceFacts> =>
  fc.record({
    length: lengths,
    startedOn: fc.integer({ min: 0, max: 1_100 }).map((n) => addDays(on, -n)),
    preTrialDays: fc.integer({ min: 0, max: 365 }),
    isFinal: fc.boolean(),
    offences: fc.uniqueArray(fc.constantFrom(...OFFENCES), { minLength: 1, maxLength: 3 }),
  });

/** Any case under one of `bases`, between any two states, on any day. */
export const caseFacts = (bases: readonly string[] = BASES): fc.Arbitrary<CaseFacts> =>
  fc.record({ basis: fc.constantFrom(...bases), sendingState: state, receivingState: state, requestReceivedOn: day }).chain((pair) =>
    fc.record({
      basis: fc.constant(pair.basis),
      sendingState: fc.constant(pair.sendingState),
      receivingState: fc.constant(pair.receivingState),
      requestReceivedOn: fc.constant(pair.requestReceivedOn),
      inmate,
      sentence: sentenceOn(pair.requestReceivedOn),
      consent: fc.option(fc.constantFrom<'given' | 'refused'>('given', 'refused'), { nil: undefined }),
      isOpinionRecorded: fc.boolean(),
      shortTimeLeftAnswers: fc.record({ sending: answer, receiving: answer }),
      receivingStateAgreement: answer,
    }),
  );
