import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsDefined, IsIn, IsOptional, ValidateNested } from 'class-validator';
import { Authority } from '../common/authority';
import { CommandBase } from '../common/command-base';
import { IsId, IsIsoDate, IsText } from '../common/formats';
import { PersonIdentity } from '../common/identity';
import { IsStateCode, type StateCode } from '../common/state-codes';
import {
  DOMESTIC_RELEASE_REASONS, type DomesticReleaseReason, ENFORCEMENT_END_REASONS, type EnforcementEndReason,
  ENFORCEMENT_RESUMPTION_REASONS, type EnforcementResumptionReason, ExpulsionOrder, HoldingFacility,
  REPORT_KINDS, type ReportKind, Residence, RESIDENCE_STATUSES, type ResidenceStatus, Sentence,
  SENTENCE_ADJUSTMENT_REASONS, type SentenceAdjustmentReason,
} from './values';

/** Intake commands: the inmate record kept by the sending state (topic `custody.intake.commands`). */

/** Registers a person the sending state may transfer. Stream `inmate-<inmateId>`. */
export class RegisterInmate extends CommandBase {
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

/** Records the sentence being enforced (Rules 2, 3, 8). */
export class RecordSentence extends CommandBase {
  @IsId()
  inmateId!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => Sentence)
  sentence!: Sentence;
}

/** Replaces the sentence in force after an appeal, a remission or a recalculation. */
export class AdjustSentence extends CommandBase {
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

export class RecordResidenceStatus extends CommandBase {
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

export class RecordExpulsionOrder extends CommandBase {
  @IsId()
  inmateId!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => ExpulsionOrder)
  expulsionOrder!: ExpulsionOrder;
}

/** The health facts lease eligibility needs (Rule 9: serious mental or terminal illness excludes). */
export class RecordHealthAssessment extends CommandBase {
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
 * Corrects the identity or nationalities recorded earlier (Rule 15: a compensating event, never
 * an edit). The decider rejects a correction that changes nothing.
 */
export class CorrectInmateRecord extends CommandBase {
  @IsId()
  inmateId!: string;

  /** The event whose facts were wrong. */
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

/** The person is released in the sending state, with no transfer. */
export class RecordDomesticRelease extends CommandBase {
  @IsId()
  inmateId!: string;

  @IsIn(DOMESTIC_RELEASE_REASONS)
  reason!: DomesticReleaseReason;

  @IsOptional()
  @IsText(1000)
  explanation?: string;
}

/** Rule 12: the receiving state took the person into charge; the sending state's enforcement stops. */
export class SuspendEnforcement extends CommandBase {
  @IsId()
  inmateId!: string;

  @IsId()
  transferId!: string;

  @IsStateCode()
  receivingState!: StateCode;
}

/** Rule 12: enforcement resumes only on escape back to the sending state (or a transfer that never completed). */
export class ResumeEnforcement extends CommandBase {
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

/** Rule 12: enforcement ends when the receiving state reports completion. */
export class EndEnforcement extends CommandBase {
  @IsId()
  inmateId!: string;

  @IsOptional()
  @IsId()
  transferId?: string;

  @IsIn(ENFORCEMENT_END_REASONS)
  reason!: EnforcementEndReason;
}

/** Rule 13: the sending state acknowledges a report of the receiving state. */
export class AcknowledgeReport extends CommandBase {
  @IsId()
  inmateId!: string;

  /** The id of the receiving state's event being acknowledged. */
  @IsId()
  reportEventId!: string;

  @IsIn(REPORT_KINDS)
  report!: ReportKind;
}

/**
 * Erases the person's personal data (Rule 16): destroys their data key, so that every copy of
 * their encrypted fields becomes unreadable. Refused while a legal hold stands
 * (LEGAL_HOLD_ACTIVE) or before the sending state's retention period after the final release has
 * run out (RETENTION_NOT_EXPIRED).
 */
export class ErasePersonalData extends CommandBase {
  @IsId()
  inmateId!: string;

  @IsOptional()
  @IsText(1000)
  explanation?: string;
}

/** Places a legal hold: the person's data may not be erased until it is lifted. */
export class PlaceLegalHold extends CommandBase {
  @IsId()
  inmateId!: string;

  /** The reference of the order or file that requires the hold; unique per person. */
  @IsText(64)
  reference!: string;

  @IsText(1000)
  reason!: string;
}

/** Lifts the legal hold of `reference`. */
export class LiftLegalHold extends CommandBase {
  @IsId()
  inmateId!: string;

  @IsText(64)
  reference!: string;

  @IsText(1000)
  reason!: string;
}
