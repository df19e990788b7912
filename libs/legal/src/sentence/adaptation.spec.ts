import fc from 'fast-check';
import type { SentenceLength } from '../case-facts';
import { checkAdaptation, isHarsher, type AdaptationProposal } from './adaptation';

const days = (n: number): SentenceLength => ({ kind: 'determinate', days: n });

// Albania converts an ETS 112 sentence of 3 years; 400 days served, 90 of them pre-trial.
const conversion: AdaptationProposal = {
  basis: 'ETS112',
  original: days(1096),
  daysServed: 400,
  proposed: { kind: 'custodial', length: days(1000), creditedDays: 400 },
};

describe('rule 8: an adapted sentence is never harsher, never a fine, and deducts all time served (ETS 112 Art 10(2), 11(1)(b)–(d); 2008/909 Art 8(3)–(4), 17(2))', () => {
  it('a shorter custodial sentence crediting every day served is accepted', () => {
    expect(checkAdaptation(conversion)).toEqual({
      rule: 'ADAPTATION',
      outcome: 'met',
      reason: 'ETS 112 Art 10(2) and Art 11(1)(d) and ETS 112 Art 11(1)(c): 1000 days is no harsher than 1096 days, and all 400 days served are deducted.',
    });
  });

  it.each([
    ['longer', { kind: 'custodial', length: days(1200), creditedDays: 400 }, 'ADAPTATION_HARSHER', 'ETS 112 Art 10(2) and Art 11(1)(d): the adapted sentence (1200 days) is harsher than the original (1096 days).'],
    ['indeterminate instead of a fixed term', { kind: 'custodial', length: { kind: 'indeterminate' }, creditedDays: 400 }, 'ADAPTATION_HARSHER', 'ETS 112 Art 10(2) and Art 11(1)(d): the adapted sentence (an indeterminate sentence) is harsher than the original (1096 days).'],
    ['a fine', { kind: 'fine' }, 'ADAPTATION_CONVERTED_TO_FINE', 'ETS 112 Art 11(1)(b): a custodial sentence may not be converted into a fine.'],
    ['not deducting pre-trial detention', { kind: 'custodial', length: days(1000), creditedDays: 310 }, 'TIME_SERVED_NOT_DEDUCTED', 'ETS 112 Art 11(1)(c): only 310 of the 400 days already served (pre-trial detention included) are deducted.'],
  ] as const)('%s is rejected', (_case, proposed, code, reason) => {
    expect(checkAdaptation({ ...conversion, proposed })).toEqual({ rule: 'ADAPTATION', outcome: 'not-met', code, reason });
  });

  it('names both failures when harsher and not deducting', () => {
    const verdict = checkAdaptation({ ...conversion, proposed: { kind: 'custodial', length: days(1500), creditedDays: 0 } });
    expect(verdict.code).toBe('ADAPTATION_HARSHER');
    expect(verdict.reason).toMatch(/harsher .*; ETS 112 Art 11\(1\)\(c\): only 0 of the 400 days/);
  });

  it('cites 2008/909 for an EU case', () => {
    expect(checkAdaptation({ ...conversion, basis: 'FD2008_909', proposed: { kind: 'fine' } }).reason).toMatch(/^2008\/909 Art 8\(3\)/);
  });

  it('under a lease the sending state\'s sentence continues: nothing to adapt', () => {
    expect(checkAdaptation({ ...conversion, basis: 'LEASE_DK_XK_2022' }).outcome).toBe('met');
  });

  it.each([
    [days(10), days(11), false],
    [days(11), days(10), true],
    [{ kind: 'life' }, days(10_000), true],
    [days(10_000), { kind: 'life' }, false],
    [{ kind: 'indeterminate' }, { kind: 'life' }, false],
    [{ kind: 'life' }, { kind: 'indeterminate' }, true],
  ] as const)('%j is harsher than %j: %s', (proposed, original, expected) => {
    expect(isHarsher(proposed, original)).toBe(expected);
  });

  describe('properties', () => {
    const length = fc.oneof(
      fc.integer({ min: 0, max: 20_000 }).map(days),
      fc.constant<SentenceLength>({ kind: 'indeterminate' }),
      fc.constant<SentenceLength>({ kind: 'life' }),
    );
    const proposal = fc.record({
      basis: fc.constantFrom('ETS112', 'FD2008_909', 'BILATERAL_BE_AL_2010'),
      original: length,
      daysServed: fc.integer({ min: 0, max: 20_000 }),
      proposed: fc.oneof(
        fc.record({ kind: fc.constant('custodial' as const), length, creditedDays: fc.integer({ min: 0, max: 20_000 }) }),
        fc.constant({ kind: 'fine' as const }),
      ),
    });

    it('an accepted adaptation is never harsher, never a fine, and credits every day served', () => {
      fc.assert(
        fc.property(proposal, (p) => {
          if (checkAdaptation(p).outcome !== 'met') return;
          expect(p.proposed.kind).toBe('custodial');
          if (p.proposed.kind !== 'custodial') return;
          expect(isHarsher(p.proposed.length, p.original)).toBe(false);
          expect(p.proposed.creditedDays).toBeGreaterThanOrEqual(p.daysServed);
        }),
      );
    });

    it('keeping the original sentence and crediting all time served is always accepted', () => {
      fc.assert(
        fc.property(proposal, (p) => {
          const same = { ...p, proposed: { kind: 'custodial' as const, length: p.original, creditedDays: p.daysServed } };
          expect(checkAdaptation(same).outcome).toBe('met');
        }),
      );
    });
  });
});
