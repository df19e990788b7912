import fc from 'fast-check';
import { addDays, addMonths, daysBetween, fromEpochDay, InvalidDateError, isBefore, toEpochDay } from './dates';

describe('calendar dates', () => {
  it.each([
    ['2025-03-03', 6, '2025-09-03'],
    ['2025-08-31', 6, '2026-02-28'],
    ['2023-08-31', 6, '2024-02-29'],
    ['2025-12-15', 1, '2026-01-15'],
    ['2025-03-31', -1, '2025-02-28'],
  ])('%s + %i months = %s', (date, months, expected) => {
    expect(addMonths(date, months)).toBe(expected);
  });

  it.each(['2025-02-30', '2025-13-01', '25-01-01', '2025-1-1', 'tomorrow'])('rejects "%s"', (value) => {
    expect(() => toEpochDay(value)).toThrow(InvalidDateError);
  });

  it('counts days across a leap year', () => {
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(isBefore('2024-02-28', '2024-03-01')).toBe(true);
  });

  it('adding days and counting them agree', () => {
    const day = fc.integer({ min: 0, max: 60_000 }).map(fromEpochDay);
    fc.assert(
      fc.property(day, fc.integer({ min: -5_000, max: 5_000 }), (date, n) => {
        expect(daysBetween(date, addDays(date, n))).toBe(n);
      }),
    );
  });
});
