import { LEASE_BASIS_PREFIX } from '@custody/contracts';
import type { TimelineEvent } from '../timeline/timeline';
import type { FacilityFacts } from './facility.checks';
import { type InmateRecord, legalBasisOf } from './inmate-record';
import { latest, learntAt, ms, text, type Verdicts } from './violation';

/** A party that the record shows responsible for the person from an event on. */
interface Claim {
  party: string;
  label: string;
  from: TimelineEvent;
}

const ENDS_CUSTODY = new Set(['DomesticReleaseRecorded', 'InmateDiedInCustody', 'ConditionalReleaseGranted']);
const SHOWS_CUSTODY = new Set(['CustodyDispatched', 'CustodyReceived', 'InmateAdmitted', 'AbsenceStarted', 'AbsenceEnded', 'CellAssigned', 'InmateEscaped', 'InmateRecaptured', 'InmateCannotBeFound']);

/**
 * Rule 10: exactly one custodian at every instant from registration to final release. Each side
 * of the record claims the person from an event on: the sending state from the registration
 * (or a return) until it dispatches; the escort from the dispatch until the receipt; the
 * receiving facility from the receipt (or an admission) until a dispatch or the release.
 * Two claims at once are an overlap (a receipt without the dispatch, an admission while the
 * escort still holds the person); custody shown after it ended, with nobody responsible in
 * between, is a gap. Either is a finding once it lasted longer than the grace period.
 */
export function checkSingleCustodian(record: InmateRecord, verdicts: Verdicts): void {
  const { inmateId } = record;
  const subject = `inmate/${inmateId}`;
  let claims: Claim[] = [];
  let overlap: { since: TimelineEvent; evidence: string[]; parties: string[] } | undefined;
  let ended: TimelineEvent | undefined;
  const received = new Map<string, TimelineEvent>();

  const closeOverlap = (at?: TimelineEvent) => {
    if (!overlap) return;
    verdicts.add({
      key: `single-custodian:overlap:${inmateId}:${overlap.since.id}`,
      invariant: 'single-custodian',
      subject,
      inmateId,
      description: `Two custodians at once from ${overlap.since.occurredAt}${at ? ` to ${at.occurredAt}` : ''}: ${overlap.parties.join(' and ')} (Rule 10).`,
      evidenceEventIds: at ? [...overlap.evidence, at.id] : overlap.evidence,
      // Still open: the grace period runs from when the record learnt of it.
      since: at ? overlap.since.occurredAt : latest(overlap.since.occurredAt, learntAt(overlap.since)),
      ...(at ? { until: at.occurredAt } : {}),
    }, at ? latest(learntAt(overlap.since), learntAt(at)) : undefined);
    overlap = undefined;
  };
  const open = (claim: Claim) => {
    if (!claims.some((c) => c.party === claim.party)) claims.push(claim);
  };
  const close = (predicate: (c: Claim) => boolean) => {
    claims = claims.filter((c) => !predicate(c));
  };

  for (const event of record.events) {
    const data = event.data;
    if (ended && SHOWS_CUSTODY.has(event.type)) {
      verdicts.add({
        key: `single-custodian:gap:${inmateId}:${ended.id}`,
        invariant: 'single-custodian',
        subject,
        inmateId,
        description: `Custody ended at ${ended.occurredAt} (${ended.type}), yet ${event.type} at ${event.occurredAt} shows the person held: nobody was responsible in between (Rule 10).`,
        evidenceEventIds: [ended.id, event.id],
        since: ended.occurredAt,
        until: event.occurredAt,
      }, latest(learntAt(ended), learntAt(event)));
      ended = undefined;
    }
    const facility = text(data.facilityId);
    switch (event.type) {
      case 'InmateRegistered':
        ended = undefined;
        open({ party: 'sending', label: `the sending state ${text(data.sendingState)}`, from: event });
        break;
      case 'CustodyDispatched': {
        // The dispatching side hands the person to the escort. A dispatch placed after its own
        // receipt (the two sides' clocks disagree) only ends the dispatching side's claim.
        const receipt = received.get(text(data.transferId));
        close((c) => !c.party.startsWith('escort:') && c.from !== receipt);
        if (receipt) break;
        const escort = (data.escort ?? {}) as Record<string, unknown>;
        open({ party: `escort:${text(data.transferId)}`, label: `the escort ${text(escort.state)} ${text(escort.organisation)}`, from: event });
        break;
      }
      case 'CustodyReceived': {
        received.set(text(data.transferId), event);
        close((c) => c.party === `escort:${text(data.transferId)}`);
        const by = (data.receivedBy ?? {}) as Record<string, unknown>;
        open({ party: `facility:${facility}`, label: `${text(by.state)} ${text(by.organisation)} at facility ${facility}`, from: event });
        break;
      }
      case 'InmateAdmitted':
        open({ party: `facility:${facility}`, label: `facility ${facility}`, from: event });
        break;
      case 'InmateRecaptured':
        if (claims.length === 0) open({ party: 'recapture', label: text((data.recapturedBy as Record<string, unknown> | undefined)?.organisation), from: event });
        break;
      case 'InmateReleased':
        close(() => true);
        if (data.disposition === 'returned-to-sending-state') {
          open({ party: 'sending', label: 'the sending state (person returned)', from: event });
        } else {
          ended = event;
        }
        break;
      default:
        if (ENDS_CUSTODY.has(event.type)) {
          close(() => true);
          ended = event;
        }
    }
    if (claims.length > 1) {
      if (!overlap) {
        overlap = { since: event, evidence: [], parties: [] };
      }
      overlap.evidence = [...new Set([...overlap.evidence, ...claims.map((c) => c.from.id)])];
      overlap.parties = [...new Set([...overlap.parties, ...claims.map((c) => c.label)])];
    } else {
      closeOverlap(event);
    }
  }
  closeOverlap();
}

/**
 * Rule 11: custody passes only through a two-sided hand-over of an accepted transfer. For every
 * transfer whose hand-over began: the receiving state recognised it before (under a lease, the
 * lessee decided the placement before, Rule 18), it was not withdrawn
 * or cancelled before; a receipt has its dispatch; an admission from the transfer has its receipt.
 * A missing side counts from when the other side was recorded (it may still be in flight).
 */
export function checkTwoSidedHandOver(record: InmateRecord, verdicts: Verdicts): void {
  const { inmateId } = record;
  const subject = `inmate/${inmateId}`;
  for (const transfer of record.transfers.values()) {
    const first = [...transfer.dispatches, ...transfer.receipts].sort((a, b) => ms(a.occurredAt) - ms(b.occurredAt))[0];
    const base = { invariant: 'two-sided-hand-over' as const, subject, inmateId };
    if (first) {
      // Rule 18: under a lease the lessee's placement decision accepts the case; nothing is recognised.
      const decision = transfer.decision ?? transfer.placement;
      // Rule 19: a return is accepted by the decision of the state responsible for the person that opened it.
      const isAccepted = decision !== undefined && (decision.type === 'PlacementDecided' || decision.type === 'ReturnRequested' || decision.data.decision === 'recognised') && ms(decision.occurredAt) <= ms(first.occurredAt);
      const endedBefore = transfer.ended && ms(transfer.ended.occurredAt) <= ms(first.occurredAt) ? transfer.ended : undefined;
      if (!isAccepted || endedBefore) {
        const why = endedBefore
          ? `the transfer was ${endedBefore.type === 'TransferWithdrawn' ? 'withdrawn' : 'cancelled'} at ${endedBefore.occurredAt}`
          : decision?.data.decision === 'refused'
            ? 'the receiving state refused it'
            : decision?.type === 'PlacementDecided'
              ? `the lessee decided the placement only at ${decision.occurredAt}`
              : decision
                ? `the receiving state recognised it only at ${decision.occurredAt}`
                : 'no recognition by the receiving state (nor, under a lease, placement decision by the lessee) is recorded';
        verdicts.add({
          ...base,
          key: `two-sided-hand-over:not-accepted:${transfer.transferId}`,
          description: `Custody was handed over for transfer ${transfer.transferId} at ${first.occurredAt}, but ${why}: custody passes only under an accepted transfer (Rules 6, 11).`,
          evidenceEventIds: [first.id, ...(decision ? [decision.id] : []), ...(endedBefore ? [endedBefore.id] : [])],
          since: learntAt(first),
        });
      }
    }
    for (const receipt of transfer.receipts) {
      if (transfer.dispatches.length > 0) continue;
      const by = (receipt.data.receivedBy ?? {}) as Record<string, unknown>;
      verdicts.add({
        ...base,
        key: `two-sided-hand-over:dispatch-missing:${transfer.transferId}`,
        description: `Custody received by ${text(by.state)} ${text(by.organisation)} at ${receipt.occurredAt} for transfer ${transfer.transferId} without a recorded dispatch from the sending side (Rule 11).`,
        evidenceEventIds: [receipt.id],
        since: learntAt(receipt),
      });
    }
    for (const admission of transfer.admissions) {
      if (transfer.receipts.length > 0) continue;
      verdicts.add({
        ...base,
        key: `two-sided-hand-over:receipt-missing:${transfer.transferId}`,
        description: `Admitted at facility ${text(admission.data.facilityId)} at ${admission.occurredAt} from transfer ${transfer.transferId} without a recorded receipt: the receiving side of the hand-over is missing (Rule 11).`,
        evidenceEventIds: [admission.id, ...transfer.dispatches.map((d) => d.id)],
        since: learntAt(admission),
      });
    }
  }
}

/**
 * Rule 9: release from a leased facility carries a deportation-order reference. A facility is
 * leased when its registration says so, or when a lease transfer brought the person there. A
 * return to the sending state is a hand-over back to it, not a release, and needs no order.
 */
export function checkDeportationOrderOnLeaseRelease(record: InmateRecord, facilities: Map<string, FacilityFacts>, verdicts: Verdicts): void {
  const { inmateId } = record;
  const leasedBy = new Map<string, string>();
  for (const transfer of record.transfers.values()) {
    const basis = legalBasisOf(transfer);
    // Rule 19: a return's destination is in the state the person went back to, not a leased facility.
    if (!basis?.startsWith(LEASE_BASIS_PREFIX) || transfer.requested?.type === 'ReturnRequested') continue;
    for (const e of [...transfer.receipts, ...transfer.admissions]) leasedBy.set(text(e.data.facilityId), transfer.requested!.id);
  }
  for (const event of record.events) {
    if (event.type !== 'InmateReleased' || event.data.disposition === 'returned-to-sending-state') continue;
    if (text(event.data.deportationOrderReference)) continue;
    const facilityId = text(event.data.facilityId);
    const facts = facilities.get(facilityId);
    const lease = facts?.isLeased ? facts.registrationEventId : leasedBy.get(facilityId);
    if (!lease) continue;
    verdicts.add({
      key: `deportation-order-on-lease-release:${event.id}`,
      invariant: 'deportation-order-on-lease-release',
      subject: `inmate/${inmateId}`,
      inmateId,
      facilityId,
      description: `Released (${text(event.data.disposition)}) at ${event.occurredAt} from the leased facility ${facts?.name || facilityId} without a deportation-order reference (Rule 9).`,
      evidenceEventIds: [event.id, lease],
      since: learntAt(event),
    });
  }
}
