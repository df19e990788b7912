import { isBefore, type IsoDate } from '../dates';
import type { StateCode } from '../states';
import { LEGAL_BASES } from './catalogue';
import type { LegalBasis } from './legal-basis';

/**
 * A version of the catalogue: the law as the project knows it, dated inside (each party's entry into
 * force, each declaration's date, each instrument's and each lease's term). The rules take the
 * catalogue as an argument, `LEGAL_BASES` by default, so that a case can be evaluated against an
 * amended version (a ratification, a correction of a date) and the effect of the amendment on old
 * and new cases tested (docs/domain.md, "Law in force by date").
 */
export type Catalogue = readonly LegalBasis[];

/** Asked for a legal basis id the catalogue does not hold. */
export class UnknownLegalBasisError extends Error {
  readonly code = 'LEGAL_BASIS_UNKNOWN';
  constructor(readonly basisId: string, catalogue: Catalogue = LEGAL_BASES) {
    super(`No legal basis "${basisId}" in the catalogue; known: ${catalogue.map((b) => b.id).join(', ')}.`);
    this.name = 'UnknownLegalBasisError';
  }
}

/** The catalogue entry with this id, or undefined. */
export function findLegalBasis(id: string, catalogue: Catalogue = LEGAL_BASES): LegalBasis | undefined {
  return catalogue.find((basis) => basis.id === id);
}

/** The catalogue entry with this id; throws UnknownLegalBasisError when there is none. */
export function getLegalBasis(id: string, catalogue: Catalogue = LEGAL_BASES): LegalBasis {
  const basis = findLegalBasis(id, catalogue);
  if (!basis) throw new UnknownLegalBasisError(id, catalogue);
  return basis;
}

/**
 * The catalogue with one party's date of entry into force set (or the party added): how a lawyer
 * records a ratification, an accession or a corrected date. `since` undefined: bound on any date.
 * The other entries are shared, unchanged.
 */
export function withPartySince(catalogue: Catalogue, basisId: string, state: StateCode, since: IsoDate | undefined): Catalogue {
  const basis = getLegalBasis(basisId, catalogue);
  const others = basis.parties.filter((p) => p.state !== state);
  const party = { ...basis.parties.find((p) => p.state === state), state, since };
  if (since === undefined) delete party.since;
  const amended: LegalBasis = { ...basis, parties: [...others, party] };
  return catalogue.map((entry) => (entry.id === basisId ? amended : entry));
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
  catalogue: Catalogue = LEGAL_BASES,
): LegalBasis | undefined {
  return catalogue.find(
    (other) =>
      other.replaces !== undefined &&
      other.replaces.ids.includes(basis.id) &&
      !isBefore(date, other.replaces.from) &&
      coversPair(other, sending, receiving, date),
  );
}

/** Every basis that can carry a move from `sending` to `receiving` on `date`. */
export function basesForPair(sending: StateCode, receiving: StateCode, date: IsoDate, catalogue: Catalogue = LEGAL_BASES): LegalBasis[] {
  return catalogue.filter(
    (basis) => coversPair(basis, sending, receiving, date) && !replacementOf(basis, sending, receiving, date, catalogue),
  );
}
