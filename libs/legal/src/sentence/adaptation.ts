import type { SentenceLength } from '../case-facts';
import { getLegalBasis } from '../catalogue/lookup';
import { met, notMet, type RuleCode, type Verdict } from '../verdict';

/** The sentence the receiving state proposes after adapting or converting: custodial with the days it credits, or a fine. */
export type ProposedSentence =
  | { kind: 'custodial'; length: SentenceLength; creditedDays: number }
  | { kind: 'fine' };

/** A receiving state's proposed adaptation of the original sentence. */
export interface AdaptationProposal {
  basis: string;
  original: SentenceLength;
  /** All deprivation of liberty served so far, pre-trial detention included. */
  daysServed: number;
  proposed: ProposedSentence;
}

// Determinate sentences compare by days; any fixed term is lighter than no fixed end,
// and an indeterminate sentence is lighter than life.
const SEVERITY = { determinate: 0, indeterminate: 1, life: 2 } as const;

/** Whether `proposed` is harsher than `original` by its nature or duration. */
export function isHarsher(proposed: SentenceLength, original: SentenceLength): boolean {
  if (proposed.kind === 'determinate' && original.kind === 'determinate') return proposed.days > original.days;
  return SEVERITY[proposed.kind] > SEVERITY[original.kind];
}

function describe(length: SentenceLength): string {
  return length.kind === 'determinate' ? `${length.days} days` : length.kind === 'life' ? 'a life sentence' : 'an indeterminate sentence';
}

/**
 * Rule 8: an adapted sentence is never harsher, never a fine, and deducts all time
 * served (pre-trial included). Every failure is named; the code is the first of them.
 * Throws UnknownLegalBasisError for an unknown basis.
 */
export function checkAdaptation(proposal: AdaptationProposal): Verdict {
  const basis = getLegalBasis(proposal.basis);
  const terms = basis.adaptation;
  if (!terms) {
    return met('ADAPTATION', `${basis.citation}: the sending state's sentence continues unchanged; there is nothing to adapt.`);
  }
  const { proposed, original, daysServed } = proposal;
  if (proposed.kind === 'fine') {
    return notMet('ADAPTATION', 'ADAPTATION_CONVERTED_TO_FINE', `${terms.noFineCites}: a custodial sentence may not be converted into a fine.`);
  }
  const failures: { code: RuleCode; reason: string }[] = [];
  if (isHarsher(proposed.length, original)) {
    failures.push({
      code: 'ADAPTATION_HARSHER',
      reason: `${terms.noHarsherCites}: the adapted sentence (${describe(proposed.length)}) is harsher than the original (${describe(original)})`,
    });
  }
  if (proposed.creditedDays < daysServed) {
    failures.push({
      code: 'TIME_SERVED_NOT_DEDUCTED',
      reason: `${terms.deductionCites}: only ${proposed.creditedDays} of the ${daysServed} days already served (pre-trial detention included) are deducted`,
    });
  }
  if (failures.length > 0) {
    return notMet('ADAPTATION', failures[0].code, `${failures.map((f) => f.reason).join('; ')}.`);
  }
  return met(
    'ADAPTATION',
    `${terms.noHarsherCites} and ${terms.deductionCites}: ${describe(proposed.length)} is no harsher than ${describe(original)}, and all ${daysServed} days served are deducted.`,
  );
}
