import { Type } from 'class-transformer';
import {
  ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsDefined, IsIn, IsInt, IsOptional, Max, Min, ValidateIf, ValidateNested,
} from 'class-validator';
import { JsonSchemaRule } from '../common/json-schema-rule';
import { Authority } from '../common/authority';
import { IsInstant, IsLanguage, IsText } from '../common/formats';
import { PersonIdentity } from '../common/identity';
import { clearBoolean, clearText, clearTexts, type EncryptedValue, IsPersonal } from '../common/personal-data';
import { ProtectedPersonIdentity } from '../common/protected-identity';
import { IsStateCode, type StateCode } from '../common/state-codes';
import { OFFENCE_CATEGORIES, type OffenceCategory, SENTENCE_KINDS, type SentenceKind } from '../intake/values';

/** A national facility, or one leased to another state (Denmark's places in Gjilan, Kosovo). */
export const JURISDICTIONS = ['national', 'leased'] as const;
export type Jurisdiction = (typeof JURISDICTIONS)[number];

/** A lease: the sending state's sentence and law apply to the persons it places there. */
export class Lease {
  @IsStateCode()
  lesseeState!: StateCode;

  /** The lease treaty, as named in the legal catalogue (e.g. `DK-XK-2022`). */
  @IsText(64)
  treatyId!: string;
}

export class FacilityUnit {
  @IsText(64)
  unitId!: string;

  @IsText()
  name!: string;

  @IsInt()
  @Min(0)
  @Max(100000)
  capacity!: number;
}

/** Facts a facility needs to decide whether it may hold the person (Rule 9: lease eligibility). */
export class PlacementProfile {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5)
  @IsStateCode({ each: true })
  nationalities!: StateCode[];

  @IsBoolean()
  hasExpulsionOrder!: boolean;

  @IsArray()
  @ArrayMaxSize(50)
  @IsIn(OFFENCE_CATEGORIES, { each: true })
  offenceCategories!: OffenceCategory[];

  @IsIn(SENTENCE_KINDS)
  sentenceKind!: SentenceKind;

  @IsBoolean()
  hasSeriousMentalIllness!: boolean;

  @IsBoolean()
  hasTerminalIllness!: boolean;
}

/** European Prison Rules 15.1.b: the reason and authority for commitment. */
export class Commitment {
  @IsText(1000)
  reason!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => Authority)
  authority!: Authority;

  @IsText(64)
  warrantReference!: string;
}

export class PropertyItem {
  @IsText(500)
  description!: string;

  @IsInt()
  @Min(1)
  @Max(10000)
  quantity!: number;
}

/** European Prison Rules 15.1.f and 16: relevant health information on admission. */
export class HealthOnAdmission {
  @IsText(2000)
  summary!: string;

  @IsBoolean()
  isFitForDetention!: boolean;

  @IsDefined()
  @ValidateNested()
  @Type(() => Authority)
  examinedBy!: Authority;
}

/** What every version of the admission record holds in clear: commitment (EPR 15.1.b), time of admission (15.1.c), property (15.1.d). */
export abstract class AdmissionRecordBase {
  @IsDefined()
  @ValidateNested()
  @Type(() => Commitment)
  commitment!: Commitment;

  @IsInstant()
  admittedAt!: string;

  /** Every item taken into safekeeping; an empty list states that the person had none. */
  @IsArray()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => PropertyItem)
  propertyInventory!: PropertyItem[];
}

/** The security level the facility holds the person at after its assessment (European Prison Rules 51.3–51.4). */
export const SECURITY_LEVELS = ['low', 'medium', 'high', 'maximum'] as const;
export type SecurityLevel = (typeof SECURITY_LEVELS)[number];

/**
 * How the facility places the person on admission: the security level (European Prison Rules
 * 51.3–51.4), the medical needs it must meet (42.1–42.3) and the languages the person understands,
 * with whether an interpreter is needed (38.3, 30.1). Optional beside the record of Rule 14.
 */
export class AdmissionPlacement {
  @IsIn(SECURITY_LEVELS)
  securityLevel!: SecurityLevel;

  /** Needs the facility must meet (treatment, medication, diet, accessibility); empty when there are none. */
  @IsArray()
  @ArrayMaxSize(20)
  @IsText(500, { each: true })
  medicalNeeds!: string[];

  /** Languages the person understands (ISO 639), the one to use first. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5)
  @IsLanguage({ each: true })
  languages!: string[];

  @IsBoolean()
  needsInterpreter!: boolean;
}

/**
 * The placement as InmateAdmitted (v2) carries it: the medical needs, the languages and the need
 * of an interpreter are personal (health and, through language, origin: Rule 16) and encrypted
 * with the person's data key like the rest of the record; the security level stays clear, for
 * the facility's allocation.
 */
export class ProtectedAdmissionPlacement {
  @IsIn(SECURITY_LEVELS)
  securityLevel!: SecurityLevel;

  @IsPersonal(clearTexts(0, 20, 500))
  medicalNeeds!: EncryptedValue | string[];

  @IsPersonal(clearTexts(1, 5, 3))
  languages!: EncryptedValue | string[];

  @IsPersonal(clearBoolean)
  needsInterpreter!: EncryptedValue | boolean;
}

/**
 * The admission record of European Prison Rules 15.1 (Rule 14): identity, reason and authority for
 * commitment, date and time of admission, property inventory, visible injuries, health information.
 */
@JsonSchemaRule({
  if: { properties: { hasVisibleInjuries: { const: true } } },
  then: { required: ['visibleInjuries'], properties: { visibleInjuries: { minItems: 1 } } },
})
export class AdmissionRecord extends AdmissionRecordBase {
  @IsDefined()
  @ValidateNested()
  @Type(() => PersonIdentity)
  identity!: PersonIdentity;

  @IsBoolean()
  hasVisibleInjuries!: boolean;

  /** Required, one entry per injury, when `hasVisibleInjuries` is true. */
  @ValidateIf((record: AdmissionRecord) => record.hasVisibleInjuries === true || record.visibleInjuries !== undefined)
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayMinSize(1, { message: 'visibleInjuries must describe each injury when hasVisibleInjuries is true' })
  @IsText(500, { each: true })
  visibleInjuries?: string[];

  @IsDefined()
  @ValidateNested()
  @Type(() => HealthOnAdmission)
  health!: HealthOnAdmission;
}

/** The admission record as a facility sends it (AdmitInmate): Rule 14's record, and the placement if the facility gives it. */
export class PlacedAdmissionRecord extends AdmissionRecord {
  @IsOptional()
  @ValidateNested()
  @Type(() => AdmissionPlacement)
  placement?: AdmissionPlacement;
}

/**
 * European Prison Rules 15.1.f and 16 as custody's events carry them since personal fields are
 * encrypted: the summary and the fitness for detention are EncryptedValues (health information;
 * no rule of another service reads them). Who examined the person stays clear.
 */
export class ProtectedHealthOnAdmission {
  @IsPersonal(clearText(2000))
  summary!: EncryptedValue | string;

  @IsPersonal(clearBoolean)
  isFitForDetention!: EncryptedValue | boolean;

  @IsDefined()
  @ValidateNested()
  @Type(() => Authority)
  examinedBy!: Authority;
}

/**
 * The admission record as InmateAdmitted carries it since version 2 (crypto-shredding, Rule 16):
 * the person's names, date and place of birth and identity documents, and the health facts
 * (visible injuries, whether there are any, the health summary and fitness for detention) are
 * EncryptedValues under the receiving side's data key for the person. Commitment, the time of
 * admission and the property inventory stay clear. An event written before (version 1) holds
 * them in clear and is lifted unchanged.
 */
export class ProtectedAdmissionRecord extends AdmissionRecordBase {
  @IsDefined()
  @ValidateNested()
  @Type(() => ProtectedPersonIdentity)
  identity!: ProtectedPersonIdentity;

  @IsPersonal(clearBoolean)
  hasVisibleInjuries!: EncryptedValue | boolean;

  /** One entry per injury (encrypted as one value); absent when there were none. */
  @IsOptional()
  @IsPersonal(clearTexts(1, 50, 500))
  visibleInjuries?: EncryptedValue | string[];

  @IsDefined()
  @ValidateNested()
  @Type(() => ProtectedHealthOnAdmission)
  health!: ProtectedHealthOnAdmission;

  /** The placement on admission, when the facility gave it; its personal parts encrypted. */
  @IsOptional()
  @ValidateNested()
  @Type(() => ProtectedAdmissionPlacement)
  placement?: ProtectedAdmissionPlacement;
}

/** The paths, in InmateAdmitted (v2), of the fields encrypted with the person's data key. */
export const ADMISSION_PERSONAL_FIELDS = [
  'admission.identity.givenNames', 'admission.identity.familyName', 'admission.identity.dateOfBirth', 'admission.identity.placeOfBirth',
  'admission.identity.documents', 'admission.hasVisibleInjuries', 'admission.visibleInjuries', 'admission.health.summary',
  'admission.health.isFitForDetention', 'admission.placement.medicalNeeds', 'admission.placement.languages', 'admission.placement.needsInterpreter',
] as const;

/** Temporary absences under a named authority (Rule 10). */
export const ABSENCE_KINDS = ['hospital', 'court', 'other'] as const;
export type AbsenceKind = (typeof ABSENCE_KINDS)[number];

/** How a person leaves the facility for good. */
export const RELEASE_DISPOSITIONS = ['released', 'deported', 'returned-to-sending-state'] as const;
export type ReleaseDisposition = (typeof RELEASE_DISPOSITIONS)[number];

export const CLEMENCY_KINDS = ['pardon', 'amnesty'] as const;
export type ClemencyKind = (typeof CLEMENCY_KINDS)[number];
