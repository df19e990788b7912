import type { TimelineEvent } from '../timeline/timeline';
import { inOrderOfOccurrence, text } from './violation';

/** One transfer case as the person's ledger shows it. */
export interface TransferRecord {
  transferId: string;
  requested?: TimelineEvent;
  certificateReceived?: TimelineEvent;
  decision?: TimelineEvent;
  /** Rule 18: the lessee's placement decision, under a lease (no recognition). */
  placement?: TimelineEvent;
  consents: TimelineEvent[];
  extensions: TimelineEvent[];
  missed: TimelineEvent[];
  obstacles: TimelineEvent[];
  dispatches: TimelineEvent[];
  receipts: TimelineEvent[];
  admissions: TimelineEvent[];
  /** Withdrawn or cancelled. */
  ended?: TimelineEvent;
}

/** The facts of one person that the checks need, gathered from the ledger in order of occurrence. */
export interface InmateRecord {
  inmateId: string;
  /** Every event of the person, in the order they happened. */
  events: TimelineEvent[];
  registration?: TimelineEvent;
  nationalities: string[];
  livesIn?: string;
  residenceWhenArrested?: string;
  expulsionOrder?: { toState?: string; reference?: string; eventId: string };
  transfers: Map<string, TransferRecord>;
}

const TRANSFER_LISTS = {
  ConsentRecorded: 'consents',
  DeadlineExtended: 'extensions',
  DeadlineMissed: 'missed',
  TransferObstacleReported: 'obstacles',
  TransferObstacleEnded: 'obstacles',
  CustodyDispatched: 'dispatches',
  CustodyReceived: 'receipts',
  InmateAdmitted: 'admissions',
} as const;

/** Folds the person's ledger events into the facts the invariant checks look at. */
export function inmateRecord(inmateId: string, events: TimelineEvent[]): InmateRecord {
  const ordered = inOrderOfOccurrence(events);
  const record: InmateRecord = { inmateId, events: ordered, nationalities: [], transfers: new Map() };
  const transfer = (id: string): TransferRecord => {
    let found = record.transfers.get(id);
    if (!found) {
      found = { transferId: id, consents: [], extensions: [], missed: [], obstacles: [], dispatches: [], receipts: [], admissions: [] };
      record.transfers.set(id, found);
    }
    return found;
  };
  for (const event of ordered) {
    const data = event.data;
    switch (event.type) {
      case 'InmateRegistered': {
        record.registration = event;
        record.nationalities = Array.isArray(data.nationalities) ? (data.nationalities as string[]) : text(data.nationality) ? [text(data.nationality)] : [];
        const residence = data.residence as { habitualResidence?: string } | undefined;
        if (residence?.habitualResidence) record.livesIn = residence.habitualResidence;
        break;
      }
      case 'InmateRecordCorrected':
        if (Array.isArray(data.nationalities)) record.nationalities = data.nationalities as string[];
        break;
      case 'ResidenceStatusRecorded':
        if (text(data.habitualResidence)) record.livesIn = text(data.habitualResidence);
        if (text(data.habitualResidenceAtArrest)) record.residenceWhenArrested = text(data.habitualResidenceAtArrest);
        break;
      case 'ExpulsionOrderRecorded': {
        const order = data.expulsionOrder as { destinationState?: string; orderReference?: string } | undefined;
        record.expulsionOrder = { toState: order?.destinationState, reference: order?.orderReference, eventId: event.id };
        break;
      }
      case 'TransferRequested':
        transfer(text(data.transferId)).requested = event;
        break;
      case 'CertificateReceived':
        transfer(text(data.transferId)).certificateReceived = event;
        break;
      case 'ReceivingStateDecisionRecorded':
        transfer(text(data.transferId)).decision = event;
        break;
      case 'PlacementDecided':
        transfer(text(data.transferId)).placement = event;
        break;
      case 'ReturnRequested': {
        // Rule 19: a return is a case of its own, accepted by the decision that opened it.
        const ret = transfer(text(data.transferId));
        ret.requested = event;
        ret.placement = event;
        break;
      }
      case 'TransferWithdrawn':
      case 'TransferCancelled':
        transfer(text(data.transferId)).ended ??= event;
        break;
      default: {
        const list = TRANSFER_LISTS[event.type as keyof typeof TRANSFER_LISTS];
        if (list && text(data.transferId)) transfer(text(data.transferId))[list].push(event);
      }
    }
  }
  return record;
}

/** The legal basis a transfer was requested on, if its request is in the ledger. */
export const legalBasisOf = (transfer: TransferRecord | undefined): string | undefined =>
  transfer?.requested ? text(transfer.requested.data.legalBasis) : undefined;
