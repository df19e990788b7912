import type { CaseFacts, HealthCondition } from '@custody/legal';
import type { Inmate } from '../inmate/inmate.decider';
import { sentenceFacts } from '../inmate/inmate.facts';

type Registered = Exclude<Inmate, { status: 'unregistered' }>;

/**
 * The facts of a case before any request, as the legal rules take them: the inmate's record,
 * the receiving state and the basis asked about, evaluated as of a day. What only a transfer
 * case records (consent, opinion, the states' agreements) is absent: the rules say it needs a decision.
 */
export function screeningFacts(inmate: Registered & { sentence: NonNullable<Registered['sentence']> }, basis: string, receivingState: string, asOf: string): CaseFacts {
  const order = inmate.expulsionOrders[inmate.expulsionOrders.length - 1];
  const healthConditions: HealthCondition[] | undefined = inmate.health
    ? [
        ...(inmate.health.hasSeriousMentalIllness ? (['serious-mental-illness'] as const) : []),
        ...(inmate.health.hasTerminalIllness ? (['terminal-illness'] as const) : []),
      ]
    : undefined;
  return {
    basis,
    sendingState: inmate.sendingState,
    receivingState,
    requestReceivedOn: asOf,
    inmate: {
      nationalities: inmate.nationalities,
      livesIn: inmate.residence.habitualResidence,
      ...(inmate.residence.habitualResidenceAtArrest ? { residenceWhenArrested: inmate.residence.habitualResidenceAtArrest } : {}),
      ...(order ? { expulsionOrder: { toState: order.destinationState, reference: order.orderReference } } : {}),
      ...(healthConditions ? { healthConditions } : {}),
    },
    sentence: sentenceFacts(inmate.sentence),
  };
}
