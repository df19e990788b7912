import type { CaseFacts } from '../case-facts';
import { getLegalBasis, type Catalogue } from '../catalogue/lookup';
import { met, needsDecision, notMet, type Verdict } from '../verdict';
import { listStates } from './wording';

type NationalityFacts = Pick<CaseFacts, 'basis' | 'receivingState' | 'inmate' | 'receivingStateAgreement'>;

/**
 * Rule 4: ETS 112, the inmate is a national of the receiving state. 2008/909, the
 * receiving state is the state of nationality where the inmate lives, or the one the
 * inmate will be deported to, or another state that agrees (a decision).
 */
export function checkNationality(facts: NationalityFacts, catalogue?: Catalogue): Verdict {
  const basis = getLegalBasis(facts.basis, catalogue);
  const terms = basis.nationality;
  if (!terms) {
    return met('NATIONALITY', `${basis.citation} sets no nationality condition of its own${basis.lease ? '; see lease eligibility' : ''}.`);
  }
  const receiving = facts.receivingState;
  const { nationalities, livesIn, expulsionOrder } = facts.inmate;
  const isNational = nationalities.includes(receiving);
  const held = `the inmate's nationality: ${listStates(nationalities)}`;

  if (terms.requirement === 'national-of-receiving-state') {
    return isNational
      ? met('NATIONALITY', `${terms.cites}: the inmate is a national of ${receiving}, the receiving state.`)
      : notMet('NATIONALITY', 'NATIONALITY_REQUIREMENT_NOT_MET', `${terms.cites}: the receiving state must be a state of nationality, and ${receiving} is not (${held}).`);
  }
  if (isNational && livesIn === receiving) {
    return met('NATIONALITY', `${terms.cites}(a): the inmate is a national of ${receiving} and lives there.`);
  }
  if (isNational && expulsionOrder?.toState === receiving) {
    return met('NATIONALITY', `${terms.cites}(b): the inmate is a national of ${receiving} and will be deported there after release.`);
  }
  switch (facts.receivingStateAgreement) {
    case 'agreed':
      return met('NATIONALITY', `${terms.cites}(c): ${receiving} has agreed to receive the judgment and certificate.`);
    case 'refused':
      return notMet('NATIONALITY', 'NATIONALITY_REQUIREMENT_NOT_MET', `${terms.cites}: ${receiving} is neither a state of nationality where the inmate lives or will be deported to (${held}), and it has refused to receive the judgment under ${terms.cites}(c).`);
    case undefined:
      return needsDecision('NATIONALITY', 'NATIONALITY_NEEDS_RECEIVING_STATE_AGREEMENT', `${terms.cites}(c): ${receiving} is neither a state of nationality where the inmate lives nor one the inmate will be deported to (${held}); ask ${receiving} whether it agrees to receive the judgment and certificate.`);
  }
}
