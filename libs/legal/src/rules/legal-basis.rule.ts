import { lawDay, type CaseFacts } from '../case-facts';
import { LEGAL_BASES } from '../catalogue/catalogue';
import { findLegalBasis, isInForceOn, isPartyOn, replacementOf, type Catalogue } from '../catalogue/lookup';
import { met, notMet, type Verdict } from '../verdict';
import { fittingBases } from './wording';

type PairFacts = Pick<CaseFacts, 'basis' | 'sendingState' | 'receivingState' | 'requestReceivedOn'> & Pick<Partial<CaseFacts>, 'lawOn'>;

/**
 * Rule 1: the named legal basis exists and fits the pair of states on the day of the
 * request (2008/909 only between EU states; ETS 112/167 only between parties; a lease
 * only from the tenant state to the host state). The catalogue is read on the day whose law
 * governs the case (`lawOn`, the day of the request: 2008/909 Art 28(1)), in the version given.
 */
export function checkLegalBasis(facts: PairFacts, catalogue: Catalogue = LEGAL_BASES): Verdict {
  const { sendingState: sending, receivingState: receiving } = facts;
  const date = lawDay(facts);
  const alternatives = fittingBases(sending, receiving, date, catalogue);
  const basis = findLegalBasis(facts.basis, catalogue);
  if (!basis) {
    return notMet('LEGAL_BASIS', 'LEGAL_BASIS_UNKNOWN', `"${facts.basis}" is not a legal basis in the catalogue. ${alternatives}`);
  }
  const name = basis.citation;
  if (sending === receiving) {
    return notMet('LEGAL_BASIS', 'LEGAL_BASIS_NOT_APPLICABLE', `${name}: the sending and receiving state are both ${sending}; a transfer needs two states.`);
  }
  if (!isInForceOn(basis, date)) {
    const period = `from ${basis.inForce.from ?? 'its entry into force'} until ${basis.inForce.until ?? 'today'}`;
    return notMet('LEGAL_BASIS', 'LEGAL_BASIS_NOT_IN_FORCE', `${name} applies ${period}; the request of ${date} falls outside that period. ${alternatives}`);
  }
  if (basis.lease) {
    const { tenantState, hostState, facility, places } = basis.lease;
    if (sending !== tenantState || receiving !== hostState) {
      return notMet(
        'LEGAL_BASIS',
        'LEGAL_BASIS_NOT_APPLICABLE',
        `${name} only lets ${tenantState} place its inmates in ${facility}, ${hostState}; it cannot carry a move from ${sending} to ${receiving}. ${alternatives}`,
      );
    }
    return met('LEGAL_BASIS', `${name} lets ${tenantState} place inmates in ${facility}, ${hostState} (${places} places); ${tenantState}'s sentence and law continue to apply.`);
  }
  const outsiders = [sending, receiving].filter((state) => !isPartyOn(basis, state, date));
  if (outsiders.length > 0) {
    const who = outsiders.length === 1 ? `${outsiders[0]} is not a party` : `${outsiders.join(' and ')} are not parties`;
    return notMet('LEGAL_BASIS', 'LEGAL_BASIS_NOT_APPLICABLE', `${name}: ${who} on ${date}, so it cannot carry a transfer from ${sending} to ${receiving}. ${alternatives}`);
  }
  const replacement = replacementOf(basis, sending, receiving, date, catalogue);
  if (replacement?.replaces) {
    return notMet(
      'LEGAL_BASIS',
      'LEGAL_BASIS_REPLACED',
      `${replacement.replaces.cites}: between ${sending} and ${receiving}, ${replacement.citation} replaces ${name} since ${replacement.replaces.from}; name ${replacement.id} as the legal basis.`,
    );
  }
  return met('LEGAL_BASIS', `${name} fits ${sending} → ${receiving}: both states are parties on ${date}.`);
}
