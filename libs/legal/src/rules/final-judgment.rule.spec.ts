import fc from 'fast-check';
import { belgiumToAlbania, belgiumToNetherlands, denmarkToKosovo, withSentence } from '../cases.fixture';
import { getLegalBasis, UnknownLegalBasisError } from '../catalogue/lookup';
import { BASES, caseFacts } from '../properties.fixtures';
import { checkFinalJudgment } from './final-judgment.rule';

describe('rule 2: a transfer of enforcement needs a final judgment (ETS 112 Art 3(1)(b); 2008/909 Art 1(a))', () => {
  it.each([
    ['ETS 112', belgiumToAlbania, true, 'met', 'ETS 112 Art 3(1)(b): the judgment is final.'],
    ['ETS 112', belgiumToAlbania, false, 'not-met', 'ETS 112 Art 3(1)(b): the judgment is not yet final; enforcement can be transferred only once no appeal is open.'],
    ['2008/909', belgiumToNetherlands, true, 'met', '2008/909 Art 1(a): the judgment is final.'],
    ['2008/909', belgiumToNetherlands, false, 'not-met', '2008/909 Art 1(a): the judgment is not yet final; enforcement can be transferred only once no appeal is open.'],
  ])('%s, final: %s → %s', (_basis, facts, isFinal, outcome, reason) => {
    const verdict = checkFinalJudgment(withSentence(facts, { isFinal }));
    expect(verdict).toMatchObject({ rule: 'FINAL_JUDGMENT', outcome, reason });
    expect(verdict.code).toBe(outcome === 'met' ? undefined : 'FINAL_JUDGMENT_REQUIRED');
  });

  it('a lease sets no such condition', () => {
    expect(checkFinalJudgment(withSentence(denmarkToKosovo, { isFinal: false })).outcome).toBe('met');
  });

  it('an unknown basis is an error, not a verdict', () => {
    expect(() => checkFinalJudgment({ ...belgiumToAlbania, basis: 'NOPE' })).toThrow(UnknownLegalBasisError);
  });
});

describe('rule 2 properties (ETS 112 Art 3(1)(b); 2008/909 Art 1(a))', () => {
  it('a transfer of enforcement is met exactly when the judgment is final, citing its basis\'s article; a lease sets no such condition', () => {
    fc.assert(
      fc.property(caseFacts(BASES), (facts) => {
        const verdict = checkFinalJudgment(facts);
        const cites = getLegalBasis(facts.basis).finalJudgment?.cites;
        if (!cites) {
          expect(verdict.outcome).toBe('met');
          return;
        }
        expect(verdict).toMatchObject(facts.sentence.isFinal ? { outcome: 'met' } : { outcome: 'not-met', code: 'FINAL_JUDGMENT_REQUIRED' });
        expect(verdict.reason.startsWith(`${cites}:`)).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });
});
