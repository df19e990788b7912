/** A calendar date `YYYY-MM-DD`. The law counts days, not instants, so no time zone is involved. */
export type IsoDate = string;

/** A date that is not a real `YYYY-MM-DD` calendar date. */
export class InvalidDateError extends Error {
  readonly code = 'INVALID_DATE';
  constructor(readonly value: string) {
    super(`"${value}" is not a calendar date of the form YYYY-MM-DD.`);
    this.name = 'InvalidDateError';
  }
}

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 for a calendar date. */
export function toEpochDay(date: IsoDate): number {
  const match = ISO_DATE.exec(date);
  if (!match) throw new InvalidDateError(date);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const epochMs = Date.UTC(year, month - 1, day);
  if (fromEpochDay(epochMs / MS_PER_DAY) !== date) throw new InvalidDateError(date);
  return epochMs / MS_PER_DAY;
}

/** The calendar date `epochDay` days after 1970-01-01. */
export function fromEpochDay(epochDay: number): IsoDate {
  return new Date(epochDay * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The date `days` days after `date` (before it when negative). */
export function addDays(date: IsoDate, days: number): IsoDate {
  return fromEpochDay(toEpochDay(date) + days);
}

/** Whole days from `from` to `to`: positive when `to` is later. */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return toEpochDay(to) - toEpochDay(from);
}

/**
 * The same day `months` calendar months later; a day that does not exist in the
 * target month becomes that month's last day (31 August + 6 months = 28/29 February).
 */
export function addMonths(date: IsoDate, months: number): IsoDate {
  toEpochDay(date);
  const [year, month, day] = date.split('-').map(Number);
  const monthIndex = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(monthIndex / 12);
  const targetMonth = monthIndex - targetYear * 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  return fromEpochDay(Date.UTC(targetYear, targetMonth, Math.min(day, lastDay)) / MS_PER_DAY);
}

/** True when `a` is strictly before `b`. */
export function isBefore(a: IsoDate, b: IsoDate): boolean {
  return toEpochDay(a) < toEpochDay(b);
}
