import type { Inmate } from '../inmate/inmate.decider';
import { dayOf } from '../inmate/inmate.facts';
import { erasableOn, periodFor, type RetentionPolicy } from './retention-period';

/** Where a released person stands against the retention period (Rule 16). */
export interface RetentionStatus {
  inmateId: string;
  sendingState: string;
  releasedOn: string;
  retentionPeriod: string;
  /** The first day the personal data may be erased. */
  erasableOn: string;
  /** The period has run out on `asOf`. */
  isDue: boolean;
  /** References of the legal holds that stand: a due person under a hold is not erased. */
  legalHolds: string[];
}

/**
 * The retention status of a person on `asOf` (an instant), or undefined when there is nothing to
 * count: not registered, not released, or already erased. Pure.
 */
export function retentionStatus(state: Inmate, policy: RetentionPolicy, asOf: string): RetentionStatus | undefined {
  if (state.status === 'unregistered' || state.isPersonalDataErased || !state.releasedOn) return undefined;
  const firstDay = erasableOn(policy, state.sendingState, state.releasedOn);
  return {
    inmateId: state.inmateId,
    sendingState: state.sendingState,
    releasedOn: state.releasedOn,
    retentionPeriod: periodFor(policy, state.sendingState),
    erasableOn: firstDay,
    isDue: dayOf(asOf) >= firstDay,
    legalHolds: state.legalHolds.map((hold) => hold.reference),
  };
}
