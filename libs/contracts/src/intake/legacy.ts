import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDefined, IsOptional, ValidateNested } from 'class-validator';
import { IsId, IsText } from '../common/formats';
import { PersonIdentity } from '../common/identity';
import { IsStateCode, type StateCode } from '../common/state-codes';
import { HoldingFacility, Residence } from './values';

/**
 * InmateRegistered, schema version 1 (frozen). It had one `nationality`; dual nationals could not
 * be recorded, which ETS 112 Art 3.1.a needs. Version 2 has `nationalities`; the upcaster lifts v1.
 */
export class InmateRegisteredV1Payload {
  @IsId()
  inmateId!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => PersonIdentity)
  identity!: PersonIdentity;

  @IsStateCode()
  nationality!: StateCode;

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

/**
 * InmateRegistered, schema version 2 (frozen): `identity` in clear. Version 3 encrypts its
 * personal fields; a v2 event is lifted unchanged (its clear values are what was written).
 */
export class InmateRegisteredV2Payload {
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

/** InmateRecordCorrected, schema version 1 (frozen): `identity` in clear. */
export class InmateRecordCorrectedV1Payload {
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
