// Rule 19: the return of a person to the state that sentenced them, on a ground the basis of their
// case provides, decided by the state responsible for them. Each test names its source.
import fc from 'fast-check';
import type { ReturnGround } from '../catalogue/legal-basis';
import { LEGAL_BASES } from '../catalogue/catalogue';
import { BASES, STATES } from '../properties.fixtures';
import { checkReturn, responsibleState, returnGround, returnTerms } from './return.rule';

const GROUNDS: ReturnGround[] = ['lease-ended', 'court-order', 'appeal-succeeded', 'treaty'];
const dkToXk = { basis: 'LEASE_DK_XK_2022', originalSendingState: 'DK', originalReceivingState: 'XK' } as const;
const beToAl = { basis: 'ETS112', originalSendingState: 'BE', originalReceivingState: 'AL' } as const;

describe('Rule 19: a return to the sending state, on a ground of the basis, decided by the state responsible for the person', () => {
  it('DK–XK lease treaty 2022 (term of the treaty; Danish Sentence Enforcement Act § 1 a): at the end of the lease Denmark, the lessee, takes the person back', () => {
    const verdict = checkReturn({ ...dkToXk, ground: 'lease-ended', requestedBy: 'DK' });
    expect(verdict).toMatchObject({ rule: 'RETURN', outcome: 'met' });
    expect(verdict.reason).toContain('DK–XK lease treaty 2022 (term of the treaty)');
    expect(verdict.reason).toContain('certainty: uncertain');
    expect(verdict.reason).toContain('goes back to DK');
  });

  it('DK–XK lease treaty 2022: Kosovo, the host, decides no return (RETURN_NOT_BY_RESPONSIBLE_STATE)', () => {
    const verdict = checkReturn({ ...dkToXk, ground: 'lease-ended', requestedBy: 'XK' });
    expect(verdict).toMatchObject({ outcome: 'not-met', code: 'RETURN_NOT_BY_RESPONSIBLE_STATE' });
    expect(verdict.reason).toContain('DK, the lessee');
  });

  it.each([
    ['court-order', 'Danish Sentence Enforcement Act § 1 a(3)', 'to-verify'],
    ['appeal-succeeded', 'anbringelses- og overførselsbekendtgørelsen § 28', 'to-verify'],
    ['treaty', 'DK–XK lease treaty 2022', 'uncertain'],
  ] as const)('DK–XK lease: the ground %s cites %s (%s)', (ground, cites, certainty) => {
    const verdict = checkReturn({ ...dkToXk, ground, requestedBy: 'DK' });
    expect(verdict).toMatchObject({ outcome: 'met' });
    expect(verdict.reason.startsWith(`${cites}:`)).toBe(true);
    expect(returnGround('LEASE_DK_XK_2022', ground)).toMatchObject({ certainty });
  });

  it('NO–NL Norgerhaven agreement 2015: persons went back to Norway at the end of the agreement; no court-order ground is recorded for it', () => {
    expect(checkReturn({ basis: 'LEASE_NO_NL_2015', originalSendingState: 'NO', originalReceivingState: 'NL', ground: 'lease-ended', requestedBy: 'NO' })).toMatchObject({ outcome: 'met' });
    const verdict = checkReturn({ basis: 'LEASE_NO_NL_2015', originalSendingState: 'NO', originalReceivingState: 'NL', ground: 'court-order', requestedBy: 'NO' });
    expect(verdict).toMatchObject({ outcome: 'not-met', code: 'RETURN_GROUND_NOT_APPLICABLE' });
    expect(verdict.reason).toContain('the grounds it provides: lease-ended, treaty');
  });

  it('ETS 112 Art 13 and Art 14: after a transfer of enforcement Albania, the administering state, hands the person back on a Belgian court order; Belgium cannot decide it', () => {
    expect(checkReturn({ ...beToAl, ground: 'court-order', requestedBy: 'AL' })).toMatchObject({ outcome: 'met' });
    expect(checkReturn({ ...beToAl, ground: 'court-order', requestedBy: 'BE' })).toMatchObject({ outcome: 'not-met', code: 'RETURN_NOT_BY_RESPONSIBLE_STATE' });
  });

  it('ETS 112 has no lease to end: a lease-ended return of a transfer of enforcement is RETURN_GROUND_NOT_APPLICABLE', () => {
    const verdict = checkReturn({ ...beToAl, ground: 'lease-ended', requestedBy: 'AL' });
    expect(verdict).toMatchObject({ outcome: 'not-met', code: 'RETURN_GROUND_NOT_APPLICABLE' });
    expect(verdict.reason).toContain('ETS 112 provides no return');
  });

  it('2008/909 Art 19(2) and Art 20: the court-order ground is the project\'s reading, to verify', () => {
    expect(returnGround('FD2008_909', 'court-order')).toMatchObject({ cites: '2008/909 Art 19(2) and Art 20', certainty: 'to-verify' });
  });

  it('every basis of the catalogue says who decides a return and cites a source for each ground it provides', () => {
    for (const basis of LEGAL_BASES) {
      const terms = returnTerms(basis.id)!;
      expect(terms.decidedBy).toBe(basis.kind === 'facility-lease' ? 'lessee' : 'administering-state');
      for (const ground of terms.grounds) {
        expect(ground.sources.length).toBeGreaterThan(0);
        expect(['established', 'uncertain', 'to-verify']).toContain(ground.certainty);
      }
    }
  });

  it('property: a return is met only on a ground the basis provides, and only when asked by the lessee (lease) or the administering state (transfer of enforcement)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...BASES), fc.constantFrom(...GROUNDS), fc.constantFrom(...STATES), fc.constantFrom(...STATES), fc.constantFrom(...STATES), (basis, ground, sending, receiving, requestedBy) => {
        const verdict = checkReturn({ basis, ground, originalSendingState: sending, originalReceivingState: receiving, requestedBy });
        const provided = returnGround(basis, ground) !== undefined;
        const responsible = responsibleState(basis, sending, receiving);
        expect(verdict.outcome === 'met').toBe(provided && requestedBy === responsible);
        if (!provided) expect(verdict.code).toBe('RETURN_GROUND_NOT_APPLICABLE');
        else if (requestedBy !== responsible) expect(verdict.code).toBe('RETURN_NOT_BY_RESPONSIBLE_STATE');
      }),
    );
  });
});
