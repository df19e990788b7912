import { belgiumToAlbania, belgiumToNetherlands, denmarkToKosovo, withSentence } from '../cases.fixture';
import type { SentenceLength } from '../case-facts';
import { checkTimeLeft } from './time-left.rule';

// The request is received on 2025-03-03; enforcement started on 2024-03-03: 365 days served.
const served = 365;
const left = (days: number): SentenceLength => ({ kind: 'determinate', days: served + days });

describe('rule 3: time left when the request is received', () => {
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
