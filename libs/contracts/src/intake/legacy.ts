import { Type } from 'class-transformer';
import { IsDefined, ValidateNested } from 'class-validator';
import { IsId } from '../common/formats';
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
