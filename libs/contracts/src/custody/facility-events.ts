import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsDefined, IsIn, IsInt, IsOptional, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { JsonSchemaRule } from '../common/json-schema-rule';
import { IsId, IsInstant, IsText } from '../common/formats';
import { IsStateCode, type StateCode } from '../common/state-codes';
import { FacilityUnit, JURISDICTIONS, type Jurisdiction, Lease } from './values';

/** Facility events (topic `custody.facility.events`), keyed by facility id. */

@JsonSchemaRule({ if: { properties: { jurisdiction: { const: 'leased' } } }, then: { required: ['lease'] } })
export class FacilityRegisteredPayload {
  @IsId()
  facilityId!: string;

  @IsText()
  name!: string;

  @IsStateCode()
  country!: StateCode;

  @IsStateCode()
  operatingState!: StateCode;

  @IsIn(JURISDICTIONS)
  jurisdiction!: Jurisdiction;

  @ValidateIf((e: FacilityRegisteredPayload) => e.jurisdiction === 'leased' || e.lease !== undefined)
  @IsDefined()
  @ValidateNested()
  @Type(() => Lease)
  lease?: Lease;

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

export class FacilityCapacityChangedPayload {
  @IsId()
  facilityId!: string;

  @IsInt()
  @Min(0)
  @Max(100000)
  previousCapacity!: number;

  @IsInt()
  @Min(0)
  @Max(100000)
  capacity!: number;

  @IsText(1000)
  reason!: string;
}

export class PlaceReservedPayload {
  @IsId()
  facilityId!: string;

  @IsId()
  reservationId!: string;

  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsInstant()
  expiresAt!: string;
}

/** `code` is from the rejection catalogue (`CAPACITY_EXHAUSTED`, `LEASE_ELIGIBILITY_NOT_MET`, …). */
export class ReservationRefusedPayload {
  @IsId()
  facilityId!: string;

  @IsId()
  reservationId!: string;

  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsText(64)
  code!: string;

  @IsText(1000)
  reason!: string;
}

export class ReservationReleasedPayload {
  @IsId()
  facilityId!: string;

  @IsId()
  reservationId!: string;

  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsText(1000)
  reason!: string;
}

export class ReservationExpiredPayload {
  @IsId()
  facilityId!: string;

  @IsId()
  reservationId!: string;

  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;
}

/** A place is taken by an admitted person (a reservation, if any, is used up). Occupancy +1. */
export class PlaceOccupiedPayload {
  @IsId()
  facilityId!: string;

  @IsId()
  inmateId!: string;

  @IsOptional()
  @IsId()
  reservationId?: string;
}

/** A place is freed by a final release, a death or an escape. Occupancy −1. */
export class PlaceVacatedPayload {
  @IsId()
  facilityId!: string;

  @IsId()
  inmateId!: string;

  @IsText(1000)
  reason!: string;
}
