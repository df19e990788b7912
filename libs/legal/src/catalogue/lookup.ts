import { isBefore, type IsoDate } from '../dates';
import type { StateCode } from '../states';
import { LEGAL_BASES } from './catalogue';
import type { LegalBasis } from './legal-basis';

/** Asked for a legal basis id the catalogue does not hold. */
export class UnknownLegalBasisError extends Error {
  readonly code = 'LEGAL_BASIS_UNKNOWN';
  constructor(readonly basisId: string) {
    super(`No legal basis "${basisId}" in the catalogue; known: ${LEGAL_BASES.map((b) => b.id).join(', ')}.`);
    this.name = 'UnknownLegalBasisError';
  }
}

/** The catalogue entry with this id, or undefined. */
export function findLegalBasis(id: string): LegalBasis | undefined {
  return LEGAL_BASES.find((basis) => basis.id === id);
}

/** The catalogue entry with this id; throws UnknownLegalBasisError when there is none. */
export function getLegalBasis(id: string): LegalBasis {
  const basis = findLegalBasis(id);
  if (!basis) throw new UnknownLegalBasisError(id);
  return basis;
}

/** Whether `state` is bound by `basis` on `date`. */
export function isPartyOn(basis: LegalBasis, state: StateCode, date: IsoDate): boolean {
  const party = basis.parties.find((p) => p.state === state);
  return party !== undefined && (party.since === undefined || !isBefore(date, party.since));
}

/** Whether `basis` is in force on `date` (an undated end means still in force). */
export function isInForceOn(basis: LegalBasis, date: IsoDate): boolean {
  const { from, until } = basis.inForce;
  return (from === undefined || !isBefore(date, from)) && (until === undefined || !isBefore(until, date));
}

/**
 * Whether the basis covers a move from `sending` to `receiving` on `date`: both parties
 * (for a lease, the tenant sending to the host) and in force. Replacement is not considered.
 */
export function coversPair(basis: LegalBasis, sending: StateCode, receiving: StateCode, date: IsoDate): boolean {
  if (sending === receiving || !isInForceOn(basis, date)) return false;
  if (basis.lease) return basis.lease.tenantState === sending && basis.lease.hostState === receiving;
  return isPartyOn(basis, sending, date) && isPartyOn(basis, receiving, date);
}

/** The basis that replaces `basis` between these two states on `date`, if any (2008/909 Art 26(1)). */
export function replacementOf(
  basis: LegalBasis,
  sending: StateCode,
  receiving: StateCode,
  date: IsoDate,
): LegalBasis | undefined {
  return LEGAL_BASES.find(
    (other) =>
      other.replaces !== undefined &&
      other.replaces.ids.includes(basis.id) &&
      !isBefore(date, other.replaces.from) &&
      coversPair(other, sending, receiving, date),
  );
}

/** Every basis that can carry a move from `sending` to `receiving` on `date`. */
export function basesForPair(sending: StateCode, receiving: StateCode, date: IsoDate): LegalBasis[] {
  return LEGAL_BASES.filter(
    (basis) => coversPair(basis, sending, receiving, date) && !replacementOf(basis, sending, receiving, date),
  );
}
