// Rule 17 of docs/domain.md: time runs forward. An act is dated when it happened, which is never
// after the recording service's clock; each step is dated no earlier than the steps it follows;
// a date recorded long after the act says why. Pure: the clock's reading comes in as `now`.

/** How much a sender's clock may run ahead of the service's, and how late an act may be recorded without a reason. */
export interface TimePolicy {
  /** Seconds an `occurredAt` may lie after the service's clock (clocks of two ministries never agree to the second). */
  clockSkewSeconds: number;
  /** Days after which a recorded act needs a `lateRecordingReason`. */
  lateRecordingDays: number;
}

/** The defaults of COMMAND_CLOCK_SKEW_SECONDS and COMMAND_LATE_RECORDING_DAYS. */
export const DEFAULT_TIME_POLICY: Readonly<TimePolicy> = Object.freeze({ clockSkewSeconds: 300, lateRecordingDays: 7 });

/** The service's clock when it records an act (read by the command handler, never by a rule), and its policy. */
export interface RecordingClock {
  now: string;
  policy: TimePolicy;
}

/** The codes of the rejection catalogue a time rule answers with (Rule 17). */
export type TimeProblemCode = 'DATE_IN_FUTURE' | 'DATE_BEFORE_PRECEDING_STEP' | 'LATE_RECORDING_REASON_REQUIRED';

/**
 * A broken time rule as a refusal: the code, a sentence naming both dates, flat details (they travel
 * in CommandRejected) and the failing field.
 */
export interface TimeProblem {
  code: TimeProblemCode;
  message: string;
  details: Record<string, string | number>;
  errors: Array<{ path: string; problem: string }>;
  cites: string;
}

const MS_PER_DAY = 86_400_000;

/** Sources of the rules on when an act is recorded (docs/domain.md, Rules 15 and 17). */
export const RECORDING_CITES = {
  future:
    'Rule 17 (the project\'s rule of evidence, with Rule 15): an act is recorded once it has happened; a deadline runs from the act the law names (2008/909 Art 12(2), Art 15(1)), so an act dated ahead of the clock would move it',
  late: 'Rule 17 (the project\'s rule of evidence, with Rule 15): an act recorded long after it happened says why, so that a date chosen afterwards can be questioned',
} as const;

function problem(code: TimeProblemCode, field: string, message: string, details: Record<string, string | number>, cites: string): TimeProblem {
  return { code, message, details: { field, ...details }, errors: [{ path: field, problem: message }], cites };
}

/** The latest instant an act may be dated at: the clock plus the allowed skew. */
export function latestAllowed(clock: RecordingClock): string {
  return new Date(Date.parse(clock.now) + clock.policy.clockSkewSeconds * 1000).toISOString();
}

/** Rule 17: `instant` (of `field`) lies after the service's clock plus the skew. */
export function checkNotInFuture(field: string, instant: string, clock: RecordingClock): TimeProblem | undefined {
  const latest = latestAllowed(clock);
  if (Date.parse(instant) <= Date.parse(latest)) return undefined;
  return problem(
    'DATE_IN_FUTURE',
    field,
    `${field} ${instant} lies in the future: the service's clock reads ${clock.now}, and no act may be dated after ${latest} (${clock.policy.clockSkewSeconds} s of clock skew allowed). Record the act once it has happened, dated when it happened.`,
    { date: instant, now: clock.now, latest },
    RECORDING_CITES.future,
  );
}

/**
 * Rule 17: the whole days between an act (`occurredAt`) and its recording (`recordedAt`) when that
 * is more than `lateRecordingDays`, i.e. when the act is recorded late; undefined when it is
 * recorded in time. What the deciders refuse without a reason, and what the audit service lists.
 */
export function daysRecordedLate(occurredAt: string, recordedAt: string, lateRecordingDays: number): number | undefined {
  const gap = Date.parse(recordedAt) - Date.parse(occurredAt);
  if (!(gap > lateRecordingDays * MS_PER_DAY)) return undefined;
  return Math.floor(gap / MS_PER_DAY);
}

/** Rule 17: an act recorded more than the policy's days after `occurredAt` needs a reason. */
export function checkRecordedInTime(occurredAt: string, lateRecordingReason: string | undefined, clock: RecordingClock): TimeProblem | undefined {
  const days = clock.policy.lateRecordingDays;
  const daysLate = daysRecordedLate(occurredAt, clock.now, days);
  if (daysLate === undefined || (lateRecordingReason !== undefined && lateRecordingReason.trim() !== '')) return undefined;
  return problem(
    'LATE_RECORDING_REASON_REQUIRED',
    'occurredAt',
    `occurredAt ${occurredAt} is ${daysLate} days before it is recorded (${clock.now}); an act recorded more than ${days} days after it happened needs a lateRecordingReason saying why.`,
    { date: occurredAt, recordedAt: clock.now, lateRecordingDays: days },
    RECORDING_CITES.late,
  );
}

/** What the recording rules look at of a command: when the act happened, and why it is recorded late (if it is). */
export interface RecordedAct {
  occurredAt: string;
  lateRecordingReason?: string;
}

/** Rule 17 on the recording of one act: not in the future, and not late without a reason. */
export function checkRecording(act: RecordedAct, clock: RecordingClock): TimeProblem | undefined {
  return checkNotInFuture('occurredAt', act.occurredAt, clock) ?? checkRecordedInTime(act.occurredAt, act.lateRecordingReason, clock);
}

/**
 * Another instant of a command that may not lie in the future either (e.g. the admission's
 * `admittedAt`); undefined when absent.
 */
export function checkInstantsNotInFuture(instants: Array<[field: string, instant: string | undefined]>, clock: RecordingClock): TimeProblem | undefined {
  for (const [field, instant] of instants) {
    if (instant === undefined) continue;
    const found = checkNotInFuture(field, instant, clock);
    if (found) return found;
  }
  return undefined;
}
