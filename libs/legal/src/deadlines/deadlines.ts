import { getLegalBasis } from '../catalogue/lookup';
import { addDays, type IsoDate } from '../dates';

/** A legal deadline: the last day, how many days it counts from its start, and the rule. */
export interface Deadline {
  dueOn: IsoDate;
  days: number;
  cites: string;
}

function deadlineTerms(basisId: string) {
  return getLegalBasis(basisId).deadlines;
}

/**
 * 2008/909 Art 12(2): the receiving state decides within 90 days of receiving the
 * judgment and certificate. Undefined when the basis sets no such deadline (ETS 112).
 */
export function decisionDeadline(basisId: string, certificateReceivedOn: IsoDate): Deadline | undefined {
  const terms = deadlineTerms(basisId);
  if (!terms) return undefined;
  return { dueOn: addDays(certificateReceivedOn, terms.decisionDays), days: terms.decisionDays, cites: terms.decisionCites };
}

/** 2008/909 Art 15(1): the physical transfer happens within 30 days of the final decision. */
export function transferDeadline(basisId: string, finalDecisionOn: IsoDate): Deadline | undefined {
  const terms = deadlineTerms(basisId);
  if (!terms) return undefined;
  return { dueOn: addDays(finalDecisionOn, terms.transferDays), days: terms.transferDays, cites: terms.transferCites };
}

/** 2008/909 Art 15(2): after an unforeseen obstacle, the transfer happens within 10 days of its end. */
export function transferDeadlineAfterObstacle(basisId: string, obstacleEndedOn: IsoDate): Deadline | undefined {
  const terms = deadlineTerms(basisId);
  if (!terms) return undefined;
  return { dueOn: addDays(obstacleEndedOn, terms.afterObstacleDays), days: terms.afterObstacleDays, cites: terms.afterObstacleCites };
}
