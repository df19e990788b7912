import { IsIn, IsOptional } from 'class-validator';
import { IdentityDocument, SEXES, type PersonIdentity, type Sex } from './identity';
import { clearDate, clearList, clearText, type EncryptedValue, IsPersonal } from './personal-data';

/**
 * Who the person is, as intake events carry it since personal fields are encrypted: names, date
 * and place of birth and identity documents are EncryptedValues (European Prison Rules 15.1.a
 * needs them; no service but intake does). `sex` stays clear.
 */
export class ProtectedPersonIdentity {
  @IsPersonal(clearText())
  givenNames!: EncryptedValue | string;

  @IsPersonal(clearText())
  familyName!: EncryptedValue | string;

  @IsPersonal(clearDate)
  dateOfBirth!: EncryptedValue | string;

  @IsOptional()
  @IsPersonal(clearText())
  placeOfBirth?: EncryptedValue | string;

  @IsIn(SEXES)
  sex!: Sex;

  @IsPersonal(clearList(IdentityDocument, 1, 20))
  documents!: EncryptedValue | IdentityDocument[];
}

/** The fields of PersonIdentity that are encrypted in events, by path under `identity`. */
export const PERSONAL_IDENTITY_FIELDS = ['givenNames', 'familyName', 'dateOfBirth', 'placeOfBirth', 'documents'] as const satisfies ReadonlyArray<keyof PersonIdentity>;
export type PersonalIdentityField = (typeof PERSONAL_IDENTITY_FIELDS)[number];
