import { findLegalBasis, type LegalBasis } from '@custody/legal';

/**
 * The lease treaty a facility names, as an entry of the legal catalogue. The contracts' examples
 * write the treaty as `DK-XK-2022`, the catalogue as `LEASE_DK_XK_2022`: both are accepted.
 */
export function leaseBasisOf(treatyId: string): LegalBasis | undefined {
  const exact = findLegalBasis(treatyId);
  if (exact) return exact;
  return findLegalBasis(`LEASE_${treatyId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`);
}
