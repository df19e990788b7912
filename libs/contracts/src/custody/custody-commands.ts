import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsDefined, IsIn, IsOptional, ValidateIf, ValidateNested } from 'class-validator';
import { JsonSchemaRule } from '../common/json-schema-rule';
import { Authority, HandOverParty } from '../common/authority';
import { CommandBase } from '../common/command-base';
import { IsId, IsInstant, IsIsoDate, IsText } from '../common/formats';
import { IsStateCode, type StateCode } from '../common/state-codes';
import {
  ABSENCE_KINDS, type AbsenceKind, CLEMENCY_KINDS, PlacedAdmissionRecord, type ClemencyKind, RELEASE_DISPOSITIONS,
  type ReleaseDisposition,
} from './values';

/**
 * Custody commands about one person in a foreign facility (topic `custody.facility.commands`),
 * stream `custody-<inmateId>`, keyed by inmate id.
 */

/** Rule 14: admission with the full record of European Prison Rules 15.1, after a completed hand-over. */
export class AdmitInmate extends CommandBase {
  @IsId()
  inmateId!: string;

  @IsId()
  facilityId!: string;

  @IsId()
  transferId!: string;

  @IsOptional()
  @IsId()
  reservationId?: string;

  /** Rule 14's record, with the placement on admission if the facility gives it. */
  @IsDefined()
  @ValidateNested()
  @Type(() => PlacedAdmissionRecord)
  admission!: PlacedAdmissionRecord;
}

export class AssignCell extends CommandBase {
  @IsId()
  inmateId!: string;

  @IsId()
  facilityId!: string;

  @IsText(64)
  cell!: string;

  @IsOptional()
  @IsText(64)
  unitId?: string;
}

/** Rule 10: a temporary absence (hospital, court) under a named authority. */
export class StartAbsence extends CommandBase {
  @IsId()
  inmateId!: string;

  @IsId()
  facilityId!: string;

  @IsId()
  absenceId!: string;

  @IsIn(ABSENCE_KINDS)
  kind!: AbsenceKind;

  /** Where the person goes (the hospital, the court). */
  @IsText()
  destination!: string;

  /** Who is responsible for the person while absent. */
  @IsDefined()
  @ValidateNested()
  @Type(() => Authority)
  authority!: Authority;

  @IsOptional()
  @IsInstant()
  expectedReturnAt?: string;
}

export class EndAbsence extends CommandBase {
  @IsId()
  inmateId!: string;

  @IsId()
  facilityId!: string;

  @IsId()
  absenceId!: string;
}

/** Rule 13: an escape is reported to the sending state. */
export class RecordEscape extends CommandBase {
  @IsId()
  inmateId!: string;

  @IsId()
  facilityId!: string;

  @IsText(2000)
  circumstances!: string;

  /** Where the person is believed to be; the sending state resumes enforcement if it is there (Rule 12). */
  @IsOptional()
  @IsStateCode()
  believedWhereabouts?: StateCode;
}

export class RecordRecapture extends CommandBase {
  @IsId()
  inmateId!: string;

  @IsId()
  facilityId!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => Authority)
  recapturedBy!: Authority;

  @IsText()
  place!: string;

  /** The state where the person was found (the sending state's enforcement resumes if it is that state). */
  @IsStateCode()
  stateFoundIn!: StateCode;
}

/** Rule 13: "person cannot be found" is reported to the sending state. */
export class ReportInmateNotFound extends CommandBase {
  @IsId()
  inmateId!: string;

  @IsId()
  facilityId!: string;

  @IsText(2000)
  circumstances!: string;
}

export class RecordDeathInCustody extends CommandBase {
  @IsId()
  inmateId!: string;

  @IsId()
  facilityId!: string;

  @IsText(2000)
  cause!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => Authority)
  certifiedBy!: Authority;
}

export class GrantConditionalRelease extends CommandBase {
  @IsId()
  inmateId!: string;

  @IsId()
  facilityId!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsText(1000, { each: true })
  conditions!: string[];

  @IsDefined()
  @ValidateNested()
  @Type(() => Authority)
  grantedBy!: Authority;

  @IsDefined()
  @ValidateNested()
  @Type(() => Authority)
  supervisingAuthority!: Authority;
}

/** A pardon or amnesty; when partial, the new end date of the sentence. */
@JsonSchemaRule({ if: { properties: { isFull: { const: false } } }, then: { required: ['newSentenceEndDate'] } })
export class GrantPardonOrAmnesty extends CommandBase {
  @IsId()
  inmateId!: string;

  @IsId()
  facilityId!: string;

  @IsIn(CLEMENCY_KINDS)
  kind!: ClemencyKind;

  @IsDefined()
  @ValidateNested()
  @Type(() => Authority)
  grantedBy!: Authority;

  @IsText(64)
  reference!: string;

  @IsBoolean()
  isFull!: boolean;

  @ValidateIf((c: GrantPardonOrAmnesty) => c.isFull === false || c.newSentenceEndDate !== undefined)
  @IsIsoDate()
  newSentenceEndDate?: string;
}

export class RecordSentenceCompleted extends CommandBase {
  @IsId()
  inmateId!: string;

  @IsId()
  facilityId!: string;

  @IsIsoDate()
  completedOn!: string;
}

/**
 * Final release. A deportation names its order (Rule 9: required to leave a leased facility);
 * a return to the sending state names the receiving side of that hand-over.
 */
@JsonSchemaRule({
  allOf: [
    { if: { properties: { disposition: { const: 'deported' } } }, then: { required: ['deportationOrderReference', 'destinationState'] } },
    { if: { properties: { disposition: { const: 'returned-to-sending-state' } } }, then: { required: ['handedTo'] } },
  ],
})
export class ReleaseInmate extends CommandBase {
  @IsId()
  inmateId!: string;

  @IsId()
  facilityId!: string;

  @IsIn(RELEASE_DISPOSITIONS)
  disposition!: ReleaseDisposition;

  @ValidateIf((c: ReleaseInmate) => c.disposition === 'deported' || c.deportationOrderReference !== undefined)
  @IsText(64)
  deportationOrderReference?: string;

  @ValidateIf((c: ReleaseInmate) => c.disposition === 'deported' || c.destinationState !== undefined)
  @IsStateCode()
  destinationState?: StateCode;

  @ValidateIf((c: ReleaseInmate) => c.disposition === 'returned-to-sending-state' || c.handedTo !== undefined)
  @IsDefined()
  @ValidateNested()
  @Type(() => HandOverParty)
  handedTo?: HandOverParty;
}
