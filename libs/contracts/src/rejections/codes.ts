/**
 * The rejection catalogue: every code a command or a message can be rejected with. Codes are
 * stable (a code is never renamed or reused); `message` is a sentence a person can act on; `status`
 * is the HTTP status the services answer with; `rule` points to docs/domain.md.
 */
export interface RejectionDefinition {
  readonly status: 400 | 403 | 404 | 409 | 413 | 422 | 500 | 503;
  readonly message: string;
  readonly rule?: string;
}

const define = <T extends Record<string, RejectionDefinition>>(codes: T): T => codes;

export const REJECTIONS = define({
  // The message itself
  VALIDATION_FAILED: { status: 400, message: 'Some fields are missing or invalid; correct each field listed in errors and send the command again.' },
  INVALID_ENVELOPE: { status: 400, message: 'The Kafka message is not a CloudEvent in binary mode as the contract requires; fix the headers or key listed in errors.' },
  UNKNOWN_MESSAGE_TYPE: { status: 400, message: 'The message type (ce_type) is not in the catalogue; check its spelling against the published AsyncAPI document.' },
  UNKNOWN_SCHEMA_VERSION: { status: 400, message: 'This schema version of the message type is not known; send a version listed in the AsyncAPI document.' },
  MESSAGE_TOO_LARGE: { status: 413, message: 'The message is over 1 MiB; send large documents by reference, not inline.' },
  WRONG_TOPIC: { status: 400, message: 'This message type does not belong on this topic; send it to the topic the AsyncAPI document names for it.' },
  UNAUTHORISED_ACTOR: { status: 403, message: 'The acting state or organisation may not send this command (for example, only the receiving state records its decision).' },
  SIGNATURE_MISSING: { status: 403, message: 'The command carries no signature (Kafka header ce_signature); sign each command with your ministry\'s command-signing key and send it again.' },
  SIGNATURE_INVALID: { status: 403, message: 'The command\'s signature does not verify with the configured ministry keys (an unknown key id, another algorithm, a changed message, or a signature made for another command); sign the exact message with your registered key.' },
  EVENT_SIGNATURE_INVALID: { status: 403, message: 'The event on a service\'s events topic is not signed by that service (Kafka header ce_eventsignature missing, unreadable, made with a key that is not one of the topic\'s publisher, or over other content): it was set aside in the dead-letter topic and not applied. Only the service that owns an events topic may assert its events.' },
  EVENT_ID_CONFLICT: { status: 409, message: 'An event with this id (ce_id) from this sender (ce_source) was already processed with other content: the second was set aside in the dead-letter topic and not applied, and the conflict raised as an alarm. Event ids are derived by each service from its name, the acting state and the command id (docs/adr/0014-namespaced-event-ids.md); a conflict means a sender reused or forged an id.' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, message: 'This commandId (or Idempotency-Key) was already used for another command: other content, another route or another state. Resend a command unchanged to hear its answer again; give a new command a new commandId.' },
  CONCURRENCY_CONFLICT: { status: 409, message: 'The record changed while the command was processed and retries did not succeed; send the command again.' },
  MESSAGE_UNREADABLE: { status: 400, message: 'The message could not be read at all (its headers or body broke the decoder); it was set aside in the dead-letter topic with the error. Check it against the AsyncAPI document and send it again.' },
  NOT_YET_KNOWN_HERE: { status: 409, message: 'Another service has recorded what this command needs (a person, a case, a hand-over), but its event has not reached this service yet; wait the seconds of Retry-After (details.retryAfterSeconds) and send the command again (over Kafka, with a new commandId). The details name what is awaited.' },
  PROCESSING_FAILED: { status: 500, message: 'The service could not process the message after retries; it was set aside in the dead-letter topic for an operator.' },

  // Time (Rule 17): every command's dates, in every service
  DATE_IN_FUTURE: { status: 422, message: 'A date lies in the future: after the time of the act (occurredAt), or occurredAt after the service\'s clock beyond the allowed clock skew; the details name the field. Record an act once it has happened, dated when it happened.', rule: '17' },
  DATE_BEFORE_PRECEDING_STEP: { status: 422, message: 'A date lies before the step it follows (a certificate received before it was issued, a decision before the receipt, a dispatch before the decision, an admission before the hand-over, an expiry before its start); the details name both dates.', rule: '17' },
  LATE_RECORDING_REASON_REQUIRED: { status: 422, message: 'The act is recorded long after it happened (more days than the service allows, 7 by default); give a lateRecordingReason saying why, or check occurredAt.', rule: '17' },

  // Personal data: the access log (Directive (EU) 2016/680 Art 25)
  PURPOSE_REQUIRED: { status: 400, message: 'A read of personal data must state its purpose in the X-Access-Purpose header (at most 500 characters); say why you need the record and send the request again.' },
  ACCESS_LOG_UNAVAILABLE: { status: 503, message: 'The access could not be recorded in the access log, so no personal data was returned; try again shortly.' },

  // Intake: the inmate record
  INMATE_ALREADY_REGISTERED: { status: 409, message: 'A person with the same identity document is already registered; use the existing inmate id given in the details.' },
  INMATE_NOT_FOUND: { status: 404, message: 'No inmate is registered under this id; register the person first.' },
  INMATE_ALREADY_RELEASED: { status: 409, message: 'The person has been released and the record is closed; record a correction if the release was recorded in error.' },
  SENTENCE_NOT_RECORDED: { status: 422, message: 'No sentence is recorded for this person; record the sentence first.' },
  REMAINING_TIME_NEGATIVE: { status: 422, message: 'The days served exceed the length of the sentence; check the dates and the days served.' },
  NOTHING_TO_CORRECT: { status: 422, message: 'The correction changes no recorded fact; give the corrected identity or nationalities.', rule: '15' },
  ENFORCEMENT_NOT_ACTIVE: { status: 409, message: 'The sending state is not enforcing this sentence now (it is suspended or ended).', rule: '12' },
  ENFORCEMENT_NOT_SUSPENDED: { status: 409, message: 'Enforcement can resume only after it was suspended by a transfer.', rule: '12' },
  REPORT_NOT_FOUND: { status: 404, message: 'No report of the receiving state with this event id is known for this person.', rule: '13' },
  LEGAL_HOLD_ACTIVE: { status: 409, message: 'A legal hold stands on this person\'s record; their personal data may not be erased until every hold is lifted (the details name them).', rule: '16' },
  RETENTION_NOT_EXPIRED: { status: 409, message: 'The retention period has not run out: personal data may be erased only after the final release plus the sending state\'s retention period (the details give the first day, if the person is released).', rule: '16' },
  PERSONAL_DATA_ERASED: { status: 409, message: 'The person\'s personal data was erased; identity can no longer be recorded or corrected for this record.', rule: '16' },
  LEGAL_HOLD_NOT_FOUND: { status: 404, message: 'No legal hold with this reference stands on this person\'s record.', rule: '16' },

  // Transfer: the legal process
  LEGAL_BASIS_NOT_APPLICABLE: { status: 422, message: 'The legal basis does not apply between these two states; choose a basis both states are party to.', rule: '1' },
  LEGAL_BASIS_UNKNOWN: { status: 422, message: 'The legal basis named is not in the legal catalogue; name a known entry (treaty, convention or lease) or have it added to the catalogue.', rule: '1' },
  FINAL_JUDGMENT_REQUIRED: { status: 422, message: 'A transfer of enforcement needs a final judgment; record the final-judgment date first.', rule: '2' },
  INSUFFICIENT_TIME_LEFT: { status: 422, message: 'Less than six months are left to serve; under ETS 112 both states must record their agreement to go ahead.', rule: '3' },
  NATIONALITY_REQUIREMENT_NOT_MET: { status: 422, message: 'The person does not have the nationality or link with the receiving state that this legal basis requires.', rule: '4' },
  CONSENT_REQUIRED: { status: 422, message: 'The person\'s consent is required under this legal basis; record it before this step, or the ground on which it is not required.', rule: '5' },
  CONSENT_REFUSED: { status: 422, message: 'The person refused consent and this legal basis requires it; the transfer cannot go ahead.', rule: '5' },
  CONSENT_GROUND_NOT_APPLICABLE: { status: 422, message: 'The ground given for not requiring consent does not apply to this case (or a state\'s declaration excludes it).', rule: '5' },
  OPINION_NOT_RECORDED: { status: 422, message: 'The person\'s opinion must be recorded before this step.', rule: '5' },
  AGREEMENT_CLAUSE_NOT_APPLICABLE: { status: 422, message: 'The legal basis of the case has no clause on which both states may agree to this (e.g. ETS 112 Art 3(2) for less than six months left); nothing needs agreeing under it.', rule: '3' },
  STATE_NOT_PARTY_TO_CASE: { status: 422, message: 'The state named is neither the sending nor the receiving state of the case; each of the two states records its own answer.', rule: '6' },
  TRANSFER_ALREADY_ACTIVE: { status: 409, message: 'This person already has an open transfer case; withdraw or finish it first.', rule: '6' },
  TRANSFER_NOT_FOUND: { status: 404, message: 'No transfer case exists under this id.' },
  TRANSFER_CLOSED: { status: 409, message: 'The transfer case has ended (completed, withdrawn, cancelled or refused); start a new case if needed.' },
  STEP_OUT_OF_ORDER: { status: 409, message: 'This step cannot be taken at the case\'s current stage; see the case\'s timeline for the next step.' },
  TRANSFER_NOT_AWAITING_DECISION: { status: 409, message: 'The receiving state can decide only after the certificate has been issued and before a decision is recorded.', rule: '6' },
  SENDING_STATE_MISMATCH: { status: 422, message: 'The sending state named is not the state that registered the person; only the state holding the person\'s record may request or pursue their transfer.', rule: '6' },
  RECEIVING_STATE_MISMATCH: { status: 422, message: 'A case has one receiving state at a time; this command names another state.', rule: '6' },
  WITHDRAWAL_TOO_LATE: { status: 409, message: 'Enforcement has begun in the receiving state; the request can no longer be withdrawn.', rule: '6' },
  DEADLINE_PASSED: { status: 422, message: 'The deadline for this step has passed; record an extension with its reason, or close the case.', rule: '7' },
  DEADLINE_NOT_RUNNING: { status: 409, message: 'This deadline is not running for the case; only a running deadline can be extended.', rule: '7' },
  ADAPTED_SENTENCE_HARSHER: { status: 422, message: 'An adapted sentence may not be harsher than the sentence imposed; correct the adapted length or kind.', rule: '8' },
  ADAPTED_SENTENCE_IS_FINE: { status: 422, message: 'A custodial sentence may not be converted to a fine.', rule: '8' },
  TIME_SERVED_NOT_DEDUCTED: { status: 422, message: 'All time served, pre-trial detention included, must be deducted; correct the days deducted.', rule: '8' },
  PLACE_NOT_RESERVED: { status: 409, message: 'No place is reserved in the receiving facility; reserve one before scheduling the transfer.' },
  HAND_OVER_INCOMPLETE: { status: 409, message: 'Both sides of the hand-over must be recorded (dispatch, then receipt) before this step.', rule: '11' },

  // Custody: facilities and persons held there
  FACILITY_ALREADY_REGISTERED: { status: 409, message: 'A facility is already registered under this id.' },
  FACILITY_NOT_FOUND: { status: 404, message: 'No facility is registered under this id.' },
  CAPACITY_EXHAUSTED: { status: 409, message: 'The facility has no free place (occupancy and reservations reach its capacity); choose another facility or wait for a place.', rule: '9' },
  CAPACITY_BELOW_OCCUPANCY: { status: 422, message: 'The new capacity is below the places already occupied or reserved; release places first.', rule: '9' },
  PLACEMENT_NOT_UNDER_LEASE: { status: 422, message: 'A placement decision by the sending state exists only under a facility lease; under a transfer of enforcement the receiving state recognises the judgment (certificate, receipt, decision).', rule: '18' },
  PLACEMENT_NOT_BY_LESSEE: { status: 422, message: 'Under a facility lease only the lessee (the sending state, which rents the places) decides the placement; the host state decides nothing on it.', rule: '18' },
  RECOGNITION_NOT_UNDER_LEASE: { status: 422, message: 'Under a facility lease there is nothing for the host state to recognise or adapt: the sentence stays the lessee\'s. No certificate, receipt or receiving-state decision; the lessee records its placement decision (POST /transfers/:id/placement).', rule: '18' },
  RETURN_GROUND_NOT_APPLICABLE: { status: 422, message: 'The legal basis of the case returned from provides no return of the person on this ground (Rule 19); the refusal names the grounds it provides.', rule: '19' },
  RETURN_NOT_BY_RESPONSIBLE_STATE: { status: 422, message: 'A return is decided and dispatched by the state responsible for the person (the lessee under a lease, the administering state after a transfer of enforcement) and received by the state that sentenced them (Rule 19).', rule: '19' },
  RETURN_OF_OPEN_CASE: { status: 409, message: 'A return undoes a completed case: the case named in returnOf has not ended with the person\'s admission (Rule 19).', rule: '19' },
  LEASE_ELIGIBILITY_NOT_MET: { status: 422, message: 'The person may not be placed in this leased facility (no expulsion order, an excluded offence or condition, or a life sentence).', rule: '9' },
  RESERVATION_NOT_FOUND: { status: 404, message: 'No reservation with this id exists at the facility.' },
  RESERVATION_NOT_ACTIVE: { status: 409, message: 'The reservation was already released, expired or used.' },
  ADMISSION_RECORD_INCOMPLETE: { status: 422, message: 'The admission record lacks facts European Prison Rules 15.1 require; complete the fields listed.', rule: '14' },
  ADMISSION_WITHOUT_HAND_OVER: { status: 409, message: 'No completed hand-over for this transfer is known; record both sides of the hand-over before admission.', rule: '11' },
  INMATE_ALREADY_IN_CUSTODY: { status: 409, message: 'The person is already in custody here; a person has one custodian and one place at a time.', rule: '10' },
  INMATE_NOT_IN_CUSTODY: { status: 409, message: 'The person is not in custody at this facility now.', rule: '10' },
  ABSENCE_ALREADY_OPEN: { status: 409, message: 'The person is already absent; end the current absence first.', rule: '10' },
  ABSENCE_NOT_FOUND: { status: 404, message: 'No open absence with this id exists for the person.', rule: '10' },
  INMATE_NOT_ESCAPED: { status: 409, message: 'No escape is recorded for the person; a recapture needs an escape first.' },
  DEPORTATION_ORDER_REQUIRED: { status: 422, message: 'Release from a leased facility requires the reference of the deportation order.', rule: '9' },
  CUSTODY_ENDED: { status: 409, message: 'The person\'s custody here has ended (released or deceased); no further step can be recorded.' },
});

/** A stable machine-readable rejection code. */
export type RejectionCode = keyof typeof REJECTIONS;

/** True when the string is a code of the catalogue. */
export function isRejectionCode(code: string): code is RejectionCode {
  return Object.prototype.hasOwnProperty.call(REJECTIONS, code);
}
