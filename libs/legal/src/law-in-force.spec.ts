// Law in force by date (docs/domain.md): a case is evaluated under the catalogue as in force on the
// day of its request, whichever later day its facts are read on; a ratification, an accession or a
// corrected date that enters into force after the request changes no verdict of the case, and
// changes those of the cases requested once it is in force. Source: 2008/909 Art 28(1) (requests
// received before its date stay under the instruments in force then); each party's entry into force
// (ETS 112 Art 18(3) and 19(2); ETS 167 Art 4(3) and 5(2)).
import fc from 'fast-check';
import type { CaseFacts } from './case-facts';
import { LEGAL_BASES } from './catalogue/catalogue';
import { getLegalBasis, isPartyOn, withPartySince } from './catalogue/lookup';
import { addDays } from './dates';
import { belgiumToAlbania } from './cases.fixture';
import { evaluateCase } from './evaluate-case';
import { BASES, caseFacts, STATES } from './properties.fixtures';
import { checkLegalBasis } from './rules/legal-basis.rule';
import { checkConsent } from './rules/consent.rule';
import { checkLeaseTerm } from './rules/lease-placement.rule';

const legalBasisOf = (facts: CaseFacts, catalogue = LEGAL_BASES) => evaluateCase(facts, catalogue).verdicts.find((v) => v.rule === 'LEGAL_BASIS')!;

/** A Croatian sentence, a German national going home under ETS 112, with consent. */
const croatiaToGermany = (requestedOn: string, readOn = requestedOn): CaseFacts => ({
  ...belgiumToAlbania,
  sendingState: 'HR',
  receivingState: 'DE',
  inmate: { nationalities: ['DE'], livesIn: 'DE' },
  requestReceivedOn: readOn,
  lawOn: requestedOn,
});

describe('Law in force by date: a case keeps the law of its request (2008/909 Art 28(1))', () => {
  it('2008/909 Art 28(1) and Croatia\'s accession (1 July 2013): an ETS 112 request of June 2013 read in July keeps ETS 112; one made in July is told to use 2008/909', () => {
    const old = checkLegalBasis(croatiaToGermany('2013-06-20', '2013-07-10'));
    expect(old).toMatchObject({ outcome: 'met' });
    expect(old.reason).toContain('2013-06-20');
    const fresh = checkLegalBasis(croatiaToGermany('2013-07-10'));
    expect(fresh).toMatchObject({ outcome: 'not-met', code: 'LEGAL_BASIS_REPLACED' });
    expect(fresh.reason).toContain('2008/909 Art 26(1)');
  });

  it('without lawOn the facts\' own day is the law\'s day, as before', () => {
    const { lawOn: _ignored, ...facts } = croatiaToGermany('2013-06-20', '2013-07-10');
    expect(checkLegalBasis(facts)).toMatchObject({ outcome: 'not-met', code: 'LEGAL_BASIS_REPLACED' });
  });

  it('moving Croatia\'s date under 2008/909 (an amended catalogue): the old case keeps its ETS 112 verdict, a new case\'s verdict changes', () => {
    const amended = withPartySince(LEGAL_BASES, 'FD2008_909', 'HR', '2026-07-01');
    const oldCase = croatiaToGermany('2026-06-20', '2026-08-01');
    const newCase = croatiaToGermany('2026-07-05', '2026-08-01');
    // Under the catalogue as it stands, Croatia is bound since 2013: both are told to use 2008/909.
    expect(legalBasisOf(oldCase)).toMatchObject({ code: 'LEGAL_BASIS_REPLACED' });
    expect(legalBasisOf(newCase)).toMatchObject({ code: 'LEGAL_BASIS_REPLACED' });
    // Amended: the old case, requested before the new date, keeps ETS 112; the new one does not.
    expect(legalBasisOf(oldCase, amended)).toMatchObject({ outcome: 'met' });
    expect(evaluateCase(oldCase, amended).isEligible).toBe(true);
    expect(legalBasisOf(newCase, amended)).toMatchObject({ outcome: 'not-met', code: 'LEGAL_BASIS_REPLACED' });
    expect(legalBasisOf({ ...newCase, basis: 'FD2008_909' }, amended)).toMatchObject({ outcome: 'met' });
  });

  it('ETS 167 Art 4(3) and 5(2): Albania acceding to ETS 167 (a hypothetical date, 1 January 2027) opens Art 3 to cases requested from then, not to earlier ones', () => {
    const amended = withPartySince(LEGAL_BASES, 'ETS167_ART3', 'AL', '2027-01-01');
    const underArt3 = (requestedOn: string, readOn: string): CaseFacts => ({
      ...belgiumToAlbania,
      basis: 'ETS167_ART3',
      inmate: { nationalities: ['AL'], livesIn: 'AL', residenceWhenArrested: 'AL', expulsionOrder: { toState: 'AL' } },
      consent: undefined,
      requestReceivedOn: readOn,
      lawOn: requestedOn,
    });
    const oldCase = underArt3('2026-12-01', '2027-02-01');
    const newCase = underArt3('2027-01-05', '2027-02-01');
    expect(legalBasisOf(oldCase)).toMatchObject({ outcome: 'not-met', code: 'LEGAL_BASIS_NOT_APPLICABLE' });
    expect(legalBasisOf(oldCase, amended)).toMatchObject({ outcome: 'not-met', code: 'LEGAL_BASIS_NOT_APPLICABLE' });
    expect(legalBasisOf(oldCase, amended).reason).toContain('AL is not a party on 2026-12-01');
    expect(legalBasisOf(newCase, amended)).toMatchObject({ outcome: 'met' });
    // ETS 167 Art 3(1): the expulsion order waives consent, under the new case's law only.
    expect(checkConsent(newCase, amended)).toMatchObject({ outcome: 'met' });
  });

  it('Belgium\'s declaration on ETS 167 Art 3 (in force 1 September 2005) counts from the request\'s day, not from the day the facts are read', () => {
    const residentWhenArrested = (requestedOn: string, readOn: string): CaseFacts => ({
      ...belgiumToAlbania,
      basis: 'ETS167_ART3',
      receivingState: 'NL',
      inmate: { nationalities: ['NL'], livesIn: 'BE', residenceWhenArrested: 'BE', expulsionOrder: { toState: 'NL' } },
      consent: undefined,
      requestReceivedOn: readOn,
      lawOn: requestedOn,
    });
    // Both parties to ETS 167 only from 2005-09-01 (BE) and 2002-10-01 (NL): a declaration dated later, moved for the test.
    const declarationMoved = LEGAL_BASES.map((b) =>
      b.id === 'ETS167_ART3' ? { ...b, declarations: b.declarations.map((d) => (d.state === 'BE' ? { ...d, since: '2010-01-01' } : d)) } : b,
    );
    expect(checkConsent(residentWhenArrested('2009-06-01', '2010-03-01'), declarationMoved)).toMatchObject({ outcome: 'met' });
    expect(checkConsent(residentWhenArrested('2010-02-01', '2010-03-01'), declarationMoved)).toMatchObject({ outcome: 'needs-decision', code: 'CONSENT_REQUIRED' });
  });

  it('NO–NL Norgerhaven agreement 2015 (in force until 31 August 2018): a request of August 2018 stands, but no placement is decided after the term', () => {
    expect(checkLeaseTerm('LEASE_NO_NL_2015', '2018-08-31')).toMatchObject({ outcome: 'met' });
    const after = checkLeaseTerm('LEASE_NO_NL_2015', '2018-09-03');
    expect(after).toMatchObject({ outcome: 'not-met', code: 'LEGAL_BASIS_NOT_IN_FORCE' });
    expect(after.reason).toContain('until 2018-08-31');
    expect(checkLeaseTerm('ETS112', '2018-09-03')).toMatchObject({ outcome: 'met' });
  });

  it('withPartySince changes one party of one basis and leaves the rest of the catalogue as it was', () => {
    const amended = withPartySince(LEGAL_BASES, 'ETS112', 'AL', '2030-01-01');
    expect(isPartyOn(getLegalBasis('ETS112', amended), 'AL', '2029-12-31')).toBe(false);
    expect(isPartyOn(getLegalBasis('ETS112', amended), 'AL', '2030-01-01')).toBe(true);
    expect(isPartyOn(getLegalBasis('ETS112'), 'AL', '2029-12-31')).toBe(true);
    expect(getLegalBasis('ETS112', amended).parties).toHaveLength(getLegalBasis('ETS112').parties.length);
    expect(amended.filter((b) => b.id !== 'ETS112')).toEqual(LEGAL_BASES.filter((b) => b.id !== 'ETS112'));
  });
});

describe('Law in force by date, properties (2008/909 Art 28(1); each party\'s entry into force)', () => {
  it('a ratification entering into force after the day of the request changes no verdict of the case, whichever later day its facts are read on', () => {
    fc.assert(
      fc.property(
        caseFacts(),
        fc.constantFrom(...BASES),
        fc.constantFrom(...STATES),
        fc.integer({ min: 1, max: 4_000 }),
        fc.integer({ min: 0, max: 2_000 }),
        (facts, basisId, state, after, readLater) => {
          const lawOn = facts.requestReceivedOn;
          const since = addDays(lawOn, after);
          const basis = getLegalBasis(basisId);
          // Only a state not bound on the day of the request: its new date lies after that day.
          fc.pre(!isPartyOn(basis, state, lawOn) && !basis.lease);
          const amended = withPartySince(LEGAL_BASES, basisId, state, since);
          const read = { ...facts, lawOn, requestReceivedOn: addDays(lawOn, readLater) };
          expect(evaluateCase(read, amended)).toEqual(evaluateCase(read));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a case requested on or after the new date is evaluated under it: the state counts as a party', () => {
    fc.assert(
      fc.property(caseFacts(['ETS112', 'ETS167_ART2', 'ETS167_ART3']), fc.integer({ min: 0, max: 2_000 }), (facts, before) => {
        fc.pre(facts.sendingState !== facts.receivingState);
        const since = addDays(facts.requestReceivedOn, -before);
        let amended = withPartySince(LEGAL_BASES, facts.basis, facts.sendingState, since);
        amended = withPartySince(amended, facts.basis, facts.receivingState, since);
        const verdict = checkLegalBasis(facts, amended);
        // Both are parties from `since`, on or before the request: no verdict names either as an outsider.
        expect(verdict.code).not.toBe('LEGAL_BASIS_NOT_APPLICABLE');
      }),
      { numRuns: 200 },
    );
  });
});
