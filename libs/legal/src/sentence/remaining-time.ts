import type { SentenceFacts } from '../case-facts';
import { addDays, daysBetween, type IsoDate } from '../dates';

/** A sentence with a negative length or negative pre-trial days. */
export class InvalidSentenceError extends Error {
  readonly code = 'INVALID_SENTENCE';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSentenceError';
  }
}

/** What is left of a sentence on a day: a number of days up to a release date, or no fixed end. */
export type RemainingTime =
  | { isIndeterminate: true }
  | { isIndeterminate: false; days: number; releaseOn: IsoDate };

function checkSentence(sentence: SentenceFacts): void {
  if (sentence.preTrialDays < 0 || !Number.isInteger(sentence.preTrialDays)) {
    throw new InvalidSentenceError(`Pre-trial days must be a whole number of zero or more, not ${sentence.preTrialDays}.`);
  }
  if (sentence.length.kind === 'determinate' && (sentence.length.days < 0 || !Number.isInteger(sentence.length.days))) {
    throw new InvalidSentenceError(`A sentence length must be a whole number of days of zero or more, not ${sentence.length.days}.`);
  }
}

/** Days of deprivation of liberty served by `asOf`: pre-trial detention plus the days since enforcement started. */
export function daysServed(sentence: SentenceFacts, asOf: IsoDate): number {
  checkSentence(sentence);
  return sentence.preTrialDays + Math.max(0, daysBetween(sentence.startedOn, asOf));
}

/** The day a determinate sentence ends, with pre-trial detention deducted; undefined without a fixed end. */
export function releaseDate(sentence: SentenceFacts): IsoDate | undefined {
  checkSentence(sentence);
  if (sentence.length.kind !== 'determinate') return undefined;
  return addDays(sentence.startedOn, sentence.length.days - sentence.preTrialDays);
}

/** What is left to serve on `asOf` (never below zero days). */
export function remainingTime(sentence: SentenceFacts, asOf: IsoDate): RemainingTime {
  checkSentence(sentence);
  if (sentence.length.kind !== 'determinate') return { isIndeterminate: true };
  const days = Math.max(0, sentence.length.days - daysServed(sentence, asOf));
  return { isIndeterminate: false, days, releaseOn: releaseDate(sentence)! };
}
