/**
 * @custody/contracts: the public contract with ministries. Commands, events, topics, the
 * CloudEvents envelope on Kafka, versions and upcasters, rejection codes. Named exports only.
 */

export { STATE_CODES, isStateCode, STATE_CODE_SCHEMA_NAME, IsStateCode, type StateCode } from './common/state-codes';
export { isIsoDate, isInstant, IsIsoDate, IsInstant, IsId, IsText, IsLanguage } from './common/formats';
export { Authority, HandOverParty, Escort } from './common/authority';
export {
  IDENTITY_DOCUMENT_KINDS, IdentityDocument, SEXES, PersonIdentity, type IdentityDocumentKind, type Sex,
} from './common/identity';
export { CommandBase } from './common/command-base';
export { canonicalJson, NotCanonicalisableError } from './common/canonical-json';
export {
  PERSONAL_DATA_ALGORITHMS, EncryptedValue, isEncryptedValue, IsPersonal, clearText, clearDate, clearList, clearBoolean, clearTexts,
  type PersonalDataAlgorithm, type ClearForm,
} from './common/personal-data';
export { ProtectedPersonIdentity, PERSONAL_IDENTITY_FIELDS, type PersonalIdentityField } from './common/protected-identity';
export {
  OFFENCE_CATEGORIES, Offence, SENTENCE_KINDS, SentenceLength, Sentence, RESIDENCE_STATUSES, Residence,
  ExpulsionOrder, HoldingFacility, DOMESTIC_RELEASE_REASONS, SENTENCE_ADJUSTMENT_REASONS,
  ENFORCEMENT_RESUMPTION_REASONS, ENFORCEMENT_END_REASONS, REPORT_KINDS, type OffenceCategory,
  type SentenceKind, type ResidenceStatus, type DomesticReleaseReason, type SentenceAdjustmentReason,
  type EnforcementResumptionReason, type EnforcementEndReason, type ReportKind, ERASURE_GROUNDS, type ErasureGround,
} from './intake/values';
export {
  RegisterInmate, RecordSentence, AdjustSentence, RecordResidenceStatus, RecordExpulsionOrder,
  RecordHealthAssessment, CorrectInmateRecord, RecordDomesticRelease, SuspendEnforcement, ResumeEnforcement,
  EndEnforcement, AcknowledgeReport, ErasePersonalData, PlaceLegalHold, LiftLegalHold,
} from './intake/commands';
export {
  InmateRegisteredPayload, SentenceRecordedPayload, SentenceAdjustedPayload, ResidenceStatusRecordedPayload,
  ExpulsionOrderRecordedPayload, HealthAssessmentRecordedPayload, InmateRecordCorrectedPayload,
  DomesticReleaseRecordedPayload, EnforcementSuspendedPayload, EnforcementResumedPayload,
  EnforcementEndedPayload, ReportAcknowledgedPayload, PersonalDataErasedPayload, LegalHoldPlacedPayload, LegalHoldLiftedPayload,
} from './intake/events';
export { InmateRegisteredV1Payload, InmateRegisteredV2Payload, InmateRecordCorrectedV1Payload } from './intake/legacy';
export { InmateAdmittedV1Payload } from './custody/legacy';
export { InmateOpinionRecordedV1Payload, PlaceReservationDeclinedV1Payload } from './transfer/legacy';
export {
  KNOWN_LEGAL_BASES, LEGAL_BASIS_PATTERN, LEASE_BASIS_PREFIX, IsLegalBasis, CONSENT_OUTCOMES, CONSENT_NOT_REQUIRED_GROUNDS, RECEIVING_STATE_DECISIONS,
  ENFORCEMENT_PROCEDURES, REFUSAL_GROUNDS, RETURN_GROUNDS, MEASURES, AdaptedSentence, DEADLINE_KINDS, CANCELLING_PARTIES,
  VERDICT_OUTCOMES, RuleVerdict, AGREEMENT_CLAUSES, AGREEMENT_ANSWERS, CASE_SIDES, type AgreementClause, type AgreementAnswer, type CaseSide,
  type LegalBasis, type ConsentOutcome, type ConsentNotRequiredGround,
  type ReceivingStateDecision, type EnforcementProcedure, type RefusalGround, type ReturnGround, type Measure, type DeadlineKind,
  type CancellingParty, type VerdictOutcome,
} from './transfer/values';
export {
  RequestTransfer, EvaluateEligibility, RecordInmateOpinion, RecordConsent, RecordInmateNotification,
  IssueCertificate, AcknowledgeCertificateReceipt, RecordReceivingStateDecision, ExtendDeadline,
  RecordMissedDeadline, RecordStateAgreement, DecidePlacement, RequestReturn,
} from './transfer/commands';
export {
  ReportTransferObstacle, EndTransferObstacle, RequestPlaceReservation, ConfirmPlaceReservation,
  DeclinePlaceReservation, ScheduleTransfer, RecordDispatch, RecordReceipt, WithdrawTransfer, CancelTransfer,
  CompleteTransfer,
} from './transfer/movement-commands';
export {
  TransferRequestedPayload, EligibilityEvaluatedPayload, InmateOpinionRecordedPayload, ConsentRecordedPayload,
  InmateNotifiedPayload, CertificateIssuedPayload, CertificateReceivedPayload,
  ReceivingStateDecisionRecordedPayload, DeadlineExtendedPayload, DeadlineMissedPayload, StateAgreementRecordedPayload,
  PlacementDecidedPayload, ReturnRequestedPayload,
} from './transfer/events';
export { TransferObstacleEndedV1Payload } from './transfer/legacy';
export {
  TransferObstacleReportedPayload, TransferObstacleEndedPayload, PlaceReservationRequestedPayload,
  PlaceReservationConfirmedPayload, PlaceReservationDeclinedPayload, PlaceReleaseRequestedPayload,
  TransferScheduledPayload, CustodyDispatchedPayload, CustodyReceivedPayload, TransferWithdrawnPayload,
  TransferCancelledPayload, TransferCompletedPayload,
} from './transfer/movement-events';
export {
  JURISDICTIONS, Lease, FacilityUnit, PlacementProfile, Commitment, PropertyItem, HealthOnAdmission,
  AdmissionRecord, PlacedAdmissionRecord, AdmissionPlacement, ProtectedAdmissionPlacement, SECURITY_LEVELS, type SecurityLevel,
  ProtectedAdmissionRecord, ProtectedHealthOnAdmission, ADMISSION_PERSONAL_FIELDS, ABSENCE_KINDS, RELEASE_DISPOSITIONS, CLEMENCY_KINDS, type Jurisdiction, type AbsenceKind,
  type ReleaseDisposition, type ClemencyKind,
} from './custody/values';
export {
  RegisterFacility, ChangeFacilityCapacity, ReservePlace, ReleaseReservation, ExpireReservation,
} from './custody/facility-commands';
export {
  FacilityRegisteredPayload, FacilityCapacityChangedPayload, PlaceReservedPayload, ReservationRefusedPayload,
  ReservationReleasedPayload, ReservationExpiredPayload, PlaceOccupiedPayload, PlaceVacatedPayload,
} from './custody/facility-events';
export {
  AdmitInmate, AssignCell, StartAbsence, EndAbsence, RecordEscape, RecordRecapture, ReportInmateNotFound,
  RecordDeathInCustody, GrantConditionalRelease, GrantPardonOrAmnesty, RecordSentenceCompleted, ReleaseInmate,
} from './custody/custody-commands';
export {
  InmateAdmittedPayload, CellAssignedPayload, AbsenceStartedPayload, AbsenceEndedPayload, InmateEscapedPayload,
  InmateRecapturedPayload, InmateCannotBeFoundPayload, InmateDiedInCustodyPayload,
  ConditionalReleaseGrantedPayload, PardonOrAmnestyGrantedPayload, SentenceCompletedPayload,
  InmateReleasedPayload, CustodyPersonalDataErasedPayload,
} from './custody/custody-events';
export { INVARIANTS, FindingRaisedPayload, FindingResolvedPayload, RefusedMessage, type Invariant } from './audit/findings';
export { FindingRaisedV1Payload } from './audit/legacy';
export { SIGNATURE_ALGORITHMS, LedgerCheckpointSignedPayload, type SignatureAlgorithm } from './audit/checkpoints';
export { FieldError, CommandAcceptedPayload, CommandRejectedPayload } from './results/command-results';
export { REJECTIONS, isRejectionCode, type RejectionDefinition, type RejectionCode } from './rejections/codes';
export {
  CommandRejection, notYetKnownHere, reject, rejectionOf, ContractViolation, type FieldProblem, type ContractViolationCode,
  type ViolationContext,
} from './rejections/errors';
export {
  TOPICS, ALL_TOPICS, TOPIC_PUBLISHERS, deadLetterTopic, isContractTopic, DEAD_LETTER_HEADERS, commandResultsTopic, stateOfCommandResultsTopic,
  type Topic,
} from './topics/topics';
export {
  type PayloadClass, type SubjectRule, type MessageSpec, type MessageKind, type MessageGroup,
} from './catalogue/define';
export {
  MESSAGE_GROUPS, MESSAGE_DEFINITIONS, findMessage, isCommandType, isEventType, currentVersion,
  messagesOnTopic, payloadClass, type IntakeCommandType, type TransferCommandType, type FacilityCommandType,
  type CustodyCommandType, type IntakeEventType, type TransferEventType, type FacilityEventType,
  type CustodyEventType, type AuditFindingType, type CommandResultType, type CommandType, type EventType,
  type MessageType, type CommandPayload, type EventPayload, type Command, type DomainEvent, type IntakeCommand,
  type TransferCommand, type FacilityCommand, type CustodyCommand, type IntakeEvent, type TransferEvent,
  type FacilityEvent, type CustodyEvent, type AuditFindingEvent, type CommandResult, type MessageDefinition,
} from './catalogue/catalogue';
export {
  VALIDATOR_OPTIONS, toFieldProblems, validatePayload, validateCommand, validateEvent, unknownVersion,
  type Validated,
} from './validation/validate';
export {
  inmateAdmittedV1ToV2, inmateRegisteredV1ToV2, inmateRegisteredV2ToV3, inmateRecordCorrectedV1ToV2, inmateOpinionRecordedV1ToV2, transferObstacleEndedV1ToV2, findingRaisedV1ToV2, UPCASTERS, type Upcaster,
} from './versioning/upcasters';
export { findUpcaster, readEvent, type ReadEvent } from './versioning/read-event';
export {
  MAX_MESSAGE_BYTES, EXTENSIONS, ACTOR_VERIFICATIONS, type ActorVerification, type EnvelopeActor, type EnvelopeMetadata, type Envelope, type ParsedEnvelope,
  type KafkaMessageLike, type OutgoingKafkaMessage, type StreamPosition,
} from './envelope/envelope';
export { readStreamPosition, streamHeaders, streamPositionOf } from './envelope/stream';
export { subjectOf, subjectAttribute, messageKey, type MessageSubject } from './envelope/subject';
export { checkStoredEvent, messageBytes, toKafkaMessage } from './envelope/write';
export { fromKafkaMessage } from './envelope/read';
export { EXAMPLES, LEGACY_EXAMPLES } from './examples/examples';
export { payloadSchemas, SCHEMA_POINTER, type JsonSchema } from './asyncapi/schemas';
export { buildAsyncApiDocument, CONTRACT_VERSION } from './asyncapi/document';
