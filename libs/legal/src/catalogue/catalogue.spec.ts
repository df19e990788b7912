// The catalogue read as a lawyer would check it.
import { LEGAL_BASES } from './catalogue';
import { basesForPair, findLegalBasis, getLegalBasis, isPartyOn, UnknownLegalBasisError } from './lookup';

const ids = (bases: { id: string }[]) => bases.map((b) => b.id);

describe('the catalogue of legal bases', () => {
  it('holds these bases', () => {
    expect(ids([...LEGAL_BASES])).toEqual([
      'FD2008_909',
      'ETS112',
      'ETS167_ART2',
      'ETS167_ART3',
      'BILATERAL_BE_AL_2010',
      'LEASE_DK_XK_2022',
      'LEASE_NO_NL_2015',
    ]);
  });

  it.each(LEGAL_BASES.map((b) => [b.id, b]))('%s cites its sources, names its parties with ISO codes and says how sure it is', (_id, basis) => {
    expect(basis.sources.length).toBeGreaterThan(0);
    expect(basis.parties.length).toBeGreaterThanOrEqual(2);
    for (const party of basis.parties) expect(party.state).toMatch(/^[A-Z]{2}$/);
    expect(new Set(basis.parties.map((p) => p.state)).size).toBe(basis.parties.length);
    expect(['established', 'uncertain', 'to-verify']).toContain(basis.certainty);
  });

  it.each([
    ['FD2008_909', 'transfer-of-enforcement', 'receiving-state'],
    ['ETS112', 'transfer-of-enforcement', 'receiving-state'],
    ['BILATERAL_BE_AL_2010', 'transfer-of-enforcement', 'receiving-state'],
    ['LEASE_DK_XK_2022', 'facility-lease', 'sending-state'],
    ['LEASE_NO_NL_2015', 'facility-lease', 'sending-state'],
  ])('%s is a %s after which the law of the %s applies', (id, kind, law) => {
    expect(getLegalBasis(id)).toMatchObject({ kind, lawAfterMove: law });
  });

  it('2008/909 binds the 27 EU member states and no one else', () => {
    const parties = getLegalBasis('FD2008_909').parties.map((p) => p.state);
    expect(parties).toHaveLength(27);
    expect(parties).toEqual(expect.arrayContaining(['BE', 'NL', 'DK', 'GR', 'HR']));
    expect(parties).not.toEqual(expect.arrayContaining(['NO']));
  });

  it('ETS 112 binds 69 states: every Council of Europe member but Monaco, and 24 others', () => {
    const parties = getLegalBasis('ETS112').parties.map((p) => p.state);
    expect(parties).toHaveLength(69);
    expect(parties).not.toContain('MC');
    expect(parties).toEqual(expect.arrayContaining(['AL', 'BE', 'DK', 'NL', 'NO', 'US', 'JP']));
  });

  it.each([
    ['ETS112', 'AL', '2000-07-31', false],
    ['ETS112', 'AL', '2000-08-01', true],
    ['ETS112', 'BE', '2025-01-01', true],
    ['ETS112', 'XK', '2025-01-01', false],
    ['ETS167_ART3', 'AL', '2025-01-01', false],
    ['ETS167_ART3', 'BE', '2005-09-01', true],
    ['ETS167_ART3', 'XK', '2025-01-01', false],
    ['ETS167_ART2', 'NO', '2025-01-01', true],
    ['FD2008_909', 'HR', '2013-06-30', false],
  ])('%s: %s is a party on %s → %s', (id, state, date, expected) => {
    expect(isPartyOn(getLegalBasis(id), state, date)).toBe(expected);
  });

  it('records Belgium\'s ETS 167 Art 3 declaration on habitual residence when arrested', () => {
    expect(getLegalBasis('ETS167_ART3').declarations).toContainEqual(
      expect.objectContaining({ state: 'BE', excludes: 'expulsion-order', when: 'habitually-resident-in-declaring-state-when-arrested' }),
    );
  });

  it('records the Gjilan lease: 300 places, expulsion order required, release only with a deportation order', () => {
    expect(getLegalBasis('LEASE_DK_XK_2022').lease).toMatchObject({
      tenantState: 'DK',
      hostState: 'XK',
      places: 300,
      isDeportationOrderRequiredForRelease: true,
      eligibility: { requiresExpulsionOrder: true, isLifeSentenceExcluded: true },
    });
  });

  it('gives 2008/909 deadlines of 90, 30 and 10 days, and ETS 112 none', () => {
    expect(getLegalBasis('FD2008_909').deadlines).toMatchObject({ decisionDays: 90, transferDays: 30, afterObstacleDays: 10 });
    expect(getLegalBasis('ETS112').deadlines).toBeUndefined();
  });

  it('marks what is uncertain', () => {
    const unsure = LEGAL_BASES.filter((b) => b.certainty !== 'established');
    expect(ids(unsure)).toEqual(['BILATERAL_BE_AL_2010', 'LEASE_DK_XK_2022', 'LEASE_NO_NL_2015']);
    for (const basis of unsure) expect(basis.note).toBeTruthy();
  });

  it.each([
    ['BE', 'AL', '2025-03-03', ['ETS112', 'BILATERAL_BE_AL_2010']],
    ['BE', 'AL', '2012-01-01', ['ETS112']],
    ['BE', 'NL', '2025-03-03', ['FD2008_909']],
    ['DK', 'XK', '2026-09-01', ['LEASE_DK_XK_2022']],
    ['XK', 'DK', '2026-09-01', []],
    ['BE', 'XK', '2025-03-03', []],
    ['NO', 'NL', '2016-05-01', ['ETS112', 'ETS167_ART2', 'ETS167_ART3', 'LEASE_NO_NL_2015']],
    ['NO', 'NL', '2019-05-01', ['ETS112', 'ETS167_ART2', 'ETS167_ART3']],
  ])('the bases that fit %s → %s on %s are %j', (sending, receiving, date, expected) => {
    expect(ids(basesForPair(sending, receiving, date))).toEqual(expected);
  });

  it('an unknown id is reported with a typed error that lists the known ones', () => {
    expect(findLegalBasis('NOPE')).toBeUndefined();
    expect(() => getLegalBasis('NOPE')).toThrow(UnknownLegalBasisError);
    expect(() => getLegalBasis('NOPE')).toThrow(/known: FD2008_909, ETS112/);
  });
});
