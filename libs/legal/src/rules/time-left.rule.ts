import type { CaseFacts } from '../case-facts';
import { getLegalBasis, type Catalogue } from '../catalogue/lookup';
import { addMonths, isBefore } from '../dates';
import { remainingTime } from '../sentence/remaining-time';
import { met, needsDecision, notMet, type Verdict } from '../verdict';
import { agreementOfBothStates } from './states-agreement';

type TimeLeftFacts = Pick<CaseFacts, 'basis' | 'sentence' | 'requestReceivedOn' | 'shortTimeLeftAgreement'> &
  Partial<Pick<CaseFacts, 'shortTimeLeftAnswers' | 'sendingState' | 'receivingState'>>;

/** "BE has agreed; AL has not answered yet" (each state answers for itself). */
function answersSoFar(facts: TimeLeftFacts): string {
  const { sending, receiving } = facts.shortTimeLeftAnswers ?? {};
  if (!sending && !receiving) return '';
  const state = (side: 'sending' | 'receiving') => (side === 'sending' ? facts.sendingState : facts.receivingState) ?? `the ${side} state`;
  const said = (side: 'sending' | 'receiving', answer: string | undefined) => `${state(side)} ${answer ? `has ${answer}` : 'has not answered yet'}`;
  return ` So far ${said('sending', sending)}; ${said('receiving', receiving)}.`;
}

/**
 * Rule 3: time left to serve on the day the request is received. ETS 112: at least 6
 * months (or an indeterminate sentence), less only with both states' agreement.
 * 2008/909: less than 6 months is an optional refusal ground, flagged for a decision.
 */
export function checkTimeLeft(facts: TimeLeftFacts, catalogue?: Catalogue): Verdict {
  const basis = getLegalBasis(facts.basis, catalogue);
  const terms = basis.timeLeft;
  if (!terms) return met('TIME_LEFT', `${basis.citation} sets no minimum time left to serve.`);
  const on = facts.requestReceivedOn;
  const remaining = remainingTime(facts.sentence, on);
  if (remaining.isIndeterminate) {
    return terms.isIndeterminateSentenceAccepted
      ? met('TIME_LEFT', `${terms.cites}: the sentence has no fixed end, which qualifies whatever time has been served.`)
      : notMet('TIME_LEFT', 'INSUFFICIENT_TIME_LEFT', `${terms.cites}: a sentence without a fixed end does not qualify.`);
  }
  const { days, releaseOn } = remaining;
  if (days === 0) {
    return notMet('TIME_LEFT', 'INSUFFICIENT_TIME_LEFT', `${terms.cites}: nothing is left to serve on ${on}; the sentence ended on ${releaseOn}.`);
  }
  const months = terms.minimumMonths;
  const left = `${days} days are left to serve on ${on} (release on ${releaseOn})`;
  if (!isBefore(releaseOn, addMonths(on, months))) {
    return met('TIME_LEFT', `${terms.cites}: ${left}, at least ${months} months.`);
  }
  if (terms.belowMinimum === 'optional-refusal-ground') {
    return needsDecision(
      'TIME_LEFT',
      'TIME_LEFT_OPTIONAL_REFUSAL_GROUND',
      `${terms.belowMinimumCites}: only ${left}, less than ${months} months; the receiving state may refuse on this ground but need not. Record its decision.`,
    );
  }
  const agreement = facts.shortTimeLeftAgreement ?? agreementOfBothStates(facts.shortTimeLeftAnswers ?? {});
  switch (agreement) {
    case 'agreed':
      return met('TIME_LEFT', `${terms.belowMinimumCites}: only ${left}, less than ${months} months, and both states have recorded their agreement to transfer.`);
    case 'refused':
      return notMet('TIME_LEFT', 'INSUFFICIENT_TIME_LEFT', `${terms.cites}: only ${left}, less than ${months} months, and the states have not agreed to an exception under ${terms.belowMinimumCites}.${answersSoFar(facts)}`);
    case undefined:
      return needsDecision(
        'TIME_LEFT',
        'INSUFFICIENT_TIME_LEFT',
        `${terms.cites}: only ${left}, less than ${months} months; a transfer is possible only if both states record their agreement (${terms.belowMinimumCites}).${answersSoFar(facts)}`,
      );
  }
}
