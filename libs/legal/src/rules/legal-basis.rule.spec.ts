import fc from 'fast-check';
import { belgiumToAlbania } from '../cases.fixture';
import { findLegalBasis } from '../catalogue/lookup';
import { BASES, day, state } from '../properties.fixtures';
import { EU_MEMBER_STATES } from '../states';
import { checkLegalBasis } from './legal-basis.rule';

const on = '2025-03-03';

describe('rule 1: the legal basis fits the pair of states (each instrument\'s parties and entry into force; 2008/909 Art 26(1))', () => {
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

describe('rule 1 properties (each instrument\'s parties and entry into force, parties.ts; 2008/909 Art 26(1))', () => {
  const anyPair = fc.record({ basis: fc.constantFrom(...BASES, 'ETS_999'), sendingState: state, receivingState: state, requestReceivedOn: day });
  const isEu = (s: string) => EU_MEMBER_STATES.includes(s);

  it('parties and entry into force: a basis is met only between two different states, each bound by it on the day (a lease: its tenant to its host), while it is in force', () => {
    let met = 0;
    fc.assert(
      fc.property(anyPair, (facts) => {
        const verdict = checkLegalBasis(facts);
        expect(verdict.outcome).not.toBe('needs-decision');
        const basis = findLegalBasis(facts.basis);
        if (!basis || verdict.outcome !== 'met') {
          expect(verdict.code).toEqual(basis ? expect.stringMatching(/^LEGAL_BASIS_(NOT_APPLICABLE|NOT_IN_FORCE|REPLACED)$/) : 'LEGAL_BASIS_UNKNOWN');
          return;
        }
        const on = facts.requestReceivedOn;
        expect(facts.sendingState).not.toBe(facts.receivingState);
        expect(basis.inForce.from === undefined || basis.inForce.from <= on).toBe(true);
        expect(basis.inForce.until === undefined || on <= basis.inForce.until).toBe(true);
        met++;
        if (basis.lease) {
          expect([facts.sendingState, facts.receivingState]).toEqual([basis.lease.tenantState, basis.lease.hostState]);
          return;
        }
        for (const s of [facts.sendingState, facts.receivingState]) {
          const party = basis.parties.find((p) => p.state === s);
          expect(party && (party.since === undefined || party.since <= on)).toBeTruthy();
        }
      }),
      { numRuns: 3_000 },
    );
    expect(met).toBeGreaterThan(0);
  });

  it('2008/909 Art 26(1): between two EU member states from 5 December 2011, ETS 112 and ETS 167 are never met (2008/909 replaces them), and 2008/909 is met only between EU member states', () => {
    fc.assert(
      fc.property(anyPair, (facts) => {
        const verdict = checkLegalBasis(facts);
        const { sendingState: s, receivingState: r, requestReceivedOn: on } = facts;
        if (facts.basis.startsWith('ETS') && isEu(s) && isEu(r) && on >= '2011-12-05') expect(verdict.outcome).toBe('not-met');
        if (facts.basis === 'FD2008_909' && verdict.outcome === 'met') expect(isEu(s) && isEu(r) && on >= '2011-12-05').toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });

  it('Kosovo (party to neither ETS 112 nor ETS 167): a case to or from XK is met only under a bilateral treaty or a lease', () => {
    fc.assert(
      fc.property(anyPair, (facts) => {
        if (facts.sendingState !== 'XK' && facts.receivingState !== 'XK') return;
        const kind = findLegalBasis(facts.basis);
        if (checkLegalBasis(facts).outcome === 'met') expect(kind?.kind === 'facility-lease' || kind?.id.startsWith('BILATERAL_')).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });
});
