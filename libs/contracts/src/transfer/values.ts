import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsInt, IsOptional, Matches, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { JsonSchemaRule } from '../common/json-schema-rule';
import { IsIsoDate, IsText } from '../common/formats';
import { SENTENCE_KINDS, type SentenceKind, SentenceLength } from '../intake/values';

/**
 * Legal bases (Rule 1) are entries of the legal catalogue (`libs/legal`), named by id: adding a
 * bilateral treaty or a lease is a data change there, not a new version of this contract. These
 * are the entries known when this contract was written; any id of the same form is accepted here
 * and checked against the catalogue by the transfer service (`LEGAL_BASIS_NOT_APPLICABLE`,
 * `LEGAL_BASIS_UNKNOWN`).
 */
export const KNOWN_LEGAL_BASES = [
  'FD2008_909', 'ETS112', 'ETS167_ART2', 'ETS167_ART3', 'BILATERAL_BE_AL_2010', 'LEASE_DK_XK_2022', 'LEASE_NO_NL_2015',
] as const;

/** An id of the legal catalogue: upper case letters, digits and `_`. */
export type LegalBasis = string;

/** The form of a legal basis id. */
export const LEGAL_BASIS_PATTERN = /^[A-Z][A-Z0-9_]{1,63}$/;

/** Ids of facility leases start with this prefix; a lease names its facility. */
export const LEASE_BASIS_PREFIX = 'LEASE_';

/** Validates a legal basis id. */
export function IsLegalBasis(): PropertyDecorator {
  return Matches(LEGAL_BASIS_PATTERN, { message: '$property must be an id of the legal catalogue, e.g. ETS112 or FD2008_909' });
}

export const CONSENT_OUTCOMES = ['given', 'refused', 'not-required'] as const;
export type ConsentOutcome = (typeof CONSENT_OUTCOMES)[number];

/**
 * Why consent is not required (Rule 5), as the legal catalogue names the exceptions:
 * 2008/909 Art 6(2)(a), (b), (c); ETS 167 Art 2 and Art 3; a lease (the sending state's law stays).
 */
export const CONSENT_NOT_REQUIRED_GROUNDS = [
  'national-living-in-receiving-state',
  'national-to-be-deported-to-receiving-state',
  'fled-to-receiving-state',
  'fled-to-state-of-nationality',
  'expulsion-order',
  'lease-treaty',
] as const;
export type ConsentNotRequiredGround = (typeof CONSENT_NOT_REQUIRED_GROUNDS)[number];

export const RECEIVING_STATE_DECISIONS = ['recognised', 'refused'] as const;
export type ReceivingStateDecision = (typeof RECEIVING_STATE_DECISIONS)[number];

/** ETS 112 Art 9: continued enforcement or conversion of the sentence. */
export const ENFORCEMENT_PROCEDURES = ['continuation', 'conversion'] as const;
export type EnforcementProcedure = (typeof ENFORCEMENT_PROCEDURES)[number];

/** Grounds for the receiving state's refusal (2008/909 Art 9; ETS 112 Art 3 and 6). */
export const REFUSAL_GROUNDS = [
  'incomplete-certificate', 'criteria-not-met', 'ne-bis-in-idem', 'no-double-criminality', 'time-barred',
  'immunity', 'under-age-of-criminal-responsibility', 'less-than-six-months-left', 'judgment-in-absentia',
  'medical-or-psychiatric-measure', 'territoriality', 'no-agreement', 'other',
] as const;
export type RefusalGround = (typeof REFUSAL_GROUNDS)[number];

/**
 * Why a person goes back to the state that sentenced them (Rule 19), as the legal catalogue names
 * the grounds: the lease's term is over, a court of that state orders it, an appeal against the
 * placement succeeded, or the treaty requires it.
 */
export const RETURN_GROUNDS = ['lease-ended', 'court-order', 'appeal-succeeded', 'treaty'] as const;
export type ReturnGround = (typeof RETURN_GROUNDS)[number];

/** A custodial sentence or a fine; Rule 8: an adaptation is never converted to a fine. */
export const MEASURES = ['custodial', 'fine'] as const;
export type Measure = (typeof MEASURES)[number];

/** The sentence as the receiving state adapted it (Rule 8). */
@JsonSchemaRule({
  if: { properties: { kind: { const: 'determinate' } } },
  then: { required: ['length', 'sentenceEndDate'] },
})
export class AdaptedSentence {
  @IsIn(MEASURES)
  measure!: Measure;

  @IsIn(SENTENCE_KINDS)
  kind!: SentenceKind;

  @ValidateIf((adapted: AdaptedSentence) => adapted.kind === 'determinate' || adapted.length !== undefined)
  @IsDefined()
  @ValidateNested()
  @Type(() => SentenceLength)
  length?: SentenceLength;

  @ValidateIf((adapted: AdaptedSentence) => adapted.kind === 'determinate' || adapted.sentenceEndDate !== undefined)
  @IsIsoDate()
  sentenceEndDate?: string;

  /** Days deducted for time served, pre-trial included; Rule 8 requires all of them. */
  @IsInt()
  @Min(0)
  @Max(60000)
  daysDeducted!: number;

  @IsText(1000)
  legalGround!: string;
}

/** The deadlines of 2008/909 (Rule 7). */
export const DEADLINE_KINDS = ['receiving-state-decision', 'physical-transfer'] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

/** Who ended a case by cancellation. */
export const CANCELLING_PARTIES = ['sending-state', 'receiving-state'] as const;
export type CancellingParty = (typeof CANCELLING_PARTIES)[number];

/** Verdict of one legal rule on a case (computed by the legal rules library). */
export const VERDICT_OUTCOMES = ['met', 'not-met', 'needs-decision'] as const;
export type VerdictOutcome = (typeof VERDICT_OUTCOMES)[number];

export class RuleVerdict {
  /** The rule, e.g. `time-left`, `nationality`, `consent`, `lease-eligibility`. */
  @IsText(64)
  rule!: string;

  @IsIn(VERDICT_OUTCOMES)
  outcome!: VerdictOutcome;

  @IsText(1000)
  reason!: string;

  /** The verdict's stable code when it is not met (e.g. `INSUFFICIENT_TIME_LEFT`); absent when met. */
  @IsOptional()
  @Matches(/^[A-Z][A-Z0-9_]{1,63}$/, { message: '$property must be a verdict code such as INSUFFICIENT_TIME_LEFT' })
  code?: string;

  /** The rule of docs/domain.md the verdict applies ("3" for Rule 3). */
  @IsOptional()
  @Matches(/^[1-9][0-9]?$/, { message: '$property must be the number of a rule of the domain, e.g. 3' })
  domainRule?: string;
}

/**
 * Clauses of a legal basis under which both states may agree to what the basis otherwise bars,
 * each state recording its own answer (docs/domain.md, Rule 3): `time-left-below-minimum`, a
 * transfer with less than the minimum time left (ETS 112 Art 3(2)).
 */
export const AGREEMENT_CLAUSES = ['time-left-below-minimum'] as const;
export type AgreementClause = (typeof AGREEMENT_CLAUSES)[number];

export const AGREEMENT_ANSWERS = ['agreed', 'refused'] as const;
export type AgreementAnswer = (typeof AGREEMENT_ANSWERS)[number];

/** Which of the two states of a case. */
export const CASE_SIDES = ['sending', 'receiving'] as const;
export type CaseSide = (typeof CASE_SIDES)[number];
