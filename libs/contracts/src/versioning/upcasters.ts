import type { FindingRaisedPayload } from '../audit/findings';
import type { FindingRaisedV1Payload } from '../audit/legacy';
import type { InmateAdmittedPayload } from '../custody/custody-events';
import type { InmateAdmittedV1Payload } from '../custody/legacy';
import type { InmateRecordCorrectedPayload, InmateRegisteredPayload } from '../intake/events';
import type { InmateRecordCorrectedV1Payload, InmateRegisteredV1Payload, InmateRegisteredV2Payload } from '../intake/legacy';
import type { InmateOpinionRecordedPayload } from '../transfer/events';
import type { InmateOpinionRecordedV1Payload, PlaceReservationDeclinedV1Payload, TransferObstacleEndedV1Payload } from '../transfer/legacy';
import type { PlaceReservationDeclinedPayload, TransferObstacleEndedPayload } from '../transfer/movement-events';

/**
 * Lifts a payload from `fromVersion` to `fromVersion + 1`. Upcasters are pure and total on valid
 * input of their version; a breaking change is always a new version with a new upcaster, never an
 * edit of a published schema.
 */
export interface Upcaster<From = unknown, To = unknown> {
  readonly type: string;
  readonly fromVersion: number;
  /** What changed, for the published document and for reviewers. */
  readonly change: string;
  upcast(data: From): To;
}

/** InmateRegistered v1 → v2: the single `nationality` becomes the list `nationalities`. */
export const inmateRegisteredV1ToV2: Upcaster<InmateRegisteredV1Payload, InmateRegisteredV2Payload> = {
  type: 'InmateRegistered',
  fromVersion: 1,
  change: 'The single `nationality` became the list `nationalities` (ETS 112 Art 3.1.a: any nationality of the administering state counts).',
  upcast: ({ nationality, ...rest }) => ({ ...rest, nationalities: [nationality] }),
};

const CLEAR_IDENTITY = 'Personal fields of `identity` became encrypted values (Rule 16, crypto-shredding). An event written before holds them in clear and is lifted unchanged: nothing can encrypt it without the person\'s key, and a clear value is valid where an encrypted one is expected.';

/** InmateRegistered v2 → v3: unchanged (see CLEAR_IDENTITY). */
export const inmateRegisteredV2ToV3: Upcaster<InmateRegisteredV2Payload, InmateRegisteredPayload> = {
  type: 'InmateRegistered',
  fromVersion: 2,
  change: CLEAR_IDENTITY,
  upcast: (data) => data,
};

/** InmateRecordCorrected v1 → v2: unchanged (see CLEAR_IDENTITY). */
export const inmateRecordCorrectedV1ToV2: Upcaster<InmateRecordCorrectedV1Payload, InmateRecordCorrectedPayload> = {
  type: 'InmateRecordCorrected',
  fromVersion: 1,
  change: CLEAR_IDENTITY,
  upcast: (data) => data,
};

/** InmateAdmitted v1 → v2: unchanged; the identity and health facts of the admission record became encrypted values the same way. */
export const inmateAdmittedV1ToV2: Upcaster<InmateAdmittedV1Payload, InmateAdmittedPayload> = {
  type: 'InmateAdmitted',
  fromVersion: 1,
  change: 'The identity and health facts of `admission` (names, date and place of birth, documents, visible injuries, health summary, fitness for detention) became encrypted values (Rule 16, crypto-shredding). An event written before holds them in clear and is lifted unchanged.',
  upcast: (data) => data,
};

/** PlaceReservationDeclined v1 → v2: `isCaseEnded` added; every refusal of version 1 ended the case. */
export const placeReservationDeclinedV1ToV2: Upcaster<PlaceReservationDeclinedV1Payload, PlaceReservationDeclinedPayload> = {
  type: 'PlaceReservationDeclined',
  fromVersion: 1,
  change: 'Added `isCaseEnded`: a refused place no longer ends the case unless the refusal rules the person out of the facility the case must use (Rule 9); the case may ask for a place again. Every refusal recorded in version 1 ended its case, and is lifted with `isCaseEnded: true`.',
  upcast: (data) => ({ ...data, isCaseEnded: true }),
};

/** TransferObstacleEnded v1 → v2: unchanged; `transferDueAt`, always present in v1, became optional. */
export const transferObstacleEndedV1ToV2: Upcaster<TransferObstacleEndedV1Payload, TransferObstacleEndedPayload> = {
  type: 'TransferObstacleEnded',
  fromVersion: 1,
  change: '`transferDueAt` became optional: an obstacle may stop a case under a basis that sets no transfer deadline (ETS 112, a lease), and its end then names none. A v1 event always carries it and is lifted unchanged.',
  upcast: (data) => data,
};

/** InmateOpinionRecorded v1 → v2: unchanged; the opinion became an encrypted value. */
export const inmateOpinionRecordedV1ToV2: Upcaster<InmateOpinionRecordedV1Payload, InmateOpinionRecordedPayload> = {
  type: 'InmateOpinionRecorded',
  fromVersion: 1,
  change: '`opinion` became an encrypted value under the transfer service\'s data key of the person (Rule 16, crypto-shredding). An event written before holds it in clear and is lifted unchanged.',
  upcast: (data) => data,
};

/** FindingRaised v1 → v2: unchanged; a finding may name a refused message of a topic instead of a person or facility. */
export const findingRaisedV1ToV2: Upcaster<FindingRaisedV1Payload, FindingRaisedPayload> = {
  type: 'FindingRaised',
  fromVersion: 1,
  change: 'Added `refusedMessage`: a finding may be about a message refused off a topic (its topic, partition, offset, claimed id, type, source and key id, and the refusal code) that names no person or facility, e.g. garbage under a forged signature; such a finding has the subject `topic/<topic>` and the topic as its key. A v1 finding always names a person or facility and is lifted unchanged.',
  upcast: (data) => data,
};

/** Every upcaster of the catalogue. */
export const UPCASTERS: readonly Upcaster[] = [
  inmateRegisteredV1ToV2 as Upcaster, inmateRegisteredV2ToV3 as Upcaster, inmateRecordCorrectedV1ToV2 as Upcaster, inmateAdmittedV1ToV2 as Upcaster,
  placeReservationDeclinedV1ToV2 as Upcaster,
  transferObstacleEndedV1ToV2 as Upcaster, inmateOpinionRecordedV1ToV2 as Upcaster, findingRaisedV1ToV2 as Upcaster,
];
