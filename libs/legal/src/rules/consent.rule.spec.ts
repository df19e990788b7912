import fc from 'fast-check';
import { belgiumToAlbania, belgiumToNetherlands, denmarkToKosovo, withInmate } from '../cases.fixture';
import type { CaseFacts } from '../case-facts';
import { getLegalBasis } from '../catalogue/lookup';
import { BASES, caseFacts } from '../properties.fixtures';
import { checkConsent, checkOpinion, consentRequirement } from './consent.rule';

// Belgium → Norway under ETS 167 Art 3: both parties; a Norwegian national with an expulsion order.
const belgiumToNorwayWithExpulsion: CaseFacts = withInmate(
  { ...belgiumToAlbania, basis: 'ETS167_ART3', receivingState: 'NO', consent: undefined },
  { nationalities: ['NO'], expulsionOrder: { toState: 'NO' } },
);

describe('rule 5: consent is required unless an exception applies (ETS 112 Art 3(1)(d); 2008/909 Art 6(1)–(2); ETS 167 Art 2(3), 3(1))', () => {
  describe('2008/909 Art 6(2)', () => {
    const noConsentAsked = { ...belgiumToNetherlands, consent: undefined };
    it.each([
      ['(a) national living in the receiving state', { livesIn: 'NL', expulsionOrder: undefined }, 'national-living-in-receiving-state', '2008/909 Art 6(2)(a)'],
      ['(b) national to be deported there', { livesIn: 'BE', expulsionOrder: { toState: 'NL' } }, 'national-to-be-deported-to-receiving-state', '2008/909 Art 6(2)(b)'],
      ['(c) fled to the receiving state', { livesIn: 'BE', expulsionOrder: undefined, fledTo: 'NL' }, 'fled-to-receiving-state', '2008/909 Art 6(2)(c)'],
    ] as const)('%s: not required', (_case, inmate, ground, cites) => {
      expect(consentRequirement(withInmate(noConsentAsked, inmate))).toMatchObject({ status: 'not-required', ground, cites });
      expect(checkConsent(withInmate(noConsentAsked, inmate)).outcome).toBe('met');
    });

    it('a Dutch national living in Belgium, not deported: required, ask the inmate', () => {
      const verdict = checkConsent(withInmate(noConsentAsked, { expulsionOrder: undefined }));
      expect(verdict).toEqual({
        rule: 'CONSENT',
        outcome: 'needs-decision',
        code: 'CONSENT_REQUIRED',
        reason: "2008/909 Art 6(1): the inmate's consent is required. Ask the inmate and record the answer.",
      });
    });
  });

  describe('ETS 112 Art 3(1)(d): always required', () => {
    it.each([
      ['given', 'met', undefined],
      ['refused', 'not-met', 'CONSENT_REFUSED'],
      [undefined, 'needs-decision', 'CONSENT_REQUIRED'],
    ] as const)('consent %s → %s', (consent, outcome, code) => {
      const verdict = checkConsent(withInmate({ ...belgiumToAlbania, consent }, { expulsionOrder: { toState: 'AL' } }));
      expect(verdict.outcome).toBe(outcome);
      expect(verdict.code).toBe(code);
    });
  });

  describe('ETS 167 Art 2: fled to the state of nationality', () => {
    const fled = withInmate({ ...belgiumToNorwayWithExpulsion, basis: 'ETS167_ART2' }, { expulsionOrder: undefined, fledTo: 'NO' });
    it('not required when the inmate fled to the state of nationality', () => {
      expect(consentRequirement(fled)).toMatchObject({ status: 'not-required', cites: 'ETS 167 Art 2(3)' });
    });
    it('required when the inmate fled elsewhere', () => {
      expect(consentRequirement(withInmate(fled, { fledTo: 'SE' })).status).toBe('required');
    });
  });

  describe('ETS 167 Art 3: expulsion order, and Belgium\'s declaration', () => {
    it.each([
      ['habitually resident in the Netherlands when arrested', 'NL', 'not-required'],
      ['habitually resident in Belgium when arrested', 'BE', 'required'],
      ['residence when arrested not recorded', undefined, 'undetermined'],
    ] as const)('%s → %s', (_case, residenceWhenArrested, status) => {
      expect(consentRequirement(withInmate(belgiumToNorwayWithExpulsion, { residenceWhenArrested })).status).toBe(status);
    });

    it('explains that the declaration, not the Protocol, keeps consent required', () => {
      const verdict = checkConsent(withInmate(belgiumToNorwayWithExpulsion, { residenceWhenArrested: 'BE' }));
      expect(verdict).toMatchObject({ outcome: 'needs-decision', code: 'CONSENT_REQUIRED' });
      expect(verdict.reason).toBe(
        "ETS 112 Art 3(1)(d): the inmate's consent is required; ETS 167 Art 3(1) would waive it (the sentence carries an expulsion or deportation order), but Belgium's declaration on ratification of ETS 167 (26 May 2005) excludes that here. Ask the inmate and record the answer.",
      );
    });

    it('asks for the missing fact when the declaration may apply', () => {
      expect(checkConsent(belgiumToNorwayWithExpulsion).reason).toMatch(/record where the inmate habitually lived when arrested/);
    });

    it('Belgium\'s declaration does not touch transfers between other states', () => {
      const fromNorway = { ...belgiumToNorwayWithExpulsion, sendingState: 'NO', receivingState: 'SE' };
      const swede = withInmate(fromNorway, { nationalities: ['SE'], residenceWhenArrested: 'BE', expulsionOrder: { toState: 'SE' } });
      expect(consentRequirement(swede).status).toBe('not-required');
    });

    it('Ireland\'s declaration excludes Art 3 whatever the inmate\'s residence', () => {
      const toIreland = withInmate({ ...belgiumToNorwayWithExpulsion, sendingState: 'NO', receivingState: 'IE' }, { nationalities: ['IE'], residenceWhenArrested: 'NO' });
      expect(consentRequirement(toIreland).status).toBe('required');
    });

    it('no expulsion order: consent required', () => {
      expect(consentRequirement(withInmate(belgiumToNorwayWithExpulsion, { expulsionOrder: undefined })).status).toBe('required');
    });
  });

  describe('leases (DK–XK lease treaty 2022: placement decided by the Danish authorities)', () => {
    it('the DK–XK lease requires no consent', () => {
      expect(consentRequirement(denmarkToKosovo)).toMatchObject({ status: 'not-required', cites: expect.stringMatching(/^DK–XK lease treaty 2022/) });
      expect(checkConsent({ ...denmarkToKosovo, consent: 'refused' }).outcome).toBe('met');
    });
  });
});

describe('the inmate\'s opinion is always recorded (ETS 112 Art 7(1); 2008/909 Art 6(3)–(4); the project\'s rule 5 under a lease)', () => {
  it.each([
    ['ETS 112', belgiumToAlbania],
    ['2008/909', belgiumToNetherlands],
    ['the DK–XK lease', denmarkToKosovo],
  ])('%s: recorded → met, not recorded → needs a decision', (_basis, facts) => {
    expect(checkOpinion({ ...facts, isOpinionRecorded: true }).outcome).toBe('met');
    expect(checkOpinion({ ...facts, isOpinionRecorded: false })).toMatchObject({ outcome: 'needs-decision', code: 'OPINION_NOT_RECORDED' });
  });

  it('cites the duty to notify in a language the inmate understands (2008/909)', () => {
    expect(checkOpinion({ ...belgiumToNetherlands, isOpinionRecorded: false }).reason).toMatch(/^2008\/909 Art 6\(3\) .*Art 6\(4\)/);
  });
});

describe('rule 5 properties (ETS 112 Art 3(1)(d); 2008/909 Art 6(1)–(2); ETS 167 Art 2(3), 3(1); Belgium\'s ETS 167 declaration)', () => {
  it('ETS 112 Art 3(1)(d), which has no exception: met exactly when the inmate consented; a refusal is CONSENT_REFUSED, no answer CONSENT_REQUIRED', () => {
    fc.assert(
      fc.property(caseFacts(['ETS112']), (facts) => {
        const expected = { given: { outcome: 'met' }, refused: { outcome: 'not-met', code: 'CONSENT_REFUSED' } } as const;
        expect(checkConsent(facts)).toMatchObject(facts.consent ? expected[facts.consent] : { outcome: 'needs-decision', code: 'CONSENT_REQUIRED' });
      }),
      { numRuns: 1_000 },
    );
  });

  it('2008/909 Art 6(2): consent is waived exactly when a national lives in (a) or will be deported to (b) the receiving state, or the inmate fled there (c)', () => {
    fc.assert(
      fc.property(caseFacts(['FD2008_909']), (facts) => {
        const { nationalities, livesIn, expulsionOrder, fledTo } = facts.inmate;
        const r = facts.receivingState;
        const isNational = nationalities.includes(r);
        const waived = (isNational && livesIn === r) || (isNational && expulsionOrder?.toState === r) || fledTo === r;
        const requirement = consentRequirement(facts);
        expect(requirement.status).toBe(waived ? 'not-required' : 'required');
        if (waived) expect(requirement.cites).toMatch(/^2008\/909 Art 6\(2\)\([abc]\)$/);
      }),
      { numRuns: 2_000 },
    );
  });

  it('ETS 167 Art 3(1) with Belgium\'s declaration of 26 May 2005: a person sent from Belgium who lived in Belgium when arrested is never moved without consent, whatever the expulsion order', () => {
    fc.assert(
      fc.property(caseFacts(['ETS167_ART3']), (facts) => {
        const fromBelgium = { ...facts, sendingState: 'BE', requestReceivedOn: facts.requestReceivedOn < '2005-09-01' ? '2005-09-01' : facts.requestReceivedOn };
        const lived = { ...fromBelgium, inmate: { ...fromBelgium.inmate, residenceWhenArrested: 'BE' } };
        expect(consentRequirement(lived).status).toBe('required');
      }),
      { numRuns: 1_000 },
    );
  });

  it('every basis: consent given is met, and a refusal is met only where the basis waives consent (ETS 112 Art 3(1)(d); 2008/909 Art 6(1); the lease treaties)', () => {
    fc.assert(
      fc.property(caseFacts(BASES), (facts) => {
        expect(checkConsent({ ...facts, consent: 'given' }).outcome).toBe('met');
        const refused = checkConsent({ ...facts, consent: 'refused' });
        if (refused.outcome === 'met') expect(consentRequirement(facts).status).toBe('not-required');
        expect(refused.reason.startsWith(`${consentRequirement(facts).cites}:`)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('every basis: the opinion is met exactly when it is recorded, citing the basis\'s own provision (ETS 112 Art 7(1); 2008/909 Art 6(3))', () => {
    fc.assert(
      fc.property(caseFacts(BASES), (facts) => {
        const verdict = checkOpinion(facts);
        expect(verdict).toMatchObject(facts.isOpinionRecorded ? { outcome: 'met' } : { outcome: 'needs-decision', code: 'OPINION_NOT_RECORDED' });
        expect(verdict.reason.startsWith(`${getLegalBasis(facts.basis).consent.opinionCites}:`)).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });
});
