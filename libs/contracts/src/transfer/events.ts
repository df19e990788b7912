import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsDefined, IsIn, IsOptional, ValidateIf, ValidateNested } from 'class-validator';
import { JsonSchemaRule } from '../common/json-schema-rule';
import { Authority } from '../common/authority';
import { IsId, IsInstant, IsLanguage, IsText } from '../common/formats';
import { clearText, type EncryptedValue, IsPersonal } from '../common/personal-data';
import { IsStateCode, type StateCode } from '../common/state-codes';
import {
  AdaptedSentence, AGREEMENT_ANSWERS, AGREEMENT_CLAUSES, type AgreementAnswer, type AgreementClause, CASE_SIDES, type CaseSide, CONSENT_NOT_REQUIRED_GROUNDS, CONSENT_OUTCOMES, type ConsentNotRequiredGround, type ConsentOutcome,
  DEADLINE_KINDS, type DeadlineKind, ENFORCEMENT_PROCEDURES, type EnforcementProcedure, IsLegalBasis, type LegalBasis,
  RECEIVING_STATE_DECISIONS, type ReceivingStateDecision, REFUSAL_GROUNDS, type RefusalGround, RETURN_GROUNDS, type ReturnGround, RuleVerdict,
} from './values';

/** Transfer events, first half (topic `custody.transfer.events`), keyed by inmate id. */

export class TransferRequestedPayload {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsStateCode()
  sendingState!: StateCode;

  @IsStateCode()
  receivingState!: StateCode;

  @IsLegalBasis()
  legalBasis!: LegalBasis;

  @IsOptional()
  @IsId()
  facilityId?: string;

  @IsOptional()
  @IsText(2000)
  reason?: string;
}

/** The legal rules applied to the case; `isEligible` is false when any verdict is `not-met`. */
export class EligibilityEvaluatedPayload {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsLegalBasis()
  legalBasis!: LegalBasis;

  @IsBoolean()
  isEligible!: boolean;

  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => RuleVerdict)
  verdicts!: RuleVerdict[];
}

/**
 * Version 2: the opinion is personal data (Rule 16), an encrypted value under the transfer
 * service's data key of the person (docs/personal-data.md, "Transfer: the opinion").
 */
export class InmateOpinionRecordedPayload {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  /** What the person said, sealed under the person's key (in clear only in an event of version 1). */
  @IsPersonal(clearText(4000))
  opinion!: EncryptedValue | string;

  @IsLanguage()
  language!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => Authority)
  recordedBy!: Authority;
}

@JsonSchemaRule({
  if: { properties: { outcome: { const: 'not-required' } } },
  then: { required: ['notRequiredGround'] },
})
export class ConsentRecordedPayload {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsIn(CONSENT_OUTCOMES)
  outcome!: ConsentOutcome;

  @ValidateIf((e: ConsentRecordedPayload) => e.outcome === 'not-required' || e.notRequiredGround !== undefined)
  @IsIn(CONSENT_NOT_REQUIRED_GROUNDS)
  notRequiredGround?: ConsentNotRequiredGround;

  /** The provision relied on, as the legal catalogue cites it (e.g. `ETS 167 Art 3(1)`). */
  @IsOptional()
  @IsText(500)
  cites?: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => Authority)
  recordedBy!: Authority;
}

export class InmateNotifiedPayload {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsLanguage()
  language!: string;

  @IsText(500)
  subject!: string;
}

/** One state's answer on a clause both states must agree on (Rule 3); `cites` the clause (e.g. `ETS 112 Art 3(2)`). */
export class StateAgreementRecordedPayload {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsIn(AGREEMENT_CLAUSES)
  clause!: AgreementClause;

  @IsIn(AGREEMENT_ANSWERS)
  answer!: AgreementAnswer;

  /** Which of the case's two states answered. */
  @IsIn(CASE_SIDES)
  side!: CaseSide;

  @IsDefined()
  @ValidateNested()
  @Type(() => Authority)
  agreedBy!: Authority;

  @IsText(500)
  cites!: string;

  @IsOptional()
  @IsText(64)
  reference?: string;

  @IsOptional()
  @IsText(2000)
  explanation?: string;
}

export class CertificateIssuedPayload {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsText(64)
  certificateReference!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => Authority)
  receivingAuthority!: Authority;

  @IsBoolean()
  isJudgmentEnclosed!: boolean;
}

/** Receipt acknowledged; `decisionDueAt` is the 90-day deadline of 2008/909 Art 12 (when it applies). */
export class CertificateReceivedPayload {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => Authority)
  receivedBy!: Authority;

  @IsOptional()
  @IsInstant()
  decisionDueAt?: string;
}

/** `transferDueAt`: the 30-day deadline for the physical transfer (2008/909 Art 15), when it applies. */
@JsonSchemaRule({
  if: { properties: { decision: { const: 'refused' } } },
  then: { required: ['refusalGround'] },
  else: { required: ['procedure'] },
})
export class ReceivingStateDecisionRecordedPayload {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsIn(RECEIVING_STATE_DECISIONS)
  decision!: ReceivingStateDecision;

  @IsText(64)
  decisionReference!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => Authority)
  decidedBy!: Authority;

  @ValidateIf((e: ReceivingStateDecisionRecordedPayload) => e.decision === 'recognised' || e.procedure !== undefined)
  @IsIn(ENFORCEMENT_PROCEDURES)
  procedure?: EnforcementProcedure;

  @IsOptional()
  @ValidateNested()
  @Type(() => AdaptedSentence)
  adaptedSentence?: AdaptedSentence;

  @IsOptional()
  @IsId()
  facilityId?: string;

  @ValidateIf((e: ReceivingStateDecisionRecordedPayload) => e.decision === 'refused' || e.refusalGround !== undefined)
  @IsIn(REFUSAL_GROUNDS)
  refusalGround?: RefusalGround;

  @IsOptional()
  @IsText(2000)
  explanation?: string;

  @IsOptional()
  @IsInstant()
  transferDueAt?: string;
}

export class DeadlineExtendedPayload {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsIn(DEADLINE_KINDS)
  deadline!: DeadlineKind;

  @IsInstant()
  previousDueAt!: string;

  @IsInstant()
  newDueAt!: string;

  @IsText(2000)
  reason!: string;

  @IsText(64)
  noticeReference!: string;
}

/** Rule 7: a missed deadline is an event, visible to auditors. */
export class DeadlineMissedPayload {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsIn(DEADLINE_KINDS)
  deadline!: DeadlineKind;

  @IsInstant()
  dueAt!: string;
}

/**
 * Rule 18: the lessee (the sending state) decided the placement in the leased places, under its
 * own law. No recognition and no adaptation: the sentence stays the lessee's.
 */
export class PlacementDecidedPayload {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsLegalBasis()
  legalBasis!: LegalBasis;

  @IsText(64)
  decisionReference!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => Authority)
  decidedBy!: Authority;

  @IsId()
  facilityId!: string;

  @IsText(2000)
  grounds!: string;

  @IsText(500)
  legalGround!: string;

  /** What the decision cites from the legal catalogue (the lease treaty and the lessee's act). */
  @IsText(500)
  cites!: string;
}

/**
 * Rule 19: a return to the state that sentenced the person was decided, on a ground the legal basis
 * of the case returned from provides; a new case, whose stages are the hand-over's (schedule,
 * dispatch, receipt) and which completes when the facility the person left records their release to
 * that state.
 */
export class ReturnRequestedPayload {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  /** The completed case the person is returned from. */
  @IsId()
  returnOf!: string;

  @IsIn(RETURN_GROUNDS)
  ground!: ReturnGround;

  /** The legal basis of the case returned from, under which the return is decided. */
  @IsLegalBasis()
  legalBasis!: LegalBasis;

  /** The state responsible for the person, which decided and dispatches. */
  @IsStateCode()
  sendingState!: StateCode;

  /** The state the person goes back to. */
  @IsStateCode()
  receivingState!: StateCode;

  @IsText(64)
  decisionReference!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => Authority)
  decidedBy!: Authority;

  @IsId()
  fromFacilityId!: string;

  @IsId()
  destinationFacilityId!: string;

  /** What the return cites from the legal catalogue for its ground. */
  @IsText(500)
  cites!: string;

  @IsOptional()
  @IsText(2000)
  explanation?: string;
}
