import type { TimelineEvent } from '../timeline/timeline';
import { type CheckOptions, type CheckResult, inOrderOfOccurrence, latest, learntAt, text, Verdicts } from './violation';

/** What the ledger says of a facility: whether its places are leased (Rule 9) and by whom. */
export interface FacilityFacts {
  facilityId: string;
  isLeased: boolean;
  lesseeState?: string;
  name?: string;
  /** The registration that says so. */
  registrationEventId: string;
}

/** The facility's facts from its ledger events (its registration), if it was registered. */
export function facilityFacts(facilityId: string, events: TimelineEvent[]): FacilityFacts | undefined {
  const registration = inOrderOfOccurrence(events).find((e) => e.type === 'FacilityRegistered' && e.data.facilityId === facilityId);
  if (!registration) return undefined;
  const lease = registration.data.lease as { lesseeState?: string } | undefined;
  const facts: FacilityFacts = {
    facilityId,
    isLeased: registration.data.jurisdiction === 'leased',
    name: text(registration.data.name),
    registrationEventId: registration.id,
  };
  if (lease?.lesseeState) facts.lesseeState = lease.lesseeState;
  return facts;
}

/**
 * Rule 9: a leased facility's occupancy never exceeds its capacity. Occupancy follows the
 * facility's PlaceOccupied (+1) and PlaceVacated (−1) in the order they happened; capacity its
 * registration and capacity changes. A period above capacity is a finding once it lasted
 * longer than the grace period (a vacating message may still be in flight).
 */
export function checkLeaseCapacity(facilityId: string, events: TimelineEvent[], options: CheckOptions, verdicts = new Verdicts(options)): CheckResult {
  const facts = facilityFacts(facilityId, events);
  if (!facts?.isLeased) return verdicts.result();
  let capacity = 0;
  let capacityEvidence = facts.registrationEventId;
  let occupancy = 0;
  let over: { since: string; knownSince: string; evidence: string[]; peak: number; firstId: string } | undefined;
  const subject = `facility/${facilityId}`;
  const close = (until?: string) => {
    if (!over) return;
    verdicts.add({
      key: `lease-capacity:${facilityId}:${over.firstId}`,
      invariant: 'lease-capacity',
      subject,
      facilityId,
      description: `${facts.name || facilityId}: occupancy ${over.peak} above the leased capacity of ${capacity} from ${over.since}${until ? ` to ${until}` : ''} (Rule 9).`,
      evidenceEventIds: [capacityEvidence, ...over.evidence],
      // Still above capacity: the grace period runs from when the record learnt of it.
      since: until ? over.since : over.knownSince,
      ...(until ? { until } : {}),
    });
    over = undefined;
  };
  for (const event of inOrderOfOccurrence(events)) {
    switch (event.type) {
      case 'FacilityRegistered':
      case 'FacilityCapacityChanged':
        capacity = Number(event.data.capacity);
        capacityEvidence = event.id;
        break;
      case 'PlaceOccupied':
        occupancy += 1;
        break;
      case 'PlaceVacated':
        occupancy -= 1;
        break;
      default:
        continue;
    }
    if (occupancy > capacity) {
      if (!over) over = { since: event.occurredAt, knownSince: latest(event.occurredAt, learntAt(event)), evidence: [], peak: occupancy, firstId: event.id };
      over.evidence.push(event.id);
      over.peak = Math.max(over.peak, occupancy);
    } else if (over) {
      over.evidence.push(event.id);
      close(event.occurredAt);
    }
  }
  close();
  return verdicts.result();
}
