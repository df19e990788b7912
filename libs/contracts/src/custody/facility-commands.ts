import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsDefined, IsIn, IsInt, IsOptional, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { JsonSchemaRule } from '../common/json-schema-rule';
import { CommandBase } from '../common/command-base';
import { IsId, IsInstant, IsText } from '../common/formats';
import { IsStateCode, type StateCode } from '../common/state-codes';
import { FacilityUnit, JURISDICTIONS, type Jurisdiction, Lease, PlacementProfile } from './values';

/** Facility commands (topic `custody.facility.commands`), stream `facility-<facilityId>`, keyed by facility id. */

@JsonSchemaRule({ if: { properties: { jurisdiction: { const: 'leased' } } }, then: { required: ['lease'] } })
export class RegisterFacility extends CommandBase {
  @IsId()
  facilityId!: string;

  @IsText()
  name!: string;

  /** Where the building is (e.g. `XK` for Gjilan). */
  @IsStateCode()
  country!: StateCode;

  /** Whose staff run it (the host state, also under a lease). */
  @IsStateCode()
  operatingState!: StateCode;

  @IsIn(JURISDICTIONS)
  jurisdiction!: Jurisdiction;

  /** Required when the facility (or the part registered) is leased to another state. */
  @ValidateIf((c: RegisterFacility) => c.jurisdiction === 'leased' || c.lease !== undefined)
  @IsDefined()
  @ValidateNested()
  @Type(() => Lease)
  lease?: Lease;

  /** Places available to this register: under a lease, the leased places (Rule 9: 300 in Gjilan). */
  @IsInt()
  @Min(0)
  @Max(100000)
  capacity!: number;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => FacilityUnit)
  units?: FacilityUnit[];
}

export class ChangeFacilityCapacity extends CommandBase {
  @IsId()
  facilityId!: string;

  @IsInt()
  @Min(0)
  @Max(100000)
  capacity!: number;

  @IsText(1000)
  reason!: string;
}

/** Hold a place for a coming transfer; refused when full or when the person may not be held there. */
export class ReservePlace extends CommandBase {
  @IsId()
  facilityId!: string;

  @IsId()
  reservationId!: string;

  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => PlacementProfile)
  profile!: PlacementProfile;

  @IsInstant()
  expiresAt!: string;
}

export class ReleaseReservation extends CommandBase {
  @IsId()
  facilityId!: string;

  @IsId()
  reservationId!: string;

  @IsText(1000)
  reason!: string;
}

/** Sent by the facility's expiry timer. */
export class ExpireReservation extends CommandBase {
  @IsId()
  facilityId!: string;

  @IsId()
  reservationId!: string;
}
