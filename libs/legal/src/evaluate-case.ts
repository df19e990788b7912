import type { CaseFacts } from './case-facts';
import { LEGAL_BASES } from './catalogue/catalogue';
import { findLegalBasis, type Catalogue } from './catalogue/lookup';
import { checkConsent, checkOpinion } from './rules/consent.rule';
import { checkFinalJudgment } from './rules/final-judgment.rule';
import { checkLeaseEligibility } from './rules/lease-eligibility.rule';
import { checkLegalBasis } from './rules/legal-basis.rule';
import { checkNationality } from './rules/nationality.rule';
import { checkTimeLeft } from './rules/time-left.rule';
import type { Verdict } from './verdict';

/** Every verdict for a case, and whether none of them is `not-met`. */
export interface Screening {
  verdicts: Verdict[];
  /** No verdict is `not-met`. Verdicts that need a decision do not make a case ineligible. */
  isEligible: boolean;
  /** At least one verdict waits for a person's decision or a missing fact. */
  needsDecision: boolean;
}

/**
 * Screening: applies every rule that the named basis makes relevant. A transfer of
 * enforcement is checked for legal basis, final judgment, time left, nationality,
 * consent and opinion; a facility lease for legal basis, lease eligibility, consent
 * and opinion. An unknown basis yields only the legal-basis verdict.
 *
 * The law is the catalogue's (`catalogue`, `LEGAL_BASES` unless a version is given) as in force on
 * the day of the request (`facts.lawOn`); the facts are those of `facts.requestReceivedOn`.
 */
export function evaluateCase(facts: CaseFacts, catalogue: Catalogue = LEGAL_BASES): Screening {
  const basis = findLegalBasis(facts.basis, catalogue);
  const verdicts: Verdict[] = [checkLegalBasis(facts, catalogue)];
  if (basis?.kind === 'transfer-of-enforcement') {
    verdicts.push(checkFinalJudgment(facts, catalogue), checkTimeLeft(facts, catalogue), checkNationality(facts, catalogue));
  } else if (basis?.kind === 'facility-lease') {
    verdicts.push(checkLeaseEligibility(facts, catalogue));
  }
  if (basis) verdicts.push(checkConsent(facts, catalogue), checkOpinion(facts, catalogue));
  return {
    verdicts,
    isEligible: verdicts.every((v) => v.outcome !== 'not-met'),
    needsDecision: verdicts.some((v) => v.outcome === 'needs-decision'),
  };
}
