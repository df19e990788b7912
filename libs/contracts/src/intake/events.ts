import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsDefined, IsIn, IsOptional, ValidateNested } from 'class-validator';
import { Authority } from '../common/authority';
import { IsId, IsIsoDate, IsText } from '../common/formats';
import { PersonIdentity } from '../common/identity';
import { IsStateCode, type StateCode } from '../common/state-codes';
import {
  DOMESTIC_RELEASE_REASONS, type DomesticReleaseReason, ENFORCEMENT_END_REASONS, type EnforcementEndReason,
  ENFORCEMENT_RESUMPTION_REASONS, type EnforcementResumptionReason, ExpulsionOrder, HoldingFacility,
  REPORT_KINDS, type ReportKind, Residence, RESIDENCE_STATUSES, type ResidenceStatus, Sentence,
  SENTENCE_ADJUSTMENT_REASONS, type SentenceAdjustmentReason,
} from './values';

/** Intake events (topic `custody.intake.events`), keyed by inmate id. */

/** InmateRegistered, schema version 2: `nationalities` (v1 had a single `nationality`). */
export class InmateRegisteredPayload {
  @IsId()
  inmateId!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => PersonIdentity)
  identity!: PersonIdentity;

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

/** A compensating event (Rule 15): the facts present here replace those of `correctedEventId`. */
export class InmateRecordCorrectedPayload {
  @IsId()
  inmateId!: string;

  @IsId()
  correctedEventId!: string;

  @IsText(1000)
  reason!: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => PersonIdentity)
  identity?: PersonIdentity;

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
