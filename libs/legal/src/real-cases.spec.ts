// The three shapes of case the project exists for, screened end to end.
import { belgiumToAlbania, belgiumToNetherlands, denmarkToKosovo, withInmate } from './cases.fixture';
import { evaluateCase } from './evaluate-case';
import type { Verdict } from './verdict';

const outcomes = (verdicts: Verdict[]) => Object.fromEntries(verdicts.map((v) => [v.rule, v.outcome]));
const reasonOf = (verdicts: Verdict[], rule: string) => verdicts.find((v) => v.rule === rule)!.reason;

describe('Belgium → Albania under ETS 112, with consent', () => {
  const screening = evaluateCase(belgiumToAlbania);

  it('meets every rule of a transfer of enforcement', () => {
    expect(outcomes(screening.verdicts)).toEqual({
      LEGAL_BASIS: 'met',
      FINAL_JUDGMENT: 'met',
      TIME_LEFT: 'met',
      NATIONALITY: 'met',
      CONSENT: 'met',
      OPINION: 'met',
    });
    expect(screening).toMatchObject({ isEligible: true, needsDecision: false });
  });

  it('cites the articles it applied', () => {
    expect(reasonOf(screening.verdicts, 'TIME_LEFT')).toBe(
      'ETS 112 Art 3(1)(c): 731 days are left to serve on 2025-03-03 (release on 2027-03-04), at least 6 months.',
    );
    expect(reasonOf(screening.verdicts, 'NATIONALITY')).toMatch(/^ETS 112 Art 3\(1\)\(a\): the inmate is a national of AL/);
    expect(reasonOf(screening.verdicts, 'CONSENT')).toMatch(/^ETS 112 Art 3\(1\)\(d\): the inmate has consented/);
  });

  it('waits for the inmate when consent has not been asked yet', () => {
    const verdicts = evaluateCase({ ...belgiumToAlbania, consent: undefined }).verdicts;
    expect(verdicts.find((v) => v.rule === 'CONSENT')).toMatchObject({ outcome: 'needs-decision', code: 'CONSENT_REQUIRED' });
  });

  it('under the 2010 bilateral agreement, needs no consent when the sentence carries an expulsion order', () => {
    const facts = withInmate({ ...belgiumToAlbania, basis: 'BILATERAL_BE_AL_2010', consent: undefined }, { expulsionOrder: { toState: 'AL' } });
    const screening = evaluateCase(facts);
    expect(screening.isEligible).toBe(true);
    expect(reasonOf(screening.verdicts, 'CONSENT')).toMatch(/^BE–AL agreement 2010 .*consent not required, because the sentence carries an expulsion/);
  });
});

describe('Denmark → Kosovo lease, without consent', () => {
  const screening = evaluateCase(denmarkToKosovo);

  it('meets the lease rules, and consent is not a condition', () => {
    expect(outcomes(screening.verdicts)).toEqual({ LEGAL_BASIS: 'met', LEASE_ELIGIBILITY: 'met', CONSENT: 'met', OPINION: 'met' });
    expect(screening.isEligible).toBe(true);
    expect(reasonOf(screening.verdicts, 'LEGAL_BASIS')).toBe(
      "DK–XK lease treaty 2022 lets DK place inmates in Gjilan prison, XK (300 places); DK's sentence and law continue to apply.",
    );
    expect(reasonOf(screening.verdicts, 'CONSENT')).toMatch(/consent not required/);
  });

  it('is not a transfer of enforcement: no final-judgment, time-left or nationality verdicts', () => {
    const rules = screening.verdicts.map((v) => v.rule);
    expect(rules).not.toContain('FINAL_JUDGMENT');
    expect(rules).not.toContain('TIME_LEFT');
    expect(rules).not.toContain('NATIONALITY');
  });
});

describe('Belgium → Netherlands under 2008/909, deported there, without consent', () => {
  const screening = evaluateCase(belgiumToNetherlands);

  it('meets every rule, consent waived by Art 6(2)(b)', () => {
    expect(outcomes(screening.verdicts)).toEqual({
      LEGAL_BASIS: 'met',
      FINAL_JUDGMENT: 'met',
      TIME_LEFT: 'met',
      NATIONALITY: 'met',
      CONSENT: 'met',
      OPINION: 'met',
    });
    expect(reasonOf(screening.verdicts, 'CONSENT')).toBe(
      "2008/909 Art 6(2)(b): consent not required, because the inmate is a national of NL and will be deported there after release. The inmate's opinion is still recorded.",
    );
    expect(reasonOf(screening.verdicts, 'NATIONALITY')).toMatch(/^2008\/909 Art 4\(1\)\(b\)/);
  });

  it('is refused as ETS 112 between two EU member states, pointing at 2008/909', () => {
    const verdict = evaluateCase({ ...belgiumToNetherlands, basis: 'ETS112' }).verdicts[0];
    expect(verdict).toMatchObject({ rule: 'LEGAL_BASIS', outcome: 'not-met', code: 'LEGAL_BASIS_REPLACED' });
    expect(verdict.reason).toMatch(/2008\/909 Art 26\(1\).*name FD2008_909/);
  });
});

describe('screening summary', () => {
  it('an unknown basis gives only the legal-basis verdict', () => {
    const screening = evaluateCase({ ...belgiumToAlbania, basis: 'TREATY_OF_NOWHERE' });
    expect(screening.verdicts).toHaveLength(1);
    expect(screening.verdicts[0]).toMatchObject({ code: 'LEGAL_BASIS_UNKNOWN', outcome: 'not-met' });
    expect(screening.isEligible).toBe(false);
  });

  it('Kosovo under ETS 112 is not eligible and the reason names the lease as the basis that fits', () => {
    const screening = evaluateCase({ ...denmarkToKosovo, basis: 'ETS112', inmate: { ...denmarkToKosovo.inmate, nationalities: ['XK'] } });
    expect(screening.isEligible).toBe(false);
    expect(screening.verdicts[0].reason).toBe(
      'ETS 112: XK is not a party on 2026-09-01, so it cannot carry a transfer from DK to XK. Bases in the catalogue that fit DK → XK on 2026-09-01: LEASE_DK_XK_2022.',
    );
  });

  it('a needs-decision verdict leaves the case eligible but flagged', () => {
    const screening = evaluateCase({ ...belgiumToAlbania, isOpinionRecorded: false });
    expect(screening).toMatchObject({ isEligible: true, needsDecision: true });
  });
});
