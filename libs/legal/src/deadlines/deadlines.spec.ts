import fc from 'fast-check';
import { UnknownLegalBasisError } from '../catalogue/lookup';
import { addDays, daysBetween, fromEpochDay } from '../dates';
import { decisionDeadline, transferDeadline, transferDeadlineAfterObstacle } from './deadlines';

describe('rule 7: deadlines under 2008/909 (Art 12(2), Art 15(1), Art 15(2))', () => {
  it('the receiving state decides within 90 days of receiving the judgment and certificate', () => {
    expect(decisionDeadline('FD2008_909', '2025-01-10')).toEqual({ dueOn: '2025-04-10', days: 90, cites: '2008/909 Art 12(2)' });
  });

  it('the transfer happens within 30 days of the final decision', () => {
    expect(transferDeadline('FD2008_909', '2025-04-10')).toEqual({ dueOn: '2025-05-10', days: 30, cites: '2008/909 Art 15(1)' });
  });

  it('or within 10 days after an unforeseen obstacle ends', () => {
    expect(transferDeadlineAfterObstacle('FD2008_909', '2025-02-24')).toEqual({ dueOn: '2025-03-06', days: 10, cites: '2008/909 Art 15(2)' });
  });

  it.each([['ETS112'], ['BILATERAL_BE_AL_2010'], ['LEASE_DK_XK_2022']])('%s sets no such deadlines', (basis) => {
    expect(decisionDeadline(basis, '2025-01-10')).toBeUndefined();
    expect(transferDeadline(basis, '2025-01-10')).toBeUndefined();
    expect(transferDeadlineAfterObstacle(basis, '2025-01-10')).toBeUndefined();
  });

  it('an unknown basis is an error', () => {
    expect(() => decisionDeadline('NOPE', '2025-01-10')).toThrow(UnknownLegalBasisError);
  });

  describe('properties', () => {
    // Any day from 1990 to 2100.
    const day = fc.integer({ min: 7305, max: 47_482 }).map(fromEpochDay);

    it('each deadline falls exactly its number of days after its start, whatever the month or leap year', () => {
      fc.assert(
        fc.property(day, (start) => {
          expect(daysBetween(start, decisionDeadline('FD2008_909', start)!.dueOn)).toBe(90);
          expect(daysBetween(start, transferDeadline('FD2008_909', start)!.dueOn)).toBe(30);
          expect(daysBetween(start, transferDeadlineAfterObstacle('FD2008_909', start)!.dueOn)).toBe(10);
        }),
      );
    });

    it('a later start never gives an earlier deadline', () => {
      fc.assert(
        fc.property(day, fc.integer({ min: 0, max: 400 }), (start, delay) => {
          const later = addDays(start, delay);
          expect(daysBetween(decisionDeadline('FD2008_909', start)!.dueOn, decisionDeadline('FD2008_909', later)!.dueOn)).toBe(delay);
        }),
      );
    });
  });
});
