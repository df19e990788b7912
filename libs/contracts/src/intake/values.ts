import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsDefined, IsIn, IsInt, IsOptional, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { JsonSchemaRule } from '../common/json-schema-rule';
import { Authority } from '../common/authority';
import { IsIsoDate, IsText } from '../common/formats';
import { IsStateCode, type StateCode } from '../common/state-codes';

/** Categories of offence, as the legal catalogue names them; lease treaties exclude some (Denmark–Kosovo: terrorism, war crimes). */
export const OFFENCE_CATEGORIES = [
  'terrorism', 'war-crimes', 'crimes-against-humanity', 'genocide', 'violent', 'sexual', 'drugs', 'property', 'other',
] as const;
export type OffenceCategory = (typeof OFFENCE_CATEGORIES)[number];

export class Offence {
  @IsText(500)
  description!: string;

  @IsIn(OFFENCE_CATEGORIES)
  category!: OffenceCategory;

  /** The provision of the sending state's criminal code. */
  @IsOptional()
  @IsText()
  legalProvision?: string;
}

/** `life` and `indeterminate` have no end date (ETS 112 Art 3.1.c accepts an indeterminate sentence). */
export const SENTENCE_KINDS = ['determinate', 'indeterminate', 'life'] as const;
export type SentenceKind = (typeof SENTENCE_KINDS)[number];

export class SentenceLength {
  @IsInt()
  @Min(0)
  @Max(150)
  years!: number;

  @IsInt()
  @Min(0)
  @Max(11)
  months!: number;

  @IsInt()
  @Min(0)
  @Max(366)
  days!: number;
}

/** A sentence as the sentencing court imposed it, and where its enforcement stands. */
@JsonSchemaRule({
  if: { properties: { kind: { const: 'determinate' } } },
  then: { required: ['length', 'sentenceEndDate'] },
})
export class Sentence {
  @IsText()
  court!: string;

  @IsText(64)
  caseReference!: string;

  /** When the judgment became final; absent while an appeal is open (Rule 2). */
  @IsOptional()
  @IsIsoDate()
  finalJudgmentDate?: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => Offence)
  offences!: Offence[];

  @IsIn(SENTENCE_KINDS)
  kind!: SentenceKind;

  /** Required for a determinate sentence. */
  @ValidateIf((sentence: Sentence) => sentence.kind === 'determinate' || sentence.length !== undefined)
  @IsDefined()
  @ValidateNested()
  @Type(() => SentenceLength)
  length?: SentenceLength;

  /** The day the sentence ends if served in full; required for a determinate sentence (Rule 3). */
  @ValidateIf((sentence: Sentence) => sentence.kind === 'determinate' || sentence.sentenceEndDate !== undefined)
  @IsIsoDate()
  sentenceEndDate?: string;

  @IsIsoDate()
  enforcementStartDate!: string;

  /** Days of pre-trial detention before `enforcementStartDate`, counted against the sentence. */
  @IsInt()
  @Min(0)
  @Max(60000)
  preTrialDays!: number;

  /** Days served at `occurredAt`, pre-trial detention included (Rule 8 deducts all of them). */
  @IsInt()
  @Min(0)
  @Max(60000)
  daysServed!: number;
}

/** Residence status in the sending state; `irregular` means without a residence permit. */
export const RESIDENCE_STATUSES = ['national', 'permanent-resident', 'temporary-resident', 'irregular'] as const;
export type ResidenceStatus = (typeof RESIDENCE_STATUSES)[number];

export class Residence {
  @IsIn(RESIDENCE_STATUSES)
  status!: ResidenceStatus;

  /** Where the person habitually lives (2008/909 Art 4.1.a; Belgium's ETS 167 Art 3 declaration). */
  @IsStateCode()
  habitualResidence!: StateCode;

  /** Where the person habitually lived when arrested, when it differs or matters. */
  @IsOptional()
  @IsStateCode()
  habitualResidenceAtArrest?: StateCode;

  @IsOptional()
  @IsText(64)
  permitReference?: string;
}

/** An expulsion or deportation order (ETS 167 Art 3; lease eligibility, Rule 9). */
export class ExpulsionOrder {
  @IsText(64)
  orderReference!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => Authority)
  issuingAuthority!: Authority;

  @IsIsoDate()
  issuedOn!: string;

  /** The state the person is to be deported to. */
  @IsStateCode()
  destinationState!: StateCode;

  @IsBoolean()
  isFinal!: boolean;
}

/** The sending state's prison where the person is held now. */
export class HoldingFacility {
  @IsText()
  name!: string;

  @IsOptional()
  @IsText(64)
  reference?: string;
}

/** Why a person was released in the sending state. */
export const DOMESTIC_RELEASE_REASONS = [
  'sentence-served', 'conditional-release', 'pardon', 'amnesty', 'acquitted-on-appeal', 'other',
] as const;
export type DomesticReleaseReason = (typeof DOMESTIC_RELEASE_REASONS)[number];

/** Why a sentence was adjusted in the sending state. */
export const SENTENCE_ADJUSTMENT_REASONS = ['appeal', 'remission', 'recalculation', 'pardon', 'amnesty', 'other'] as const;
export type SentenceAdjustmentReason = (typeof SENTENCE_ADJUSTMENT_REASONS)[number];

/** Why the sending state's enforcement resumes (Rule 12: escape back to the sending state). */
export const ENFORCEMENT_RESUMPTION_REASONS = ['escape-to-sending-state', 'transfer-not-completed', 'returned-to-sending-state', 'other'] as const;
export type EnforcementResumptionReason = (typeof ENFORCEMENT_RESUMPTION_REASONS)[number];

/** Why the sending state's enforcement ends (Rule 12, Rule 13). */
export const ENFORCEMENT_END_REASONS = ['completion-reported', 'pardon-or-amnesty', 'death', 'other'] as const;
export type EnforcementEndReason = (typeof ENFORCEMENT_END_REASONS)[number];

/** What the receiving state reports and the sending state acknowledges (Rule 13). */
export const REPORT_KINDS = [
  'sentence-completed', 'escape', 'conditional-release', 'pardon-or-amnesty', 'cannot-be-found', 'death',
] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/** Why a person's personal data was erased (Rule 16): the retention period after the final release ran out. */
export const ERASURE_GROUNDS = ['retention-expired'] as const;
export type ErasureGround = (typeof ERASURE_GROUNDS)[number];
