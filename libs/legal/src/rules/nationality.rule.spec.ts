import fc from 'fast-check';
import { belgiumToAlbania, belgiumToNetherlands, denmarkToKosovo, withInmate } from '../cases.fixture';
import { caseFacts, ETS112_TIME_LEFT_BASES } from '../properties.fixtures';
import { checkNationality } from './nationality.rule';

describe('rule 4: nationality (ETS 112 Art 3(1)(a); 2008/909 Art 4(1))', () => {
  describe('ETS 112 Art 3(1)(a): a national of the receiving (administering) state', () => {
    it.each([
      ['Albanian', ['AL'], 'met', undefined],
      ['Albanian and Italian', ['IT', 'AL'], 'met', undefined],
      ['Kosovar', ['XK'], 'not-met', 'NATIONALITY_REQUIREMENT_NOT_MET'],
      ['stateless', [], 'not-met', 'NATIONALITY_REQUIREMENT_NOT_MET'],
    ])('%s inmate to Albania → %s', (_who, nationalities, outcome, code) => {
      const verdict = checkNationality(withInmate(belgiumToAlbania, { nationalities }));
      expect(verdict).toMatchObject({ rule: 'NATIONALITY', outcome });
      expect(verdict.code).toBe(code);
    });

    it('names the nationality it found', () => {
      expect(checkNationality(withInmate(belgiumToAlbania, { nationalities: ['XK'] })).reason).toBe(
        "ETS 112 Art 3(1)(a): the receiving state must be a state of nationality, and AL is not (the inmate's nationality: XK).",
      );
    });
  });

  describe('2008/909 Art 4(1): nationality and residence, deportation, or the receiving state\'s agreement', () => {
    it.each([
      ['(a) Dutch, lives in NL', { nationalities: ['NL'], livesIn: 'NL', expulsionOrder: undefined }, undefined, 'met', undefined, /Art 4\(1\)\(a\)/],
      ['(b) Dutch, deported to NL', { nationalities: ['NL'], livesIn: 'BE', expulsionOrder: { toState: 'NL' } }, undefined, 'met', undefined, /Art 4\(1\)\(b\)/],
      ['Dutch, lives in BE, not deported', { nationalities: ['NL'], livesIn: 'BE', expulsionOrder: undefined }, undefined, 'needs-decision', 'NATIONALITY_NEEDS_RECEIVING_STATE_AGREEMENT', /Art 4\(1\)\(c\): NL is neither/],
      ['(c) German living in NL, NL agrees', { nationalities: ['DE'], livesIn: 'NL', expulsionOrder: undefined }, 'agreed', 'met', undefined, /Art 4\(1\)\(c\): NL has agreed/],
      ['German living in NL, NL refuses', { nationalities: ['DE'], livesIn: 'NL', expulsionOrder: undefined }, 'refused', 'not-met', 'NATIONALITY_REQUIREMENT_NOT_MET', /refused/],
    ] as const)('%s → %s', (_case, inmate, agreement, outcome, code, reason) => {
      const facts = { ...withInmate(belgiumToNetherlands, inmate), receivingStateAgreement: agreement };
      const verdict = checkNationality(facts);
      expect(verdict).toMatchObject({ outcome });
      expect(verdict.code).toBe(code);
      expect(verdict.reason).toMatch(reason);
    });
  });

  it('a lease has no nationality condition of its own; its eligibility does', () => {
    expect(checkNationality(denmarkToKosovo).reason).toBe('DK–XK lease treaty 2022 sets no nationality condition of its own; see lease eligibility.');
  });
});

describe('rule 4 properties (ETS 112 Art 3(1)(a); 2008/909 Art 4(1))', () => {
  it('ETS 112 Art 3(1)(a) (also under ETS 167 and the BE–AL agreement): met exactly when the inmate is a national of the receiving state, whatever else is known', () => {
    fc.assert(
      fc.property(caseFacts(ETS112_TIME_LEFT_BASES), (facts) => {
        const isNational = facts.inmate.nationalities.includes(facts.receivingState);
        expect(checkNationality(facts)).toMatchObject(isNational ? { outcome: 'met' } : { outcome: 'not-met', code: 'NATIONALITY_REQUIREMENT_NOT_MET' });
      }),
      { numRuns: 1_000 },
    );
  });

  it('2008/909 Art 4(1): a national living in (a) or to be deported to (b) the receiving state is met whatever that state answered; otherwise (c) met only on its agreement and not met only on its refusal', () => {
    fc.assert(
      fc.property(caseFacts(['FD2008_909']), (facts) => {
        const { nationalities, livesIn, expulsionOrder } = facts.inmate;
        const receiving = facts.receivingState;
        const verdict = checkNationality(facts);
        if (nationalities.includes(receiving) && (livesIn === receiving || expulsionOrder?.toState === receiving)) {
          expect(verdict.outcome).toBe('met');
          return;
        }
        const expected = { agreed: { outcome: 'met' }, refused: { outcome: 'not-met', code: 'NATIONALITY_REQUIREMENT_NOT_MET' } } as const;
        expect(verdict).toMatchObject(facts.receivingStateAgreement ? expected[facts.receivingStateAgreement] : { outcome: 'needs-decision', code: 'NATIONALITY_NEEDS_RECEIVING_STATE_AGREEMENT' });
        expect(verdict.reason).toMatch(/^2008\/909 Art 4\(1\)/);
      }),
      { numRuns: 1_000 },
    );
  });
});
