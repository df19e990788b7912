import type { SentenceKind } from '@custody/contracts';
import { addDays, addMonths, daysBetween, releaseDate, type IsoDate, type SentenceLength } from '@custody/legal';

/** A length as the contracts write it: years, months and days. */
export interface WrittenLength {
  years: number;
  months: number;
  days: number;
}

/**
 * What the custody service knows of the sentence a person serves here, before admission:
 * - `adapted`: the receiving state's adapted sentence (transfer of enforcement, Rule 8), which
 *   starts on admission with the days already served deducted;
 * - `sending-state`: the sending state's sentence as imposed, which continues (a lease, or
 *   continued enforcement without adaptation).
 */
export type KnownSentence =
  | { source: 'adapted'; kind: SentenceKind; length?: WrittenLength; daysDeducted: number }
  | { source: 'sending-state'; kind: SentenceKind; length?: WrittenLength; enforcementStartDate: IsoDate; preTrialDays: number };

/** The sentence to serve as the legal rules count it. */
export interface SentenceToServe {
  source: KnownSentence['source'];
  length: SentenceLength;
  startedOn: IsoDate;
  /** Days served before `startedOn` (pre-trial detention, time served in the sending state). */
  preTrialDays: number;
  /** The day the sentence ends; absent without a fixed end. */
  releaseOn?: IsoDate;
}

/** Days in a written length counted from `from` (calendar months and years). */
export function lengthInDays(from: IsoDate, length: WrittenLength): number {
  return daysBetween(from, addDays(addMonths(from, length.years * 12 + length.months), length.days));
}

/** The sentence to serve, counted from the admission day for an adapted sentence (Rule 8: all time served deducted). */
export function sentenceToServe(known: KnownSentence, admittedOn: IsoDate): SentenceToServe {
  const startedOn = known.source === 'adapted' ? admittedOn : known.enforcementStartDate;
  const preTrialDays = known.source === 'adapted' ? known.daysDeducted : known.preTrialDays;
  const length: SentenceLength =
    known.kind === 'determinate' && known.length ? { kind: 'determinate', days: lengthInDays(startedOn, known.length) } : { kind: known.kind === 'life' ? 'life' : 'indeterminate' };
  const releaseOn = releaseDate({ length, startedOn, preTrialDays, isFinal: true, offences: [] });
  return { source: known.source, length, startedOn, preTrialDays, ...(releaseOn ? { releaseOn } : {}) };
}
