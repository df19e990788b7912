import fc from 'fast-check';
import { LEGAL_BASES } from '../catalogue/catalogue';
import { agreementClauses, agreementOfBothStates, type CaseSide, type StatesAnswers } from './states-agreement';

describe('Rule 3: clauses on which both states may agree', () => {
  it('ETS 112 Art 3(2): a transfer with less than the minimum time left, for ETS 112, ETS 167 and the BE–AL agreement', () => {
    expect(agreementClauses('ETS112')).toEqual([{ clause: 'time-left-below-minimum', cites: 'ETS 112 Art 3(2)' }]);
    expect(agreementClauses('ETS167_ART3').map((c) => c.clause)).toEqual(['time-left-below-minimum']);
    expect(agreementClauses('BILATERAL_BE_AL_2010').map((c) => c.clause)).toEqual(['time-left-below-minimum']);
  });

  it('2008/909 (an optional refusal ground, Art 9(1)(h)) and the leases have none', () => {
    expect(agreementClauses('FD2008_909')).toEqual([]);
    expect(agreementClauses('LEASE_DK_XK_2022')).toEqual([]);
  });

  it.each([
    [{}, undefined],
    [{ sending: 'agreed' as const }, undefined],
    [{ receiving: 'agreed' as const }, undefined],
    [{ sending: 'agreed' as const, receiving: 'agreed' as const }, 'agreed'],
    [{ sending: 'agreed' as const, receiving: 'refused' as const }, 'refused'],
    [{ sending: 'refused' as const }, 'refused'],
  ])('ETS 112 Art 3(2): answers %j make %s (agreed only when both agreed)', (answers, both) => {
    expect(agreementOfBothStates(answers)).toBe(both);
  });
});

describe('Rule 3 properties: both states\' agreement (ETS 112 Art 3(2))', () => {
  it.each(LEGAL_BASES.map((b) => [b.id, b]))('ETS 112 Art 3(2): %s offers the clause exactly when its time-left terms bar less than the minimum unless both states agree, citing that provision', (_id, basis) => {
    const expected = basis.timeLeft?.belowMinimum === 'barred-unless-both-states-agree' ? [{ clause: 'time-left-below-minimum', cites: basis.timeLeft.belowMinimumCites }] : [];
    expect(agreementClauses(basis.id)).toEqual(expected);
  });

  it('ETS 112 Art 3(2): whatever the order of the answers and however often a state changes its own, the states agree exactly when each one\'s latest answer is "agreed", and not at all once either\'s latest is a refusal', () => {
    const answers = fc.array(fc.record({ side: fc.constantFrom<CaseSide>('sending', 'receiving'), answer: fc.constantFrom('agreed' as const, 'refused' as const) }), { maxLength: 12 });
    fc.assert(
      fc.property(answers, (recorded) => {
        const latest: StatesAnswers = {};
        for (const { side, answer } of recorded) latest[side] = answer;
        const both = agreementOfBothStates(latest);
        const last = (side: CaseSide) => recorded.filter((r) => r.side === side).at(-1)?.answer;
        if (last('sending') === 'refused' || last('receiving') === 'refused') expect(both).toBe('refused');
        else expect(both).toBe(last('sending') === 'agreed' && last('receiving') === 'agreed' ? 'agreed' : undefined);
        // Two-sided: neither state\'s answer counts for more than the other\'s.
        expect(agreementOfBothStates({ sending: latest.receiving, receiving: latest.sending })).toBe(both);
      }),
      { numRuns: 1_000 },
    );
  });
});
