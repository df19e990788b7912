import type { Inmate } from './inmate.decider';
import { releaseOn, sentenceLengthDays } from './inmate.facts';

/** The inmate record as the API shows it: the folded state, with the sentence's length and release date. */
export function inmateView(state: Exclude<Inmate, { status: 'unregistered' }>, revision: number) {
  const { status, ...record } = state;
  const sentence = state.sentence;
  return {
    ...record,
    status,
    revision,
    sentenceSummary: sentence
      ? {
          kind: sentence.kind,
          lengthDays: sentenceLengthDays(sentence) ?? null,
          /** The legal rules' release date: enforcement start + length − pre-trial detention. */
          releaseOn: releaseOn(sentence) ?? null,
          isFinal: sentence.finalJudgmentDate !== undefined,
        }
      : null,
  };
}
