import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsDefined, IsIn, IsOptional, ValidateIf, ValidateNested } from 'class-validator';
import { JsonSchemaRule } from '../common/json-schema-rule';
import { Authority, HandOverParty } from '../common/authority';
import { IsId, IsInstant, IsIsoDate, IsText } from '../common/formats';
import { IsStateCode, type StateCode } from '../common/state-codes';
import { ERASURE_GROUNDS, type ErasureGround } from '../intake/values';
import {
  ABSENCE_KINDS, type AbsenceKind, CLEMENCY_KINDS, type ClemencyKind, ProtectedAdmissionRecord, RELEASE_DISPOSITIONS,
  type ReleaseDisposition,
} from './values';

/**
 * Custody events about one person in a foreign facility (topic `custody.facility.events`), keyed
 * by inmate id. The receiving state's reports to the sending state (Rule 13) are among them.
 */

/**
 * Rule 14: admission with the full record of European Prison Rules 15.1, after a completed
 * hand-over. Version 2: the record's identity and health facts are encrypted with the person's
 * data key (ProtectedAdmissionRecord); version 1 had them in clear.
 */
export class InmateAdmittedPayload {
  @IsId()
  inmateId!: string;

  @IsId()
  facilityId!: string;

  @IsId()
  transferId!: string;

  @IsOptional()
  @IsId()
  reservationId?: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => ProtectedAdmissionRecord)
  admission!: ProtectedAdmissionRecord;

  /** Whose sentence and law apply: the lessee under a lease, otherwise the facility's state. */
  @IsStateCode()
  governingState!: StateCode;
}

export class CellAssignedPayload {
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
export class AbsenceStartedPayload {
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

export class AbsenceEndedPayload {
  @IsId()
  inmateId!: string;

  @IsId()
  facilityId!: string;

  @IsId()
  absenceId!: string;
}

/** Rule 13: an escape is reported to the sending state. */
export class InmateEscapedPayload {
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

export class InmateRecapturedPayload {
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
export class InmateCannotBeFoundPayload {
  @IsId()
  inmateId!: string;

  @IsId()
  facilityId!: string;

  @IsText(2000)
  circumstances!: string;
}

export class InmateDiedInCustodyPayload {
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

export class ConditionalReleaseGrantedPayload {
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
export class PardonOrAmnestyGrantedPayload {
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

  @ValidateIf((e: PardonOrAmnestyGrantedPayload) => e.isFull === false || e.newSentenceEndDate !== undefined)
  @IsIsoDate()
  newSentenceEndDate?: string;
}

export class SentenceCompletedPayload {
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
export class InmateReleasedPayload {
  @IsId()
  inmateId!: string;

  @IsId()
  facilityId!: string;

  @IsIn(RELEASE_DISPOSITIONS)
  disposition!: ReleaseDisposition;

  @ValidateIf((e: InmateReleasedPayload) => e.disposition === 'deported' || e.deportationOrderReference !== undefined)
  @IsText(64)
  deportationOrderReference?: string;

  @ValidateIf((e: InmateReleasedPayload) => e.disposition === 'deported' || e.destinationState !== undefined)
  @IsStateCode()
  destinationState?: StateCode;

  @ValidateIf((e: InmateReleasedPayload) => e.disposition === 'returned-to-sending-state' || e.handedTo !== undefined)
  @IsDefined()
  @ValidateNested()
  @Type(() => HandOverParty)
  handedTo?: HandOverParty;
}

/**
 * Rule 16: the sending state erased the person's personal data (intake's PersonalDataErased), and
 * custody destroyed its own data key for the person: the identity and health facts of the
 * admission record are unreadable for ever, here, on the topic and in the audit ledger. Carries
 * no personal data.
 */
export class CustodyPersonalDataErasedPayload {
  @IsId()
  inmateId!: string;

  @IsId()
  facilityId!: string;

  /** The id of custody's destroyed data key (the `kid` of the admission's encrypted values). */
  @IsOptional()
  @IsText(64)
  keyId?: string;

  /** The sending state's PersonalDataErased that custody followed. */
  @IsId()
  erasureEventId!: string;

  @IsStateCode()
  sendingState!: StateCode;

  @IsIn(ERASURE_GROUNDS)
  ground!: ErasureGround;

  /** The paths of the fields erased, e.g. `admission.identity.familyName`. */
  @IsArray()
  @ArrayMaxSize(20)
  @IsText(64, { each: true })
  erasedFields!: string[];
}
