import { belgiumToAlbania, belgiumToNetherlands, denmarkToKosovo, withSentence } from '../cases.fixture';
import { UnknownLegalBasisError } from '../catalogue/lookup';
import { checkFinalJudgment } from './final-judgment.rule';

describe('rule 2: a transfer of enforcement needs a final judgment', () => {
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
