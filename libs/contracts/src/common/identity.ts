import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, ValidateNested } from 'class-validator';
import { IsIsoDate, IsText } from './formats';
import { IsStateCode, type StateCode } from './state-codes';

/** Kinds of identity document a sending state may hold for a person. */
export const IDENTITY_DOCUMENT_KINDS = ['passport', 'national-identity-card', 'residence-permit', 'prison-number', 'other'] as const;
export type IdentityDocumentKind = (typeof IDENTITY_DOCUMENT_KINDS)[number];

/** A document that identifies the person; (kind, number, issuing state) is unique. */
export class IdentityDocument {
  @IsIn(IDENTITY_DOCUMENT_KINDS)
  kind!: IdentityDocumentKind;

  @IsText(64)
  number!: string;

  @IsStateCode()
  issuingState!: StateCode;
}

export const SEXES = ['female', 'male', 'other', 'unknown'] as const;
export type Sex = (typeof SEXES)[number];

/** Who the person is (European Prison Rules 15.1.a: identity). */
export class PersonIdentity {
  @IsText()
  givenNames!: string;

  @IsText()
  familyName!: string;

  @IsIsoDate()
  dateOfBirth!: string;

  @IsOptional()
  @IsText()
  placeOfBirth?: string;

  @IsIn(SEXES)
  sex!: Sex;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => IdentityDocument)
  documents!: IdentityDocument[];
}
