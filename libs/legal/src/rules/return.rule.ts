import type { ReturnGround, ReturnGroundFact, ReturnTerms } from '../catalogue/legal-basis';
import { getLegalBasis, type Catalogue } from '../catalogue/lookup';
import type { StateCode } from '../states';
import { met, notMet, type Verdict } from '../verdict';

/** The facts of a return (Rule 19): the case it ends, its ground and the state that asks for it. */
export interface ReturnFacts {
  /** The legal basis of the case the person was moved under. */
  basis: string;
  ground: ReturnGround;
  /** The states of that case: the person goes back to its sending state. */
  originalSendingState: StateCode;
  originalReceivingState: StateCode;
  /** The state that decides the return. */
  requestedBy: StateCode;
}

/** The grounds of return a basis provides, and who decides (Rule 19); undefined when it provides none. */
export function returnTerms(basisId: string, catalogue?: Catalogue): ReturnTerms | undefined {
  return getLegalBasis(basisId, catalogue).returns;
}

/**
 * The state responsible for the person until the return: under a lease the lessee, which kept
 * jurisdiction (the case's sending state); after a transfer of enforcement the administering state
 * (the case's receiving state). It decides the return and dispatches the person (Rules 11, 19).
 */
export function responsibleState(basisId: string, originalSendingState: StateCode, originalReceivingState: StateCode, catalogue?: Catalogue): StateCode {
  return getLegalBasis(basisId, catalogue).kind === 'facility-lease' ? originalSendingState : originalReceivingState;
}

/** The catalogue's fact for one ground of return, if the basis provides that ground. */
export function returnGround(basisId: string, ground: ReturnGround, catalogue?: Catalogue): ReturnGroundFact | undefined {
  return returnTerms(basisId, catalogue)?.grounds.find((g) => g.ground === ground);
}

/**
 * Rule 19: a person goes back to the state that sentenced them only on a ground the basis of their
 * case provides (a lease's end, a court order, a successful appeal of the placement, the treaty),
 * and by the decision of the state responsible for them: the lessee under a lease, the
 * administering state after a transfer of enforcement. The verdict cites the ground's source and
 * says how sure the project is of it.
 */
export function checkReturn(facts: ReturnFacts, catalogue?: Catalogue): Verdict {
  const basis = getLegalBasis(facts.basis, catalogue);
  const terms = basis.returns;
  const fact = terms?.grounds.find((g) => g.ground === facts.ground);
  if (!terms || !fact) {
    const provided = terms?.grounds.map((g) => g.ground).join(', ');
    return notMet('RETURN', 'RETURN_GROUND_NOT_APPLICABLE', `${basis.citation} provides no return of the person on the ground "${facts.ground}"; ${provided ? `the grounds it provides: ${provided}` : 'it provides none'}.`);
  }
  const responsible = responsibleState(facts.basis, facts.originalSendingState, facts.originalReceivingState, catalogue);
  if (facts.requestedBy !== responsible) {
    const who = terms.decidedBy === 'lessee' ? `${responsible}, the lessee, which kept jurisdiction` : `${responsible}, the administering state, which enforces the sentence`;
    return notMet('RETURN', 'RETURN_NOT_BY_RESPONSIBLE_STATE', `${fact.cites}: the return is decided by ${who}, not by ${facts.requestedBy}.`);
  }
  return met('RETURN', `${fact.cites}: ${fact.text} (${fact.certainty === 'established' ? 'read in the instrument' : `certainty: ${fact.certainty}`}). ${responsible} decides; the person goes back to ${facts.originalSendingState}.`);
}
