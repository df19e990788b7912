import type { FieldProblem, Sentence } from '@custody/contracts';
import { addDays, addMonths, daysBetween, releaseDate, type SentenceFacts } from '@custody/legal';

/**
 * Pure facts derived from what the sending state recorded: the date of an act, the length of a
 * sentence in days, the legal rules' view of a sentence. No clock: every date comes in.
 */

/**
 * The calendar day of an act: the later of the day written in `occurredAt` (the sender's zone)
 * and the UTC day, so that a date the sender could see as today is never "in the future".
 */
export function dayOf(occurredAt: string): string {
  const written = occurredAt.slice(0, 10);
  const utc = new Date(Date.parse(occurredAt)).toISOString().slice(0, 10);
  return written > utc ? written : utc;
}

/** One problem per date that lies after the day of the act. */
export function datesInFuture(dates: Array<[path: string, date: string | undefined]>, occurredAt: string): FieldProblem[] {
  const today = dayOf(occurredAt);
  return dates
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] > today)
    .map(([path, date]) => ({ path, problem: `${date} lies after the day of the act (${today})` }));
}

/** The length of a determinate sentence in days, counted from the first day of enforcement. */
export function sentenceLengthDays(sentence: Sentence): number | undefined {
  if (sentence.kind !== 'determinate' || !sentence.length) return undefined;
  const { years, months, days } = sentence.length;
  const end = addDays(addMonths(sentence.enforcementStartDate, years * 12 + months), days);
  return daysBetween(sentence.enforcementStartDate, end);
}

/** A sentence whose time served exceeds its length, or that ends before it starts. */
export function negativeRemainingTime(sentence: Sentence): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const length = sentenceLengthDays(sentence);
  if (length !== undefined && sentence.daysServed > length) {
    problems.push({ path: 'sentence.daysServed', problem: `${sentence.daysServed} days served exceed the sentence of ${length} days` });
  }
  if (length !== undefined && sentence.preTrialDays > length) {
    problems.push({ path: 'sentence.preTrialDays', problem: `${sentence.preTrialDays} days of pre-trial detention exceed the sentence of ${length} days` });
  }
  if (sentence.sentenceEndDate !== undefined && sentence.sentenceEndDate < sentence.enforcementStartDate) {
    problems.push({ path: 'sentence.sentenceEndDate', problem: `the sentence ends (${sentence.sentenceEndDate}) before its enforcement starts (${sentence.enforcementStartDate})` });
  }
  return problems;
}

/** The sentence as the legal rules see it (length in days, pre-trial detention, finality, offences). */
export function sentenceFacts(sentence: Sentence): SentenceFacts {
  const days = sentenceLengthDays(sentence);
  return {
    length: sentence.kind === 'determinate' ? { kind: 'determinate', days: days ?? 0 } : { kind: sentence.kind },
    startedOn: sentence.enforcementStartDate,
    preTrialDays: sentence.preTrialDays,
    isFinal: sentence.finalJudgmentDate !== undefined,
    offences: sentence.offences.map((offence) => offence.category),
  };
}

/** The day a determinate sentence ends with pre-trial detention deducted (the legal rules' release date). */
export function releaseOn(sentence: Sentence): string | undefined {
  return sentence.kind === 'determinate' ? releaseDate(sentenceFacts(sentence)) : undefined;
}
