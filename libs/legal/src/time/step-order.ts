// Rule 17 of docs/domain.md: each step is dated no earlier than the steps it follows, so that
// a deadline runs from the anchor the law names and no timeline goes backwards. The order is
// data, with its source; the deciders record the dates and ask.
import type { TimeProblem } from './time-rules';

/** The steps whose dates the rules compare: a transfer case's, the custody that follows it, and the record before it. */
export type Step =
  // intake: the sending state's record of the person
  | 'registration'
  | 'record-entry'
  // transfer: the case (Rules 5, 6, 7, 11)
  | 'request'
  | 'eligibility-evaluation'
  | 'opinion'
  | 'consent'
  | 'notification'
  | 'states-agreement'
  | 'certificate-issue'
  | 'certificate-receipt'
  | 'decision'
  | 'placement-decision'
  | 'deadline-extension'
  | 'obstacle-report'
  | 'obstacle-end'
  | 'reservation-request'
  | 'schedule'
  | 'dispatch'
  | 'receipt'
  | 'withdrawal'
  | 'cancellation'
  | 'completion'
  | 'return-request'
  // custody: the facility and the person held there (Rules 9, 10, 11, 14)
  | 'reservation'
  | 'reservation-expiry'
  | 'admission'
  | 'custody-entry'
  | 'absence-start'
  | 'absence-end';

/** The steps one step follows, and where that order comes from. */
export interface StepOrder {
  after: readonly Step[];
  cites: string;
}

const CASE = 'Rule 6: a case begins with the sending state\'s request';

/** What each step follows. A step not listed follows nothing. */
export const STEP_ORDER: Readonly<Partial<Record<Step, StepOrder>>> = {
  'record-entry': { after: ['registration'], cites: 'Rule 15: the sending state\'s record of the person begins with the registration' },
  'eligibility-evaluation': { after: ['request'], cites: CASE },
  opinion: { after: ['request'], cites: CASE },
  consent: { after: ['request'], cites: CASE },
  notification: { after: ['request'], cites: CASE },
  'states-agreement': { after: ['request'], cites: `${CASE}; ETS 112 Art 3(2): the states agree to that request` },
  'deadline-extension': { after: ['request'], cites: CASE },
  withdrawal: { after: ['request'], cites: CASE },
  cancellation: { after: ['request'], cites: CASE },
  'certificate-issue': {
    after: ['request', 'eligibility-evaluation', 'opinion', 'consent', 'states-agreement'],
    cites: 'Rule 5: the opinion and the consent are recorded before the certificate (2008/909 Art 6(3); ETS 112 Art 7(1)); ETS 112 Art 3(2): the states\' agreement precedes it',
  },
  'certificate-receipt': {
    after: ['certificate-issue'],
    cites: '2008/909 Art 5(1) and Art 12(2): the receiving state receives the judgment and certificate the sending state forwarded, and the 90 days run from that receipt',
  },
  decision: {
    after: ['certificate-issue', 'certificate-receipt'],
    cites: '2008/909 Art 12(1): the receiving state decides on the judgment and certificate it received; ETS 112 Art 5(4) and Art 6',
  },
  'placement-decision': {
    after: ['request', 'eligibility-evaluation', 'opinion', 'consent'],
    cites: 'Rule 18: the lessee decides the placement on the case it requested, once the eligibility is evaluated and the opinion and consent (or why none is needed) recorded (Rule 5)',
  },
  'obstacle-report': { after: ['decision', 'placement-decision'], cites: '2008/909 Art 15(2): an obstacle stops a transfer the final decision allowed; Rule 18: under a lease, the placement decision' },
  'obstacle-end': { after: ['obstacle-report'], cites: '2008/909 Art 15(2): the obstacle ends after it arose' },
  'reservation-request': { after: ['decision', 'placement-decision'], cites: 'Rule 6: a place is reserved once the receiving state has decided (Rule 18: under a lease, once the lessee decided the placement)' },
  schedule: { after: ['request', 'decision', 'placement-decision', 'reservation-request'], cites: 'Rule 6: the transfer is scheduled once requested and decided, in a place asked for (Rule 19: a return, once decided)' },
  dispatch: {
    after: ['decision', 'placement-decision', 'schedule', 'obstacle-end'],
    cites: '2008/909 Art 15(1): the person is transferred after the final decision (ETS 112 Art 3(1)(f): once both states agreed); Rule 18: under a lease, after the lessee\'s placement decision; 2008/909 Art 15(2): after the obstacle ended',
  },
  receipt: { after: ['dispatch'], cites: 'Rule 11: the receiving side takes the person the sending side handed over' },
  completion: { after: ['receipt'], cites: 'Rule 11: admission, and so completion, follow the hand-over' },
  'return-request': { after: ['completion'], cites: 'Rule 19: a return undoes a case completed by the person\'s admission, and follows it' },
  'reservation-expiry': { after: ['reservation'], cites: 'Rule 9: a place is held from its reservation until it expires' },
  admission: { after: ['receipt'], cites: 'Rule 11: the facility admits the person after the receiving side of the hand-over (European Prison Rules 15.1(c))' },
  'custody-entry': { after: ['admission'], cites: 'Rule 10: the facility records what happens to a person it has admitted' },
  'absence-end': { after: ['absence-start'], cites: 'Rule 10: an absence ends after it started' },
};

/** The dates recorded so far, by step (the latest, for a step recorded more than once). */
export type StepDates = Partial<Record<Step, string>>;

/** Records the date of a step: the later of the one known and this one. */
export function withStepDate(dates: StepDates, step: Step, at: string | undefined): StepDates {
  if (at === undefined) return dates;
  const known = dates[step];
  return known !== undefined && Date.parse(known) >= Date.parse(at) ? dates : { ...dates, [step]: at };
}

/**
 * Rule 17: `date` (of `field`) of `step` lies before the date of a step it follows; the problem
 * names both (the latest such step). Steps not recorded yet, and steps that follow nothing, pass.
 */
export function checkStepDate(step: Step, field: string, date: string, recorded: StepDates): TimeProblem | undefined {
  const order = STEP_ORDER[step];
  if (!order) return undefined;
  let latest: { step: Step; date: string } | undefined;
  for (const preceding of order.after) {
    const at = recorded[preceding];
    if (at !== undefined && Date.parse(at) > Date.parse(date) && (!latest || Date.parse(at) > Date.parse(latest.date))) latest = { step: preceding, date: at };
  }
  if (!latest) return undefined;
  return beforePreceding(step, field, date, latest.step, latest.date, order.cites);
}

/**
 * Rule 17: an end (`field`, e.g. a reservation's `expiresAt`) that is not strictly after its start.
 * Undefined when it is.
 */
export function checkEndAfterStart(step: Step, field: string, end: string, start: { step: Step; date: string }): TimeProblem | undefined {
  if (Date.parse(end) > Date.parse(start.date)) return undefined;
  return beforePreceding(step, field, end, start.step, start.date, STEP_ORDER[step]?.cites ?? 'Rule 17: an end lies after its start', 'at or before');
}

function beforePreceding(step: Step, field: string, date: string, precedingStep: Step, precedingDate: string, cites: string, relation = 'before'): TimeProblem {
  const message = `${field} ${date} (${step}) lies ${relation} the ${precedingStep} it follows, dated ${precedingDate} (${cites}).`;
  return {
    code: 'DATE_BEFORE_PRECEDING_STEP',
    message,
    details: { field, date, step, precedingStep, precedingDate },
    errors: [{ path: field, problem: message }],
    cites,
  };
}
