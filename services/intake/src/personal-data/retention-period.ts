import { ValidateBy, type ValidationOptions } from 'class-validator';
import { isStateCode } from '@custody/contracts';
import { addDays, addMonths } from '@custody/legal';

/**
 * Retention periods (Rule 16): how long the sending state keeps a person's personal data after
 * the final release. Written as ISO 8601 periods of years, months and days (`P10Y`, `P5Y6M`,
 * `P90D`, `P0D`). Pure.
 */

const PERIOD = /^P(?:(\d{1,3})Y)?(?:(\d{1,4})M)?(?:(\d{1,5})D)?$/;

export interface RetentionPeriod {
  years: number;
  months: number;
  days: number;
}

/** The period, or undefined for anything that is not `PnYnMnD` with at least one part. */
export function parseRetentionPeriod(text: unknown): RetentionPeriod | undefined {
  if (typeof text !== 'string' || text === 'P') return undefined;
  const match = PERIOD.exec(text);
  if (!match) return undefined;
  return { years: Number(match[1] ?? 0), months: Number(match[2] ?? 0), days: Number(match[3] ?? 0) };
}

/** The day `period` after `date` (months and years as calendar months, like the sentence rules). */
export function addRetentionPeriod(date: string, period: RetentionPeriod): string {
  return addDays(addMonths(date, period.years * 12 + period.months), period.days);
}

/** The configured periods: `RETENTION_PERIODS` per sending state, `RETENTION_DEFAULT_PERIOD` otherwise. */
export interface RetentionPolicy {
  periods: Readonly<Record<string, string>>;
  defaultPeriod: string;
}

export function retentionPolicyOf(config: { RETENTION_PERIODS: string; RETENTION_DEFAULT_PERIOD: string }): RetentionPolicy {
  return { periods: JSON.parse(config.RETENTION_PERIODS || '{}') as Record<string, string>, defaultPeriod: config.RETENTION_DEFAULT_PERIOD };
}

/** The period of a sending state, as written (e.g. `P10Y`). */
export function periodFor(policy: RetentionPolicy, sendingState: string): string {
  return Object.prototype.hasOwnProperty.call(policy.periods, sendingState) ? policy.periods[sendingState] : policy.defaultPeriod;
}

/** The first day the personal data of a person released on `releasedOn` may be erased. */
export function erasableOn(policy: RetentionPolicy, sendingState: string, releasedOn: string): string {
  return addRetentionPeriod(releasedOn, parseRetentionPeriod(periodFor(policy, sendingState))!);
}

/** A JSON object of state code → period; empty means none. */
function isPeriodMap(text: unknown): boolean {
  if (text === '') return true;
  if (typeof text !== 'string') return false;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false;
    return Object.entries(parsed).every(([state, period]) => isStateCode(state) && parseRetentionPeriod(period) !== undefined);
  } catch {
    return false;
  }
}

/** A configuration variable holding one period. */
export function IsRetentionPeriod(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({
    name: 'isRetentionPeriod',
    validator: {
      validate: (value) => parseRetentionPeriod(value) !== undefined,
      defaultMessage: () => '$property must be an ISO 8601 period of years, months and days, e.g. P10Y, P5Y6M or P90D',
    },
  }, options);
}

/** A configuration variable holding a JSON object of state code → period. */
export function IsRetentionPeriods(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({
    name: 'isRetentionPeriods',
    validator: {
      validate: isPeriodMap,
      defaultMessage: () => '$property must be a JSON object of state codes and ISO 8601 periods, e.g. {"BE":"P10Y","DK":"P5Y"}',
    },
  }, options);
}
