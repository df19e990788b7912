import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional } from 'class-validator';
import { JsonSchemaRule } from '../common/json-schema-rule';
import { IsId, IsText } from '../common/formats';
import { INVARIANTS, type Invariant } from './findings';

/**
 * FindingRaised, schema version 1 (frozen): about a person or a facility only. Version 2 may name,
 * instead, a refused message of a topic (`refusedMessage`, a topic-level finding); a v1 finding
 * always names a person or facility and is lifted unchanged.
 */
@JsonSchemaRule({ anyOf: [{ required: ['inmateId'] }, { required: ['facilityId'] }] })
export class FindingRaisedV1Payload {
  @IsId()
  findingId!: string;

  @IsIn(INVARIANTS)
  invariant!: Invariant;

  @IsOptional()
  @IsId()
  inmateId?: string;

  @IsOptional()
  @IsId()
  facilityId?: string;

  @IsText(2000)
  description!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsId({ each: true })
  evidenceEventIds!: string[];
}
