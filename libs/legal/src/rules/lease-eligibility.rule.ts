import type { CaseFacts } from '../case-facts';
import { getLegalBasis, type Catalogue } from '../catalogue/lookup';
import { met, needsDecision, notMet, type Verdict } from '../verdict';
import { listStates } from './wording';

/** The facts a lease's eligibility looks at; the custody service can pass just these. */
export type LeaseCandidate = Pick<CaseFacts, 'basis' | 'inmate' | 'sentence'>;

/**
 * Rule 9: who may be placed in a leased facility (Denmark–Kosovo: third-country
 * nationals with an expulsion order; not terrorism, war crimes, serious mental illness,
 * terminal illness or life sentences). Every failing condition is named in the reason.
 */
export function checkLeaseEligibility(candidate: LeaseCandidate, catalogue?: Catalogue): Verdict {
  const basis = getLegalBasis(candidate.basis, catalogue);
  if (!basis.lease) return met('LEASE_ELIGIBILITY', `${basis.citation} is not a facility lease; lease eligibility does not apply.`);
  const { eligibility: rules, facility } = basis.lease;
  const { inmate, sentence } = candidate;
  const failures: string[] = [];
  const open: string[] = [];

  const excludedNationalities = inmate.nationalities.filter((state) => rules.excludedNationalities.includes(state));
  if (excludedNationalities.length > 0) {
    failures.push(`holds a nationality that is excluded (${listStates(excludedNationalities)}): not a third-country national`);
  }
  const toDecide = inmate.nationalities.filter((state) => rules.nationalitiesToDecide.includes(state));
  if (toDecide.length > 0) open.push(`whether nationals of ${listStates(toDecide)} may be placed is not settled in the catalogue`);
  if (rules.requiresExpulsionOrder && !inmate.expulsionOrder) failures.push('has no expulsion order');
  const offences = sentence.offences.filter((offence) => rules.excludedOffences.includes(offence));
  if (offences.length > 0) failures.push(`is convicted of an excluded offence (${offences.join(', ')})`);
  if (rules.isLifeSentenceExcluded && sentence.length.kind === 'life') failures.push('is serving a life sentence');
  if (rules.excludedConditions.length > 0) {
    if (inmate.healthConditions === undefined) {
      open.push('no health assessment is recorded (serious mental or terminal illness excludes)');
    } else {
      const conditions = inmate.healthConditions.filter((c) => rules.excludedConditions.includes(c));
      if (conditions.length > 0) failures.push(`has an excluded health condition (${conditions.join(', ')})`);
    }
  }

  const where = `${rules.cites}: for ${facility}, the inmate`;
  if (failures.length > 0) return notMet('LEASE_ELIGIBILITY', 'LEASE_NOT_ELIGIBLE', `${where} ${failures.join('; ')}.`);
  if (open.length > 0) {
    return needsDecision('LEASE_ELIGIBILITY', 'LEASE_ELIGIBILITY_UNDETERMINED', `${rules.cites}: for ${facility}, ${open.join('; ')}. Decide and record it.`);
  }
  return met('LEASE_ELIGIBILITY', `${where} meets every condition (nationality ${listStates(inmate.nationalities)}${inmate.expulsionOrder ? ', expulsion order' : ''}; no excluded offence, condition or life sentence).`);
}
