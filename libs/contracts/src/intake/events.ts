import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsDefined, IsIn, IsOptional, ValidateNested } from 'class-validator';
import { Authority } from '../common/authority';
import { IsId, IsIsoDate, IsText } from '../common/formats';
import { ProtectedPersonIdentity } from '../common/protected-identity';
import { IsStateCode, type StateCode } from '../common/state-codes';
import {
  DOMESTIC_RELEASE_REASONS, type DomesticReleaseReason, ENFORCEMENT_END_REASONS, type EnforcementEndReason,
  ENFORCEMENT_RESUMPTION_REASONS, type EnforcementResumptionReason, ExpulsionOrder, HoldingFacility,
  REPORT_KINDS, type ReportKind, Residence, RESIDENCE_STATUSES, type ResidenceStatus, Sentence,
  SENTENCE_ADJUSTMENT_REASONS, type SentenceAdjustmentReason, ERASURE_GROUNDS, type ErasureGround,
} from './values';

/** Intake events (topic `custody.intake.events`), keyed by inmate id. */

/**
 * InmateRegistered, schema version 3: the personal fields of `identity` are encrypted with the
 * person's data key (v2 had them in clear; v1 had a single `nationality`).
 */
export class InmateRegisteredPayload {
  @IsId()
  inmateId!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => ProtectedPersonIdentity)
  identity!: ProtectedPersonIdentity;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5)
  @IsStateCode({ each: true })
  nationalities!: StateCode[];

  @IsStateCode()
  sendingState!: StateCode;

  @IsDefined()
  @ValidateNested()
  @Type(() => HoldingFacility)
  holdingFacility!: HoldingFacility;

  @IsDefined()
  @ValidateNested()
  @Type(() => Residence)
  residence!: Residence;
}

export class SentenceRecordedPayload {
  @IsId()
  inmateId!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => Sentence)
  sentence!: Sentence;
}

export class SentenceAdjustedPayload {
  @IsId()
  inmateId!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => Sentence)
  sentence!: Sentence;

  @IsIn(SENTENCE_ADJUSTMENT_REASONS)
  reason!: SentenceAdjustmentReason;

  @IsText(1000)
  explanation!: string;
}

export class ResidenceStatusRecordedPayload {
  @IsId()
  inmateId!: string;

  @IsIn(RESIDENCE_STATUSES)
  status!: ResidenceStatus;

  @IsStateCode()
  habitualResidence!: StateCode;

  @IsOptional()
  @IsStateCode()
  habitualResidenceAtArrest?: StateCode;

  @IsOptional()
  @IsText(64)
  permitReference?: string;
}

export class ExpulsionOrderRecordedPayload {
  @IsId()
  inmateId!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => ExpulsionOrder)
  expulsionOrder!: ExpulsionOrder;
}

export class HealthAssessmentRecordedPayload {
  @IsId()
  inmateId!: string;

  @IsBoolean()
  hasSeriousMentalIllness!: boolean;

  @IsBoolean()
  hasTerminalIllness!: boolean;

  @IsDefined()
  @ValidateNested()
  @Type(() => Authority)
  assessedBy!: Authority;

  @IsIsoDate()
  assessedOn!: string;
}

/**
 * A compensating event (Rule 15): the facts present here replace those of `correctedEventId`.
 * Schema version 2: the personal fields of `identity` are encrypted (v1 had them in clear).
 */
export class InmateRecordCorrectedPayload {
  @IsId()
  inmateId!: string;

  @IsId()
  correctedEventId!: string;

  @IsText(1000)
  reason!: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => ProtectedPersonIdentity)
  identity?: ProtectedPersonIdentity;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5)
  @IsStateCode({ each: true })
  nationalities?: StateCode[];
}

export class DomesticReleaseRecordedPayload {
  @IsId()
  inmateId!: string;

  @IsIn(DOMESTIC_RELEASE_REASONS)
  reason!: DomesticReleaseReason;

  @IsOptional()
  @IsText(1000)
  explanation?: string;
}

export class EnforcementSuspendedPayload {
  @IsId()
  inmateId!: string;

  @IsId()
  transferId!: string;

  @IsStateCode()
  receivingState!: StateCode;
}

export class EnforcementResumedPayload {
  @IsId()
  inmateId!: string;

  @IsOptional()
  @IsId()
  transferId?: string;

  @IsIn(ENFORCEMENT_RESUMPTION_REASONS)
  reason!: EnforcementResumptionReason;

  @IsOptional()
  @IsText(1000)
  explanation?: string;
}

export class EnforcementEndedPayload {
  @IsId()
  inmateId!: string;

  @IsOptional()
  @IsId()
  transferId?: string;

  @IsIn(ENFORCEMENT_END_REASONS)
  reason!: EnforcementEndReason;
}

export class ReportAcknowledgedPayload {
  @IsId()
  inmateId!: string;

  @IsId()
  reportEventId!: string;

  @IsIn(REPORT_KINDS)
  report!: ReportKind;
}

/**
 * The person's personal data was erased (Rule 16): the data key that encrypted their personal
 * fields was destroyed, so every copy of those fields (here, on the topic, in the audit ledger)
 * is unreadable for ever. Carries no personal data.
 */
export class PersonalDataErasedPayload {
  @IsId()
  inmateId!: string;

  /** The state whose retention period applied. */
  @IsStateCode()
  sendingState!: StateCode;

  /** The id of the destroyed data key (the `kid` of the person's encrypted values). */
  @IsOptional()
  @IsText(64)
  keyId?: string;

  @IsIn(ERASURE_GROUNDS)
  ground!: ErasureGround;

  /** The final release the retention period ran from. */
  @IsIsoDate()
  releasedOn!: string;

  /** The retention period of the sending state (ISO 8601, e.g. P10Y). */
  @IsText(32)
  retentionPeriod!: string;

  /** The first day the data could be erased (releasedOn + retentionPeriod). */
  @IsIsoDate()
  erasableOn!: string;

  /** The paths of the fields erased, e.g. `identity.familyName`. */
  @IsArray()
  @ArrayMaxSize(20)
  @IsText(64, { each: true })
  erasedFields!: string[];

  @IsOptional()
  @IsText(1000)
  explanation?: string;
}

/** A legal hold (litigation, an inquiry, a request of a court): the person's data may not be erased while it stands. */
export class LegalHoldPlacedPayload {
  @IsId()
  inmateId!: string;

  /** The reference of the order or file that requires the hold; unique per person. */
  @IsText(64)
  reference!: string;

  @IsText(1000)
  reason!: string;
}

export class LegalHoldLiftedPayload {
  @IsId()
  inmateId!: string;

  @IsText(64)
  reference!: string;

  @IsText(1000)
  reason!: string;
}
