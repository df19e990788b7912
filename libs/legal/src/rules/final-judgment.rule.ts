import type { CaseFacts } from '../case-facts';
import { getLegalBasis, type Catalogue } from '../catalogue/lookup';
import { met, notMet, type Verdict } from '../verdict';

/** Rule 2: a transfer of enforcement needs a final judgment. Throws UnknownLegalBasisError for an unknown basis. */
export function checkFinalJudgment(facts: Pick<CaseFacts, 'basis' | 'sentence'>, catalogue?: Catalogue): Verdict {
  const basis = getLegalBasis(facts.basis, catalogue);
  if (!basis.finalJudgment) {
    return met('FINAL_JUDGMENT', `${basis.citation} is not a transfer of enforcement and sets no final-judgment condition.`);
  }
  const cites = basis.finalJudgment.cites;
  return facts.sentence.isFinal
    ? met('FINAL_JUDGMENT', `${cites}: the judgment is final.`)
    : notMet(
        'FINAL_JUDGMENT',
        'FINAL_JUDGMENT_REQUIRED',
        `${cites}: the judgment is not yet final; enforcement can be transferred only once no appeal is open.`,
      );
}
