import { Type } from 'class-transformer';
import { IsDefined, IsOptional, ValidateNested } from 'class-validator';
import { IsId } from '../common/formats';
import { IsStateCode, type StateCode } from '../common/state-codes';
import { AdmissionRecord } from './values';

/**
 * InmateAdmitted, schema version 1 (frozen): the admission record in clear. Version 2 encrypts
 * its identity and health facts; a v1 event is lifted unchanged (its clear values are what was written).
 */
export class InmateAdmittedV1Payload {
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
  @Type(() => AdmissionRecord)
  admission!: AdmissionRecord;

  @IsStateCode()
  governingState!: StateCode;
}
