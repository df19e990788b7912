import fc from 'fast-check';
import { belgiumToAlbania, denmarkToKosovo, withInmate, withSentence } from '../cases.fixture';
import type { CaseFacts } from '../case-facts';
import { caseFacts, ENFORCEMENT_BASES } from '../properties.fixtures';
import { EU_MEMBER_STATES } from '../states';
import { checkLeaseEligibility } from './lease-eligibility.rule';

describe('rule 9: eligibility for the Denmark–Kosovo lease (Gjilan) (DK–XK lease treaty 2022, as both governments stated it)', () => {
  it('a Moroccan national with an expulsion order, no exclusion: eligible', () => {
    expect(checkLeaseEligibility(denmarkToKosovo)).toEqual({
      rule: 'LEASE_ELIGIBILITY',
      outcome: 'met',
      reason: 'DK–XK lease treaty 2022: for Gjilan prison, the inmate meets every condition (nationality MA, expulsion order; no excluded offence, condition or life sentence).',
    });
  });

  it.each([
    ['no expulsion order', withInmate(denmarkToKosovo, { expulsionOrder: undefined }), 'has no expulsion order'],
    ['a Danish national', withInmate(denmarkToKosovo, { nationalities: ['DK'] }), 'excluded (DK): not a third-country national'],
    ['a Polish national (EU citizen)', withInmate(denmarkToKosovo, { nationalities: ['PL'] }), 'excluded (PL)'],
    ['a dual Moroccan–French national', withInmate(denmarkToKosovo, { nationalities: ['MA', 'FR'] }), 'excluded (FR)'],
    ['terrorism', withSentence(denmarkToKosovo, { offences: ['terrorism'] }), 'excluded offence (terrorism)'],
    ['war crimes', withSentence(denmarkToKosovo, { offences: ['violent', 'war-crimes'] }), 'excluded offence (war-crimes)'],
    ['serious mental illness', withInmate(denmarkToKosovo, { healthConditions: ['serious-mental-illness'] }), 'excluded health condition (serious-mental-illness)'],
    ['terminal illness', withInmate(denmarkToKosovo, { healthConditions: ['terminal-illness'] }), 'excluded health condition (terminal-illness)'],
    ['a life sentence', withSentence(denmarkToKosovo, { length: { kind: 'life' } }), 'serving a life sentence'],
  ])('%s: not eligible', (_case, facts, why) => {
    const verdict = checkLeaseEligibility(facts);
    expect(verdict).toMatchObject({ outcome: 'not-met', code: 'LEASE_NOT_ELIGIBLE' });
    expect(verdict.reason).toContain(why);
  });

  it('names every failing condition at once', () => {
    const facts = withSentence(withInmate(denmarkToKosovo, { expulsionOrder: undefined, healthConditions: ['terminal-illness'] }), { offences: ['terrorism'] });
    expect(checkLeaseEligibility(facts).reason).toBe(
      'DK–XK lease treaty 2022: for Gjilan prison, the inmate has no expulsion order; is convicted of an excluded offence (terrorism); has an excluded health condition (terminal-illness).',
    );
  });

  it.each([
    ['no health assessment recorded', withInmate(denmarkToKosovo, { healthConditions: undefined }), /no health assessment is recorded/],
    ['a Kosovo national', withInmate(denmarkToKosovo, { nationalities: ['XK'] }), /whether nationals of XK may be placed/],
    ['a Norwegian national (EEA)', withInmate(denmarkToKosovo, { nationalities: ['NO'] }), /whether nationals of NO may be placed/],
  ])('%s: needs a decision', (_case, facts, why) => {
    const verdict = checkLeaseEligibility(facts);
    expect(verdict).toMatchObject({ outcome: 'needs-decision', code: 'LEASE_ELIGIBILITY_UNDETERMINED' });
    expect(verdict.reason).toMatch(why);
  });

  it('a stateless person with an expulsion order is a third-country national', () => {
    expect(checkLeaseEligibility(withInmate(denmarkToKosovo, { nationalities: [] })).outcome).toBe('met');
  });

  it('does not apply to a transfer of enforcement', () => {
    expect(checkLeaseEligibility(belgiumToAlbania).outcome).toBe('met');
  });
});

describe('rule 9 properties (DK–XK lease treaty 2022, as both governments stated it)', () => {
  const exclusions: Array<[string, (facts: CaseFacts) => CaseFacts]> = [
    ['an EU nationality', (f) => withInmate(f, { nationalities: [...f.inmate.nationalities, 'FR'] })],
    ['no expulsion order', (f) => withInmate(f, { expulsionOrder: undefined })],
    ['a terrorism conviction', (f) => withSentence(f, { offences: [...f.sentence.offences, 'terrorism'] })],
    ['a war-crimes conviction', (f) => withSentence(f, { offences: [...f.sentence.offences, 'war-crimes'] })],
    ['a serious mental illness', (f) => withInmate(f, { healthConditions: ['serious-mental-illness'] })],
    ['a terminal illness', (f) => withInmate(f, { healthConditions: ['terminal-illness'] })],
    ['a life sentence', (f) => withSentence(f, { length: { kind: 'life' } })],
  ];
  const leaseCases = caseFacts(['LEASE_DK_XK_2022']);

  it('DK–XK lease treaty 2022: an eligible person is a third-country national with an expulsion order, convicted of no terrorism or war crime, assessed without serious mental or terminal illness, not serving life', () => {
    let eligible = 0;
    fc.assert(
      fc.property(leaseCases, ({ inmate, sentence, ...rest }) => {
        if (checkLeaseEligibility({ ...rest, inmate, sentence }).outcome !== 'met') return;
        eligible++;
        expect(inmate.nationalities.some((s) => EU_MEMBER_STATES.includes(s))).toBe(false);
        expect(inmate.expulsionOrder).toBeDefined();
        expect(sentence.offences).not.toEqual(expect.arrayContaining(['terrorism']));
        expect(sentence.offences).not.toEqual(expect.arrayContaining(['war-crimes']));
        expect(inmate.healthConditions).toEqual([]);
        expect(sentence.length.kind).not.toBe('life');
      }),
      { numRuns: 3_000 },
    );
    expect(eligible).toBeGreaterThan(0);
  });

  it.each(exclusions)('DK–XK lease treaty 2022: adding %s to any person makes them not eligible (LEASE_NOT_ELIGIBLE)', (_what, exclude) => {
    fc.assert(
      fc.property(leaseCases, (facts) => {
        expect(checkLeaseEligibility(exclude(facts))).toMatchObject({ outcome: 'not-met', code: 'LEASE_NOT_ELIGIBLE' });
      }),
      { numRuns: 500 },
    );
  });

  it('a transfer of enforcement is never judged on a lease\'s terms (its own rules 1–5 apply)', () => {
    fc.assert(fc.property(caseFacts(ENFORCEMENT_BASES), (facts) => expect(checkLeaseEligibility(facts).outcome).toBe('met')), { numRuns: 500 });
  });
});
