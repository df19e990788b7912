import fc from 'fast-check';
import type { SentenceFacts } from '../case-facts';
import { addDays } from '../dates';
import { daysServed, InvalidSentenceError, releaseDate, remainingTime } from './remaining-time';

const threeYears: SentenceFacts = {
  length: { kind: 'determinate', days: 1095 },
  startedOn: '2024-01-01',
  preTrialDays: 95,
  isFinal: true,
  offences: [],
};

describe('time served and time left, pre-trial detention counted (rule 3: ETS 112 Art 3(1)(c); rule 8: ETS 112 Art 11(1)(c), 2008/909 Art 17(2))', () => {
  it.each([
    ['before enforcement starts', '2023-12-01', 95, 1000],
    ['on the first day', '2024-01-01', 95, 1000],
    ['a year later (2024 is a leap year)', '2025-01-01', 95 + 366, 1095 - 95 - 366],
    ['on the release date', '2026-09-27', 1095, 0],
    ['after release', '2027-01-01', 95 + 1096, 0],
  ])('%s (%s): served %i days, %i left', (_when, asOf, served, left) => {
    expect(daysServed(threeYears, asOf)).toBe(served);
    expect(remainingTime(threeYears, asOf)).toEqual({ isIndeterminate: false, days: left, releaseOn: '2026-09-27' });
  });

  it('pre-trial detention brings the release date forward', () => {
    expect(releaseDate(threeYears)).toBe('2026-09-27');
    expect(releaseDate({ ...threeYears, preTrialDays: 0 })).toBe('2026-12-31');
  });

  it('a sentence without a fixed end has no release date', () => {
    const life: SentenceFacts = { ...threeYears, length: { kind: 'life' } };
    expect(releaseDate(life)).toBeUndefined();
    expect(remainingTime(life, '2025-01-01')).toEqual({ isIndeterminate: true });
  });

  it.each([
    ['negative pre-trial days', { ...threeYears, preTrialDays: -1 }],
    ['a negative length', { ...threeYears, length: { kind: 'determinate' as const, days: -5 } }],
    ['a fractional length', { ...threeYears, length: { kind: 'determinate' as const, days: 1.5 } }],
  ])('rejects %s', (_case, sentence) => {
    expect(() => remainingTime(sentence, '2025-01-01')).toThrow(InvalidSentenceError);
  });

  it('served plus left is the whole sentence until release, and time left never goes below zero', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 15_000 }),
        fc.integer({ min: 0, max: 2_000 }),
        fc.integer({ min: -500, max: 20_000 }),
        (length, preTrialDays, offset) => {
          const sentence: SentenceFacts = { ...threeYears, length: { kind: 'determinate', days: length }, preTrialDays };
          const asOf = addDays(sentence.startedOn, offset);
          const left = remainingTime(sentence, asOf);
          if (left.isIndeterminate) throw new Error('a determinate sentence has an end');
          expect(left.days).toBeGreaterThanOrEqual(0);
          expect(left.days).toBe(Math.max(0, length - daysServed(sentence, asOf)));
        },
      ),
    );
  });
});
