import { belgiumToAlbania, belgiumToNetherlands, denmarkToKosovo, withInmate } from '../cases.fixture';
import type { CaseFacts } from '../case-facts';
import { checkConsent, checkOpinion, consentRequirement } from './consent.rule';

// Belgium → Norway under ETS 167 Art 3: both parties; a Norwegian national with an expulsion order.
const belgiumToNorwayWithExpulsion: CaseFacts = withInmate(
  { ...belgiumToAlbania, basis: 'ETS167_ART3', receivingState: 'NO', consent: undefined },
  { nationalities: ['NO'], expulsionOrder: { toState: 'NO' } },
);

describe('rule 5: consent is required unless an exception applies', () => {
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

  describe('ETS 112: always required', () => {
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

  describe('leases', () => {
    it('the DK–XK lease requires no consent', () => {
      expect(consentRequirement(denmarkToKosovo)).toMatchObject({ status: 'not-required', cites: expect.stringMatching(/^DK–XK lease treaty 2022/) });
      expect(checkConsent({ ...denmarkToKosovo, consent: 'refused' }).outcome).toBe('met');
    });
  });
});

describe('the inmate\'s opinion is always recorded', () => {
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
