import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsOptional, ValidateIf, ValidateNested } from 'class-validator';
import { JsonSchemaRule } from '../common/json-schema-rule';
import { Authority } from '../common/authority';
import { CommandBase } from '../common/command-base';
import { IsId, IsInstant, IsLanguage, IsText } from '../common/formats';
import { IsStateCode, type StateCode } from '../common/state-codes';
import {
  AdaptedSentence, AGREEMENT_ANSWERS, AGREEMENT_CLAUSES, type AgreementAnswer, type AgreementClause, CONSENT_NOT_REQUIRED_GROUNDS, CONSENT_OUTCOMES, type ConsentNotRequiredGround, type ConsentOutcome,
  DEADLINE_KINDS, type DeadlineKind, ENFORCEMENT_PROCEDURES, type EnforcementProcedure, IsLegalBasis, LEASE_BASIS_PREFIX, type LegalBasis,
  RECEIVING_STATE_DECISIONS, type ReceivingStateDecision, REFUSAL_GROUNDS, type RefusalGround, RETURN_GROUNDS, type ReturnGround,
} from './values';

/**
 * Transfer commands, first half: from the request to the receiving state's decision, and the
 * deadlines (topic `custody.transfer.commands`). Stream `transfer-<transferId>`, keyed by inmate id.
 */

/** The sending state asks a receiving state to take over enforcement, or places in a leased facility. */
@JsonSchemaRule({ if: { properties: { legalBasis: { pattern: '^LEASE_' } } }, then: { required: ['facilityId'] } })
export class RequestTransfer extends CommandBase {
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

  /** The receiving facility; required for a lease. */
  @ValidateIf((c: RequestTransfer) => (typeof c.legalBasis === 'string' && c.legalBasis.startsWith(LEASE_BASIS_PREFIX)) || c.facilityId !== undefined)
  @IsId()
  facilityId?: string;

  @IsOptional()
  @IsText(2000)
  reason?: string;
}

/** Applies the legal rules to the case as the service knows it now. */
export class EvaluateEligibility extends CommandBase {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;
}

/** Rule 5: the person's opinion is always recorded. */
export class RecordInmateOpinion extends CommandBase {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsText(4000)
  opinion!: string;

  @IsLanguage()
  language!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => Authority)
  recordedBy!: Authority;
}

/** Rule 5: consent given, refused, or not required with its legal ground. */
@JsonSchemaRule({
  if: { properties: { outcome: { const: 'not-required' } } },
  then: { required: ['notRequiredGround'] },
})
export class RecordConsent extends CommandBase {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsIn(CONSENT_OUTCOMES)
  outcome!: ConsentOutcome;

  @ValidateIf((c: RecordConsent) => c.outcome === 'not-required' || c.notRequiredGround !== undefined)
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

/** Rule 5: the person is told of the decision in a language they understand. */
export class RecordInmateNotification extends CommandBase {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsLanguage()
  language!: string;

  @IsText(500)
  subject!: string;
}

/**
 * One state's answer on a clause both states must agree on (Rule 3: ETS 112 Art 3(2), a transfer
 * with less than six months left). Two-sided: the sending state records its own answer, the
 * receiving state its own (`agreedBy.state` is the state answering, and only that state may send
 * it); the clause is lifted once both have agreed.
 */
export class RecordStateAgreement extends CommandBase {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsIn(AGREEMENT_CLAUSES)
  clause!: AgreementClause;

  @IsIn(AGREEMENT_ANSWERS)
  answer!: AgreementAnswer;

  /** The state answering, and its authority. */
  @IsDefined()
  @ValidateNested()
  @Type(() => Authority)
  agreedBy!: Authority;

  /** The state's own reference of its answer (a letter, a decision). */
  @IsOptional()
  @IsText(64)
  reference?: string;

  @IsOptional()
  @IsText(2000)
  explanation?: string;
}

/** The sending state forwards the judgment and certificate to the receiving state. */
export class IssueCertificate extends CommandBase {
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

/** The receiving state confirms receipt; 2008/909 Art 12: the 90 days run from here. */
export class AcknowledgeCertificateReceipt extends CommandBase {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => Authority)
  receivedBy!: Authority;
}

/** Rule 6: the receiving state decides. Recognised (possibly adapted, Rule 8) or refused with a ground. */
@JsonSchemaRule({
  if: { properties: { decision: { const: 'refused' } } },
  then: { required: ['refusalGround'] },
  else: { required: ['procedure'] },
})
export class RecordReceivingStateDecision extends CommandBase {
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

  @ValidateIf((c: RecordReceivingStateDecision) => c.decision === 'recognised' || c.procedure !== undefined)
  @IsIn(ENFORCEMENT_PROCEDURES)
  procedure?: EnforcementProcedure;

  /** Present when the receiving state adapted the sentence. */
  @IsOptional()
  @ValidateNested()
  @Type(() => AdaptedSentence)
  adaptedSentence?: AdaptedSentence;

  /** The facility that will hold the person, when the receiving state names it. */
  @IsOptional()
  @IsId()
  facilityId?: string;

  @ValidateIf((c: RecordReceivingStateDecision) => c.decision === 'refused' || c.refusalGround !== undefined)
  @IsIn(REFUSAL_GROUNDS)
  refusalGround?: RefusalGround;

  @IsOptional()
  @IsText(2000)
  explanation?: string;
}

/** Rule 7: an extension needs a reason and a notice to the sending state. */
export class ExtendDeadline extends CommandBase {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsIn(DEADLINE_KINDS)
  deadline!: DeadlineKind;

  @IsInstant()
  newDueAt!: string;

  @IsText(2000)
  reason!: string;

  @IsText(64)
  noticeReference!: string;
}

/** Fired by the deadline scheduler: a deadline passed without the act (Rule 7). */
export class RecordMissedDeadline extends CommandBase {
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
 * Rule 18: under a facility lease, the lessee (the sending state) decides the placement in the
 * leased places itself, under its own law; nothing is recognised or adapted by the host state.
 * Only for a `LEASE_*` basis, and only by the sending state.
 */
export class DecidePlacement extends CommandBase {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  /** The lessee's own reference of its placement decision. */
  @IsText(64)
  decisionReference!: string;

  /** The lessee's authority that decided (Denmark: the Prison and Probation Service). */
  @IsDefined()
  @ValidateNested()
  @Type(() => Authority)
  decidedBy!: Authority;

  /** The leased facility: the one the request named. */
  @IsId()
  facilityId!: string;

  /** The grounds of the decision, as the lessee's decision states them. */
  @IsText(2000)
  grounds!: string;

  /** The lessee's law the decision applies (e.g. the Danish Sentence Enforcement Act § 1 a). */
  @IsText(500)
  legalGround!: string;
}

/**
 * Rule 19: the return of a person to the state that sentenced them, a new case (`transferId`, its
 * own stream) that names the completed case it undoes (`returnOf`): at the end of a lease, on a
 * court order, after a successful appeal of the placement, or where the treaty requires it. Decided
 * and dispatched by the state responsible for the person (`sendingState`: the lessee under a lease,
 * the administering state after a transfer of enforcement), received by the state the person goes
 * back to (`receivingState`: the sending state of the case returned from). docs/adr/0016-return-as-a-case.md.
 */
export class RequestReturn extends CommandBase {
  /** The return's own case id. */
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  /** The completed case the person was moved under, and is returned from. */
  @IsId()
  returnOf!: string;

  @IsIn(RETURN_GROUNDS)
  ground!: ReturnGround;

  /** The state responsible for the person now, which decides the return and dispatches them. */
  @IsStateCode()
  sendingState!: StateCode;

  /** The state the person goes back to: the sending state of the case returned from. */
  @IsStateCode()
  receivingState!: StateCode;

  /** The decision's own reference (the order, the appeal decision, the notice of the lease's end). */
  @IsText(64)
  decisionReference!: string;

  /** The authority that decided, of the responsible state. */
  @IsDefined()
  @ValidateNested()
  @Type(() => Authority)
  decidedBy!: Authority;

  /** The facility the person leaves: the one that admitted them at the end of the case returned from. */
  @IsId()
  fromFacilityId!: string;

  /** Where the person is taken in the state they go back to. */
  @IsId()
  destinationFacilityId!: string;

  @IsOptional()
  @IsText(2000)
  explanation?: string;
}
