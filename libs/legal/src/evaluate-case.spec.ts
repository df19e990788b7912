import fc from 'fast-check';
import { findLegalBasis } from './catalogue/lookup';
import { evaluateCase } from './evaluate-case';
import { BASES, caseFacts } from './properties.fixtures';
import { DOMAIN_RULE } from './verdict';

// docs/domain.md: eligibility is the verdicts of Rules 1–5 and 9 on a case; a verdict other than
// `met` carries a stable code, and each names its rule, so that a recorded verdict can be traced.
describe('screening properties (docs/domain.md, Rules 1–5 and 9)', () => {
  const anyCase = caseFacts([...BASES, 'ETS_999']);

  it('every verdict carries a stable code exactly when it is not met, and applies a rule of docs/domain.md', () => {
    fc.assert(
      fc.property(anyCase, (facts) => {
        for (const verdict of evaluateCase(facts).verdicts) {
          if (verdict.outcome === 'met') expect(verdict.code).toBeUndefined();
          else expect(verdict.code).toMatch(/^[A-Z][A-Z_]+$/);
          expect(DOMAIN_RULE[verdict.rule]).toMatch(/^[1-9][0-9]?$/);
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('a case is eligible exactly when no verdict is not met; a verdict waiting for a person flags it without making it ineligible', () => {
    fc.assert(
      fc.property(anyCase, (facts) => {
        const screening = evaluateCase(facts);
        expect(screening.isEligible).toBe(screening.verdicts.every((v) => v.outcome !== 'not-met'));
        expect(screening.needsDecision).toBe(screening.verdicts.some((v) => v.outcome === 'needs-decision'));
      }),
      { numRuns: 1_000 },
    );
  });

  it('the rules applied follow the kind of the basis: a transfer of enforcement Rules 1–5, a lease Rules 1, 9 and 5, an unknown basis Rule 1 alone', () => {
    fc.assert(
      fc.property(anyCase, (facts) => {
        const rules = evaluateCase(facts).verdicts.map((v) => v.rule);
        const expected = {
          'transfer-of-enforcement': ['LEGAL_BASIS', 'FINAL_JUDGMENT', 'TIME_LEFT', 'NATIONALITY', 'CONSENT', 'OPINION'],
          'facility-lease': ['LEGAL_BASIS', 'LEASE_ELIGIBILITY', 'CONSENT', 'OPINION'],
        };
        const kind = findLegalBasis(facts.basis)?.kind;
        expect(rules).toEqual(kind ? expected[kind] : ['LEGAL_BASIS']);
      }),
      { numRuns: 500 },
    );
  });
});
