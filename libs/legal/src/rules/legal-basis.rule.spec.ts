import { belgiumToAlbania } from '../cases.fixture';
import { checkLegalBasis } from './legal-basis.rule';

const on = '2025-03-03';

describe('rule 1: the legal basis fits the pair of states', () => {
  it.each([
    ['FD2008_909', 'BE', 'NL', 'met', undefined],
    ['FD2008_909', 'BE', 'AL', 'not-met', 'LEGAL_BASIS_NOT_APPLICABLE'],
    ['FD2008_909', 'NO', 'NL', 'not-met', 'LEGAL_BASIS_NOT_APPLICABLE'],
    ['ETS112', 'BE', 'AL', 'met', undefined],
    ['ETS112', 'NO', 'NL', 'met', undefined],
    ['ETS112', 'BE', 'XK', 'not-met', 'LEGAL_BASIS_NOT_APPLICABLE'],
    ['ETS112', 'BE', 'NL', 'not-met', 'LEGAL_BASIS_REPLACED'],
    ['ETS167_ART3', 'BE', 'AL', 'not-met', 'LEGAL_BASIS_NOT_APPLICABLE'],
    ['ETS167_ART3', 'NO', 'CH', 'met', undefined],
    ['BILATERAL_BE_AL_2010', 'BE', 'AL', 'met', undefined],
    ['BILATERAL_BE_AL_2010', 'AL', 'BE', 'met', undefined],
    ['BILATERAL_BE_AL_2010', 'BE', 'XK', 'not-met', 'LEGAL_BASIS_NOT_APPLICABLE'],
    ['LEASE_DK_XK_2022', 'DK', 'XK', 'met', undefined],
    ['LEASE_DK_XK_2022', 'XK', 'DK', 'not-met', 'LEGAL_BASIS_NOT_APPLICABLE'],
    ['LEASE_DK_XK_2022', 'BE', 'XK', 'not-met', 'LEGAL_BASIS_NOT_APPLICABLE'],
    ['LEASE_NO_NL_2015', 'NO', 'NL', 'not-met', 'LEGAL_BASIS_NOT_IN_FORCE'],
    ['ETS112', 'BE', 'BE', 'not-met', 'LEGAL_BASIS_NOT_APPLICABLE'],
    ['UNKNOWN', 'BE', 'AL', 'not-met', 'LEGAL_BASIS_UNKNOWN'],
  ])('%s from %s to %s → %s %s', (basis, sendingState, receivingState, outcome, code) => {
    const verdict = checkLegalBasis({ basis, sendingState, receivingState, requestReceivedOn: on });
    expect(verdict).toMatchObject({ rule: 'LEGAL_BASIS', outcome });
    expect(verdict.code).toBe(code);
  });

  it('Kosovo is not a party to ETS 112, and no basis in the catalogue carries Belgium → Kosovo', () => {
    expect(checkLegalBasis({ ...belgiumToAlbania, receivingState: 'XK' }).reason).toBe(
      'ETS 112: XK is not a party on 2025-03-03, so it cannot carry a transfer from BE to XK. Bases in the catalogue that fit BE → XK on 2025-03-03: none.',
    );
  });

  it('Albania is not a party to ETS 167, and the reason points at ETS 112 and the bilateral agreement', () => {
    expect(checkLegalBasis({ ...belgiumToAlbania, basis: 'ETS167_ART3' }).reason).toBe(
      'ETS 167 Art 3: AL is not a party on 2025-03-03, so it cannot carry a transfer from BE to AL. Bases in the catalogue that fit BE → AL on 2025-03-03: ETS112, BILATERAL_BE_AL_2010.',
    );
  });

  it('the bilateral agreement applies only from its entry into force on 1 December 2013', () => {
    const before = checkLegalBasis({ ...belgiumToAlbania, basis: 'BILATERAL_BE_AL_2010', requestReceivedOn: '2013-11-30' });
    expect(before).toMatchObject({ outcome: 'not-met', code: 'LEGAL_BASIS_NOT_IN_FORCE' });
    expect(checkLegalBasis({ ...belgiumToAlbania, basis: 'BILATERAL_BE_AL_2010', requestReceivedOn: '2013-12-01' }).outcome).toBe('met');
  });

  it('the Norgerhaven lease held between 2015 and 2018', () => {
    const facts = { basis: 'LEASE_NO_NL_2015', sendingState: 'NO', receivingState: 'NL' };
    expect(checkLegalBasis({ ...facts, requestReceivedOn: '2016-04-01' }).outcome).toBe('met');
    expect(checkLegalBasis({ ...facts, requestReceivedOn: '2018-09-01' }).reason).toBe(
      'NO–NL Norgerhaven agreement 2015 applies from 2015-09-01 until 2018-08-31; the request of 2018-09-01 falls outside that period. Bases in the catalogue that fit NO → NL on 2018-09-01: ETS112, ETS167_ART2, ETS167_ART3.',
    );
  });
});
