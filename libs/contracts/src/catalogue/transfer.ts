import * as commands from '../transfer/commands';
import * as events from '../transfer/events';
import * as movementCommands from '../transfer/movement-commands';
import * as movementEvents from '../transfer/movement-events';
import { InmateOpinionRecordedV1Payload, PlaceReservationDeclinedV1Payload, TransferObstacleEndedV1Payload } from '../transfer/legacy';
import { TOPICS } from '../topics/topics';
import { group, message } from './define';

const c = { ...commands, ...movementCommands };
const e = { ...events, ...movementEvents };

/** Transfer commands: `custody.transfer.commands`. */
export const TRANSFER_COMMANDS = group(TOPICS.transferCommands, 'command', '/custody/transfer', {
  RequestTransfer: message(c.RequestTransfer, 'inmate', 'The sending state requests a transfer on a named legal basis.'),
  EvaluateEligibility: message(c.EvaluateEligibility, 'inmate', 'Applies the legal rules to the case.'),
  RecordInmateOpinion: message(c.RecordInmateOpinion, 'inmate', 'Records the person\'s opinion on the transfer.'),
  RecordConsent: message(c.RecordConsent, 'inmate', 'Records consent given, refused, or not required with its ground.'),
  RecordInmateNotification: message(c.RecordInmateNotification, 'inmate', 'Records that the person was told of a decision in a language they understand.'),
  RecordStateAgreement: message(c.RecordStateAgreement, 'inmate', 'One state records its own answer on a clause both states must agree on (ETS 112 Art 3(2): less than six months left); only the state answering may send it.'),
  IssueCertificate: message(c.IssueCertificate, 'inmate', 'The sending state forwards the judgment and certificate.'),
  AcknowledgeCertificateReceipt: message(c.AcknowledgeCertificateReceipt, 'inmate', 'The receiving state confirms receipt; the decision deadline starts.'),
  RecordReceivingStateDecision: message(c.RecordReceivingStateDecision, 'inmate', 'The receiving state recognises (possibly adapting the sentence) or refuses.'),
  DecidePlacement: message(c.DecidePlacement, 'inmate', 'Under a facility lease, the lessee (the sending state) decides the placement in the leased places under its own law: no recognition, no adaptation (Rule 18).'),
  RequestReturn: message(c.RequestReturn, 'inmate', 'Rule 19: the state responsible for the person decides their return to the state that sentenced them, on a ground the legal basis of the completed case provides (the lease ended, a court order, a successful appeal of the placement, the treaty); a new case, with its own hand-over.'),
  ExtendDeadline: message(c.ExtendDeadline, 'inmate', 'Extends a running deadline, with reason and notice.'),
  RecordMissedDeadline: message(c.RecordMissedDeadline, 'inmate', 'Records that a deadline passed. The transfer service\'s deadline scheduler records it; sent by a ministry, it is refused UNAUTHORISED_ACTOR.'),
  ReportTransferObstacle: message(c.ReportTransferObstacle, 'inmate', 'Reports an unforeseen obstacle to the physical transfer.'),
  EndTransferObstacle: message(c.EndTransferObstacle, 'inmate', 'Ends an obstacle; the 10-day transfer deadline starts.'),
  RequestPlaceReservation: message(c.RequestPlaceReservation, 'inmate', 'Asks the receiving facility to hold a place for the case.'),
  ConfirmPlaceReservation: message(c.ConfirmPlaceReservation, 'inmate', 'Records that the facility reserved the place. The transfer service records it from custody\'s PlaceReserved; sent by a ministry, it is refused UNAUTHORISED_ACTOR.'),
  DeclinePlaceReservation: message(c.DeclinePlaceReservation, 'inmate', 'Records that the facility refused the place. The transfer service records it from custody\'s ReservationRefused; sent by a ministry, it is refused UNAUTHORISED_ACTOR.'),
  ScheduleTransfer: message(c.ScheduleTransfer, 'inmate', 'Schedules the physical transfer with a named escort.'),
  RecordDispatch: message(c.RecordDispatch, 'inmate', 'Records the sending side of the hand-over.'),
  RecordReceipt: message(c.RecordReceipt, 'inmate', 'Records the receiving side of the hand-over.'),
  WithdrawTransfer: message(c.WithdrawTransfer, 'inmate', 'The sending state withdraws its request (before enforcement begins).'),
  CancelTransfer: message(c.CancelTransfer, 'inmate', 'Cancels the case.'),
  CompleteTransfer: message(c.CompleteTransfer, 'inmate', 'Completes the case once the facility reported the admission. The transfer service records it from custody\'s InmateAdmitted; sent by a ministry, it is refused UNAUTHORISED_ACTOR.'),
});

/** Transfer events: `custody.transfer.events`. */
export const TRANSFER_EVENTS = group(TOPICS.transferEvents, 'event', '/custody/transfer', {
  TransferRequested: message(e.TransferRequestedPayload, 'inmate', 'A transfer was requested.'),
  EligibilityEvaluated: message(e.EligibilityEvaluatedPayload, 'inmate', 'The legal rules were applied to the case.'),
  InmateOpinionRecorded: message(e.InmateOpinionRecordedPayload, 'inmate', 'The person\'s opinion was recorded; the opinion itself is encrypted under the person\'s data key.', { version: 2, legacy: { 1: InmateOpinionRecordedV1Payload } }),
  ConsentRecorded: message(e.ConsentRecordedPayload, 'inmate', 'Consent was recorded (given, refused or not required).'),
  InmateNotified: message(e.InmateNotifiedPayload, 'inmate', 'The person was told of a decision.'),
  StateAgreementRecorded: message(e.StateAgreementRecordedPayload, 'inmate', 'One state recorded its answer on a clause both states must agree on.'),
  CertificateIssued: message(e.CertificateIssuedPayload, 'inmate', 'The certificate was forwarded to the receiving state.'),
  CertificateReceived: message(e.CertificateReceivedPayload, 'inmate', 'The receiving state received the certificate.'),
  ReceivingStateDecisionRecorded: message(e.ReceivingStateDecisionRecordedPayload, 'inmate', 'The receiving state decided.'),
  PlacementDecided: message(e.PlacementDecidedPayload, 'inmate', 'The lessee decided the placement in the leased places (Rule 18).'),
  ReturnRequested: message(e.ReturnRequestedPayload, 'inmate', 'A return to the state that sentenced the person was decided (Rule 19).'),
  DeadlineExtended: message(e.DeadlineExtendedPayload, 'inmate', 'A deadline was extended.'),
  DeadlineMissed: message(e.DeadlineMissedPayload, 'inmate', 'A deadline passed without the act.'),
  TransferObstacleReported: message(e.TransferObstacleReportedPayload, 'inmate', 'An unforeseen obstacle stopped the physical transfer.'),
  TransferObstacleEnded: message(e.TransferObstacleEndedPayload, 'inmate', 'The obstacle ended.', { version: 2, legacy: { 1: TransferObstacleEndedV1Payload } }),
  PlaceReservationRequested: message(e.PlaceReservationRequestedPayload, 'inmate', 'A place was asked of the receiving facility.'),
  PlaceReservationConfirmed: message(e.PlaceReservationConfirmedPayload, 'inmate', 'The facility holds a place for the case.'),
  PlaceReservationDeclined: message(e.PlaceReservationDeclinedPayload, 'inmate', 'The facility refused a place; the case asks again unless the refusal ends it.', {
    version: 2,
    legacy: { 1: PlaceReservationDeclinedV1Payload },
  }),
  PlaceReleaseRequested: message(e.PlaceReleaseRequestedPayload, 'inmate', 'The case ended holding a place; the place is to be released.'),
  TransferScheduled: message(e.TransferScheduledPayload, 'inmate', 'The physical transfer was scheduled.'),
  CustodyDispatched: message(e.CustodyDispatchedPayload, 'inmate', 'The sending side handed the person to the escort.'),
  CustodyReceived: message(e.CustodyReceivedPayload, 'inmate', 'The receiving side took the person into charge.'),
  TransferWithdrawn: message(e.TransferWithdrawnPayload, 'inmate', 'The request was withdrawn.'),
  TransferCancelled: message(e.TransferCancelledPayload, 'inmate', 'The case was cancelled.'),
  TransferCompleted: message(e.TransferCompletedPayload, 'inmate', 'The case is complete: the person was admitted.'),
});
