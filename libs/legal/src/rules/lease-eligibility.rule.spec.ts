import { belgiumToAlbania, denmarkToKosovo, withInmate, withSentence } from '../cases.fixture';
import { checkLeaseEligibility } from './lease-eligibility.rule';

describe('rule 9: eligibility for the Denmark–Kosovo lease (Gjilan)', () => {
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
