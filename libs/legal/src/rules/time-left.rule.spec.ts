import fc from 'fast-check';
import { belgiumToAlbania, belgiumToNetherlands, denmarkToKosovo, withSentence } from '../cases.fixture';
import type { CaseFacts, SentenceLength } from '../case-facts';
import { addMonths, isBefore } from '../dates';
import { answer, caseFacts, ETS112_TIME_LEFT_BASES, sentenceOn } from '../properties.fixtures';
import { remainingTime } from '../sentence/remaining-time';
import { checkTimeLeft } from './time-left.rule';

// The request is received on 2025-03-03; enforcement started on 2024-03-03: 365 days served.
const served = 365;
const left = (days: number): SentenceLength => ({ kind: 'determinate', days: served + days });

describe('rule 3: time left when the request is received (ETS 112 Art 3(1)(c) and 3(2); 2008/909 Art 9(1)(h))', () => {
  describe('ETS 112: at least 6 months, or an indeterminate sentence', () => {
    it.each([
      ['2 years left', left(731), undefined, 'met', undefined],
      ['exactly 6 months left (until 2025-09-03)', left(184), undefined, 'met', undefined],
      ['one day short of 6 months', left(183), undefined, 'needs-decision', 'INSUFFICIENT_TIME_LEFT'],
      ['3 months left, both states agreed', left(92), 'agreed', 'met', undefined],
      ['3 months left, the states did not agree', left(92), 'refused', 'not-met', 'INSUFFICIENT_TIME_LEFT'],
      ['nothing left', left(0), 'agreed', 'not-met', 'INSUFFICIENT_TIME_LEFT'],
      ['an indeterminate sentence', { kind: 'indeterminate' }, undefined, 'met', undefined],
      ['a life sentence', { kind: 'life' }, undefined, 'met', undefined],
    ] as const)('%s → %s', (_case, length, agreement, outcome, code) => {
      const facts = { ...withSentence(belgiumToAlbania, { length }), shortTimeLeftAgreement: agreement };
      const verdict = checkTimeLeft(facts);
      expect(verdict).toMatchObject({ rule: 'TIME_LEFT', outcome });
      expect(verdict.code).toBe(code);
    });

    it('asks for both states\' agreement, citing Art 3(2)', () => {
      expect(checkTimeLeft(withSentence(belgiumToAlbania, { length: left(92) })).reason).toBe(
        'ETS 112 Art 3(1)(c): only 92 days are left to serve on 2025-03-03 (release on 2025-06-03), less than 6 months; a transfer is possible only if both states record their agreement (ETS 112 Art 3(2)).',
      );
    });

    it('deducts pre-trial detention from what is left', () => {
      const facts = withSentence(belgiumToAlbania, { length: left(200), preTrialDays: 30 });
      expect(checkTimeLeft(facts).reason).toMatch(/only 170 days are left/);
    });
  });

  describe('2008/909: less than 6 months is an optional refusal ground, not a bar', () => {
    it.each([
      ['a year left', 365, 'met', undefined],
      ['2 months left', 61, 'needs-decision', 'TIME_LEFT_OPTIONAL_REFUSAL_GROUND'],
    ])('%s → %s', (_case, days, outcome, code) => {
      // belgiumToNetherlands: 60 pre-trial days, started 2025-01-15, request 2025-05-12 (117 days later)
      const length: SentenceLength = { kind: 'determinate', days: 60 + 117 + days };
      const verdict = checkTimeLeft(withSentence(belgiumToNetherlands, { length }));
      expect(verdict).toMatchObject({ outcome });
      expect(verdict.code).toBe(code);
    });

    it('says the receiving state may refuse but need not', () => {
      const length: SentenceLength = { kind: 'determinate', days: 60 + 117 + 61 };
      expect(checkTimeLeft(withSentence(belgiumToNetherlands, { length })).reason).toMatch(
        /^2008\/909 Art 9\(1\)\(h\): only 61 days .* may refuse on this ground but need not/,
      );
    });
  });

  it('a lease sets no minimum', () => {
    expect(checkTimeLeft(withSentence(denmarkToKosovo, { length: { kind: 'determinate', days: 10 } })).outcome).toBe('met');
  });
});

describe('rule 3: ETS 112 Art 3(2), each state\'s own agreement', () => {
  const short = { ...withSentence(belgiumToAlbania, { length: left(92) }) };

  it('with one state\'s agreement the case still waits, and the reason says which state has not answered', () => {
    const verdict = checkTimeLeft({ ...short, shortTimeLeftAnswers: { receiving: 'agreed' } });
    expect(verdict).toMatchObject({ outcome: 'needs-decision', code: 'INSUFFICIENT_TIME_LEFT' });
    expect(verdict.reason).toMatch(/So far BE has not answered yet; AL has agreed\.$/);
  });

  it('with both states\' agreement the time-left verdict is met, citing Art 3(2)', () => {
    const verdict = checkTimeLeft({ ...short, shortTimeLeftAnswers: { sending: 'agreed', receiving: 'agreed' } });
    expect(verdict).toMatchObject({ outcome: 'met' });
    expect(verdict.reason).toMatch(/^ETS 112 Art 3\(2\): only 92 days .* both states have recorded their agreement/);
  });

  it('one state\'s refusal is the states\' refusal', () => {
    expect(checkTimeLeft({ ...short, shortTimeLeftAnswers: { sending: 'agreed', receiving: 'refused' } })).toMatchObject({ outcome: 'not-met', code: 'INSUFFICIENT_TIME_LEFT' });
  });
});

describe('rule 3 properties (ETS 112 Art 3(1)(c) and 3(2); 2008/909 Art 9(1)(h))', () => {
  /** What is left on the day of the request: none, less than six months, or enough (a fixed end at least six months on, or none). */
  function timeLeft(facts: CaseFacts): 'nothing' | 'short' | 'enough' {
    const left = remainingTime(facts.sentence, facts.requestReceivedOn);
    if (left.isIndeterminate) return 'enough';
    if (left.days === 0) return 'nothing';
    return isBefore(left.releaseOn, addMonths(facts.requestReceivedOn, 6)) ? 'short' : 'enough';
  }
  // Sentences around six months left, so that every case is reached often.
  const nearSixMonths = fc.integer({ min: 0, max: 900 }).map((days): SentenceLength => ({ kind: 'determinate', days }));
  const ets112Cases = caseFacts(ETS112_TIME_LEFT_BASES).chain((facts) =>
    sentenceOn(facts.requestReceivedOn, fc.oneof({ weight: 4, arbitrary: nearSixMonths }, { weight: 1, arbitrary: fc.constant<SentenceLength>({ kind: 'life' }) })).map((sentence) => ({ ...facts, sentence })),
  );

  it('ETS 112 Art 3(1)(c): with at least six months left, or a sentence without a fixed end, it is met whatever the states answered', () => {
    fc.assert(
      fc.property(ets112Cases, (facts) => {
        if (timeLeft(facts) === 'enough') expect(checkTimeLeft(facts).outcome).toBe('met');
      }),
      { numRuns: 2_000 },
    );
  });

  it('ETS 112 Art 3(2): with less than six months left it is met exactly when both states agreed, not met once one refused, and otherwise waits for their answers (INSUFFICIENT_TIME_LEFT)', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(ets112Cases, (facts) => {
        if (timeLeft(facts) !== 'short') return;
        const { sending, receiving } = facts.shortTimeLeftAnswers ?? {};
        const verdict = checkTimeLeft(facts);
        seen.add(verdict.outcome);
        if (sending === 'agreed' && receiving === 'agreed') {
          expect(verdict.outcome).toBe('met');
          expect(verdict.reason).toMatch(/^ETS 112 Art 3\(2\): /);
        } else {
          expect(verdict).toMatchObject({ outcome: sending === 'refused' || receiving === 'refused' ? 'not-met' : 'needs-decision', code: 'INSUFFICIENT_TIME_LEFT' });
        }
      }),
      { numRuns: 3_000 },
    );
    expect([...seen].sort()).toEqual(['met', 'needs-decision', 'not-met']);
  });

  it('ETS 112 Art 3(1)(c): with nothing left to serve, no agreement of the states makes it met', () => {
    fc.assert(
      fc.property(ets112Cases, (facts) => {
        if (timeLeft(facts) === 'nothing') expect(checkTimeLeft(facts)).toMatchObject({ outcome: 'not-met', code: 'INSUFFICIENT_TIME_LEFT' });
      }),
      { numRuns: 2_000 },
    );
  });

  it('ETS 112 Art 3(1)(c): pre-trial detention counts as served, so more of it never turns a verdict that is not met into one that is', () => {
    fc.assert(
      fc.property(ets112Cases, fc.integer({ min: 1, max: 400 }), (facts, more) => {
        const longer = { ...facts, sentence: { ...facts.sentence, preTrialDays: facts.sentence.preTrialDays + more } };
        if (checkTimeLeft(facts).outcome !== 'met') expect(checkTimeLeft(longer).outcome).not.toBe('met');
      }),
      { numRuns: 2_000 },
    );
  });

  it('2008/909 Art 9(1)(h): less than six months left is a ground the receiving state may use, never a bar: while any time is left it is never not met', () => {
    fc.assert(
      fc.property(caseFacts(['FD2008_909']), answer, (facts, both) => {
        const verdict = checkTimeLeft({ ...facts, shortTimeLeftAgreement: both });
        if (timeLeft(facts) === 'short') expect(verdict).toMatchObject({ outcome: 'needs-decision', code: 'TIME_LEFT_OPTIONAL_REFUSAL_GROUND' });
        if (timeLeft(facts) === 'enough') expect(verdict.outcome).toBe('met');
      }),
      { numRuns: 2_000 },
    );
  });
});
