import { BILATERAL_TREATIES } from './bilateral';
import { FACILITY_LEASES } from './leases';
import type { LegalBasis } from './legal-basis';
import { ETS112, ETS167_ART2, ETS167_ART3, FD2008_909 } from './multilateral';

/** Every legal basis the rules know. Adding an instrument is adding an entry here. */
export const LEGAL_BASES: readonly LegalBasis[] = [
  FD2008_909,
  ETS112,
  ETS167_ART2,
  ETS167_ART3,
  ...BILATERAL_TREATIES,
  ...FACILITY_LEASES,
];
