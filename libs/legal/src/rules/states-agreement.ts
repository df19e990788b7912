import type { Answer } from '../case-facts';
import { getLegalBasis } from '../catalogue/lookup';

/** The two states of a case, each answering for itself. */
export type CaseSide = 'sending' | 'receiving';

/** Each state's recorded answer to a clause the states may agree on; absent while a state has not answered. */
export type StatesAnswers = Partial<Record<CaseSide, Answer>>;

/**
 * A clause of a legal basis that lifts a bar when both states agree (docs/domain.md, Rule 3):
 * `time-left-below-minimum` is ETS 112 Art 3(2), a transfer with less than the minimum time left.
 */
export type AgreementClause = 'time-left-below-minimum';

/** The clauses of a basis on which both states may agree, with the provision each cites. Empty for a basis with none. */
export function agreementClauses(basisId: string): Array<{ clause: AgreementClause; cites: string }> {
  const basis = getLegalBasis(basisId);
  const clauses: Array<{ clause: AgreementClause; cites: string }> = [];
  if (basis.timeLeft?.belowMinimum === 'barred-unless-both-states-agree') clauses.push({ clause: 'time-left-below-minimum', cites: basis.timeLeft.belowMinimumCites });
  return clauses;
}

/**
 * Both states' agreement from each one's answer: agreed only when both agreed, refused as soon as
 * one refused (an agreement needs both), undefined while one has not answered.
 */
export function agreementOfBothStates(answers: StatesAnswers): Answer | undefined {
  if (answers.sending === 'refused' || answers.receiving === 'refused') return 'refused';
  return answers.sending === 'agreed' && answers.receiving === 'agreed' ? 'agreed' : undefined;
}
