import { agreementClauses, agreementOfBothStates } from './states-agreement';

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
