import { FACILITY_LEASES } from '../catalogue/leases';
import { LEGAL_BASES } from '../catalogue/catalogue';
import { checkPlacementDecision, checkRecognitionApplies, leasePlacementTerms, procedureOf } from './lease-placement.rule';

describe('rule 18: a lease is a placement by the lessee, not a recognition (DK–XK lease treaty 2022 Art 1; Danish Sentence Enforcement Act § 1 a; NO–NL Norgerhaven agreement 2015 Art 1)', () => {
  it('the leases follow the placement procedure; every transfer of enforcement the recognition', () => {
    for (const basis of LEGAL_BASES) {
      expect([basis.id, procedureOf(basis.id)]).toEqual([basis.id, basis.kind === 'facility-lease' ? 'lease-placement' : 'recognition']);
    }
    expect(procedureOf('LEASE_DK_XK_2022')).toBe('lease-placement');
    expect(procedureOf('LEASE_NO_NL_2015')).toBe('lease-placement');
    expect(procedureOf('ETS112')).toBe('recognition');
  });

  it('Denmark places a person in Gjilan: met, citing the treaty and the Danish act', () => {
    const verdict = checkPlacementDecision({ basis: 'LEASE_DK_XK_2022', sendingState: 'DK', decidingState: 'DK' });
    expect(verdict).toMatchObject({ rule: 'LEASE_PLACEMENT', outcome: 'met' });
    expect(verdict.reason).toContain('DK–XK lease treaty 2022 Art 1(c); Danish Sentence Enforcement Act § 1 a(2)');
    expect(verdict.reason).toContain('nothing is recognised or adapted');
  });

  it('Norway placed a person in Norgerhaven under the same model: met', () => {
    expect(checkPlacementDecision({ basis: 'LEASE_NO_NL_2015', sendingState: 'NO', decidingState: 'NO' })).toMatchObject({ outcome: 'met' });
  });

  it('Kosovo, the host, may not decide the placement: PLACEMENT_NOT_BY_LESSEE', () => {
    const verdict = checkPlacementDecision({ basis: 'LEASE_DK_XK_2022', sendingState: 'DK', decidingState: 'XK' });
    expect(verdict).toMatchObject({ outcome: 'not-met', code: 'PLACEMENT_NOT_BY_LESSEE' });
    expect(verdict.reason).toContain('decided by DK, the lessee');
  });

  it('under a transfer of enforcement there is no placement decision: PLACEMENT_NOT_UNDER_LEASE', () => {
    expect(checkPlacementDecision({ basis: 'ETS112', sendingState: 'BE', decidingState: 'BE' })).toMatchObject({ outcome: 'not-met', code: 'PLACEMENT_NOT_UNDER_LEASE' });
  });

  it('under a lease there is nothing to recognise or adapt: RECOGNITION_NOT_UNDER_LEASE; under ETS 112 recognition applies', () => {
    const lease = checkRecognitionApplies('LEASE_DK_XK_2022');
    expect(lease).toMatchObject({ outcome: 'not-met', code: 'RECOGNITION_NOT_UNDER_LEASE' });
    expect(lease.reason).toContain('XK recognises and adapts nothing');
    expect(checkRecognitionApplies('FD2008_909')).toMatchObject({ outcome: 'met' });
  });

  it('every lease states who decides, on which grounds, what the person is told, the appeal, the release and the roles, each with its certainty and sources', () => {
    for (const lease of FACILITY_LEASES) {
      const terms = leasePlacementTerms(lease.id)!;
      const facts = [terms.decidedBy, terms.grounds, terms.information, terms.appeal, terms.release, ...terms.roles];
      for (const fact of facts) {
        expect(['established', 'uncertain', 'to-verify']).toContain(fact.certainty);
        expect(fact.sources.length).toBeGreaterThan(0);
        expect(fact.text.length).toBeGreaterThan(0);
        expect(fact.cites.length).toBeGreaterThan(0);
      }
      expect(terms.roles.length).toBeGreaterThanOrEqual(2);
    }
    expect(leasePlacementTerms('ETS112')).toBeUndefined();
  });

  it('release: deportation from Kosovo (or back to Denmark) under the DK–XK lease; back to Norway from Norgerhaven', () => {
    expect(leasePlacementTerms('LEASE_DK_XK_2022')!.release.dispositions).toEqual(['deported', 'returned-to-sending-state']);
    expect(leasePlacementTerms('LEASE_NO_NL_2015')!.release.dispositions).toEqual(['returned-to-sending-state']);
    expect(leasePlacementTerms('LEASE_DK_XK_2022')!.decidedBy).toMatchObject({ authority: 'Danish Prison and Probation Service (Kriminalforsorgen)', certainty: 'established' });
    expect(leasePlacementTerms('LEASE_DK_XK_2022')!.appeal.certainty).toBe('to-verify');
  });
});
