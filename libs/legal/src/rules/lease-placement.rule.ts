import { getLegalBasis, isInForceOn, type Catalogue } from '../catalogue/lookup';
import type { IsoDate } from '../dates';
import type { LeasePlacementTerms } from '../catalogue/legal-basis';
import type { StateCode } from '../states';
import { met, notMet, type Verdict } from '../verdict';

/**
 * The two procedures of docs/domain.md: under a transfer of enforcement the sending state forwards
 * a certificate and the receiving state recognises (and may adapt) the judgment; under a facility
 * lease the lessee (tenant) state decides the placement itself, under its own law (Rule 18).
 */
export type Procedure = 'recognition' | 'lease-placement';

/** The procedure a basis of the catalogue follows. */
export function procedureOf(basisId: string): Procedure {
  return getLegalBasis(basisId).kind === 'facility-lease' ? 'lease-placement' : 'recognition';
}

/** The lease's placement terms (who decides, on which grounds, the information, the appeal, the release, the roles); undefined for a transfer of enforcement. */
export function leasePlacementTerms(basisId: string): LeasePlacementTerms | undefined {
  return getLegalBasis(basisId).lease?.placement;
}

export interface PlacementDecisionFacts {
  basis: string;
  /** The case's sending state: under a lease, the tenant that placed the person. */
  sendingState: StateCode;
  /** The state named as deciding. */
  decidingState: StateCode;
}

/**
 * Rule 18: a placement decision exists only under a facility lease, and only the lessee (tenant)
 * state takes it, which is the case's sending state. Nothing is recognised or adapted: the
 * sentence stays the tenant's, enforced under its law.
 */
export function checkPlacementDecision({ basis: basisId, sendingState, decidingState }: PlacementDecisionFacts): Verdict {
  const basis = getLegalBasis(basisId);
  if (!basis.lease) {
    return notMet('LEASE_PLACEMENT', 'PLACEMENT_NOT_UNDER_LEASE', `${basis.citation} is a transfer of enforcement: the receiving state recognises the judgment; there is no placement decision by the sending state.`);
  }
  const { tenantState, placement } = basis.lease;
  if (decidingState !== tenantState || sendingState !== tenantState) {
    return notMet('LEASE_PLACEMENT', 'PLACEMENT_NOT_BY_LESSEE', `${placement.decidedBy.cites}: the placement in ${basis.lease.facility} is decided by ${tenantState}, the lessee (${placement.decidedBy.authority}), not by ${decidingState}.`);
  }
  return met('LEASE_PLACEMENT', `${placement.decidedBy.cites}: ${tenantState} decides the placement in ${basis.lease.facility} (${placement.decidedBy.authority}); its sentence and law go on applying, nothing is recognised or adapted.`);
}

/**
 * Rule 18: recognition steps (the certificate, its receipt, the receiving state's decision and an
 * adaptation) exist only under a transfer of enforcement. Under a lease there is nothing for the
 * host state to recognise or adapt.
 */
export function checkRecognitionApplies(basisId: string): Verdict {
  const basis = getLegalBasis(basisId);
  if (basis.lease) {
    return notMet('LEASE_PLACEMENT', 'RECOGNITION_NOT_UNDER_LEASE', `${basis.citation}: the sentence stays ${basis.lease.tenantState}'s, enforced under its law in places it rents in ${basis.lease.facility}; ${basis.lease.hostState} recognises and adapts nothing. ${basis.lease.tenantState} records its own placement decision instead.`);
  }
  return met('LEASE_PLACEMENT', `${basis.citation} is a transfer of enforcement: the receiving state recognises the judgment.`);
}

/**
 * A lease's term on the day of a step that puts a person in the leased places (the lessee's
 * placement decision): the case is governed by the law of its request, but a place the lessee no
 * longer rents cannot be filled. Met for a transfer of enforcement, or a lease in force on `day`
 * (docs/domain.md, "Law in force by date"; Rule 18).
 */
export function checkLeaseTerm(basisId: string, day: IsoDate, catalogue?: Catalogue): Verdict {
  const basis = getLegalBasis(basisId, catalogue);
  if (!basis.lease) return met('LEGAL_BASIS', `${basis.citation} is not a facility lease; it has no term of its own for a placement.`);
  const { facility, tenantState } = basis.lease;
  if (!isInForceOn(basis, day)) {
    const term = `from ${basis.inForce.from ?? 'its entry into force'} until ${basis.inForce.until ?? 'today'}`;
    return notMet('LEGAL_BASIS', 'LEGAL_BASIS_NOT_IN_FORCE', `${basis.citation} lets ${tenantState} use ${facility} ${term}; on ${day} the lease is not in force, so no person can be placed there.`);
  }
  return met('LEGAL_BASIS', `${basis.citation} is in force on ${day}: ${tenantState} may place the person in ${facility}.`);
}
