import type { Invariant, RefusedMessage } from '@custody/contracts';
import type { TimelineEvent } from '../timeline/timeline';

/**
 * A broken invariant as the pure checks see it. `key` names the violation so that the same one
 * found again is recognised (the finding id is derived from it); `since` is the instant from
 * which it counts, for the grace period given to messages still in flight.
 */
export interface Violation {
  key: string;
  invariant: Invariant;
  /** `inmate/<id>` or `facility/<id>`: whose record the finding is about; `topic/<topic>` for a topic-level finding. */
  subject: string;
  inmateId?: string;
  facilityId?: string;
  /** A topic-level finding's message: refused off the topic, naming no person or facility. */
  refusedMessage?: RefusedMessage;
  description: string;
  evidenceEventIds: string[];
  since: string;
  /** For a situation that ended (an overlap, an over-capacity period): when. */
  until?: string;
}

/** What a check found at `now`: violations beyond the grace period, and candidates still within it. */
export interface CheckResult {
  violations: Violation[];
  /** Candidates within the grace period: not findings (yet), and an open finding with the same key stays open. */
  pending: Violation[];
  /** The earliest instant at which the result may change with no new event (a grace period or a deadline running out). */
  recheckAt?: string;
}

/** How the checks are run: the clock, Rule 10's grace period and Rule 17's days come in from outside. */
export interface CheckOptions {
  now: string;
  gracePeriodMs: number;
  /** Rule 17: days after which a recorded act is late (COMMAND_LATE_RECORDING_DAYS); 7 when not given. */
  lateRecordingDays?: number;
}

export const ms = (instant: string): number => Date.parse(instant);
export const iso = (millis: number): string => new Date(millis).toISOString();
/** The later of two instants. */
export const latest = (a: string, b: string): string => (ms(b) > ms(a) ? b : a);
export const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Sorts candidates into violations and pending by the grace period, and works out when to look again. */
export class Verdicts {
  readonly violations: Violation[] = [];
  readonly pending: Violation[] = [];
  private recheck = Infinity;

  constructor(private readonly options: CheckOptions) {}

  /**
   * A situation that lasts from `since` to `until` (or to now): a violation once it lasted longer
   * than the grace period. `learnt`, when given, is when the record learnt of the evidence that
   * shows the situation (the latest of its events, see {@link learntAt}): a situation that ended
   * long ago, but was learnt of just now, also waits out the grace period, since the message that
   * settles it (the other side of a hand-over, published on another topic) may still be in flight.
   */
  add(candidate: Violation, learnt?: string): void {
    const since = ms(candidate.since);
    const end = candidate.until === undefined ? ms(this.options.now) : ms(candidate.until);
    const settledAt = learnt === undefined ? -Infinity : ms(learnt) + this.options.gracePeriodMs;
    const violation = clipped(candidate);
    if (end - since >= this.options.gracePeriodMs && ms(this.options.now) >= settledAt) {
      this.violations.push(violation);
    } else {
      this.pending.push(violation);
      if (candidate.until === undefined) this.later(since + this.options.gracePeriodMs);
      this.later(settledAt);
    }
  }

  /**
   * A fact of the record that no message in flight can change (an act recorded late, Rule 17): a
   * violation at once, without a grace period.
   */
  addFact(candidate: Violation): void {
    this.violations.push(clipped(candidate));
  }

  /** Something will change at this instant (a deadline falls due). */
  later(at: number): void {
    if (at > ms(this.options.now) && at < this.recheck) this.recheck = at;
  }

  result(): CheckResult {
    const result: CheckResult = { violations: this.violations, pending: this.pending };
    if (Number.isFinite(this.recheck)) result.recheckAt = iso(this.recheck);
    return result;
  }
}

/** A violation within the limits of FindingRaised: evidence without repeats, at most 1,000; a description of at most 2,000 characters. */
function clipped(candidate: Violation): Violation {
  return { ...candidate, evidenceEventIds: [...new Set(candidate.evidenceEventIds)].slice(0, 1000), description: candidate.description.slice(0, 2000) };
}

/** A ledger event as the checks see it: with when the ledger received it, where known. */
export type CheckedEvent = TimelineEvent & { arrivedAt?: string };

/**
 * When the record learnt of an event: the later of when its publisher recorded it and when the
 * ledger received it. The grace period for a missing counterpart runs from here: a message of
 * the other side may still be in flight.
 */
export const learntAt = (event: CheckedEvent): string => (event.arrivedAt ? latest(event.recordedAt, event.arrivedAt) : event.recordedAt);

/** Events in the order they happened (then as recorded, then ledger order). */
export function inOrderOfOccurrence(events: TimelineEvent[]): TimelineEvent[] {
  return events
    .map((event) => ({ event, occurred: ms(event.occurredAt), recorded: ms(event.recordedAt) }))
    .sort((a, b) => a.occurred - b.occurred || a.recorded - b.recorded || a.event.position - b.event.position)
    .map((e) => e.event);
}
