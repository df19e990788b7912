/** The rules a case is checked against. */
export type RuleName =
  | 'LEGAL_BASIS'
  | 'FINAL_JUDGMENT'
  | 'TIME_LEFT'
  | 'NATIONALITY'
  | 'CONSENT'
  | 'OPINION'
  | 'LEASE_ELIGIBILITY'
  | 'LEASE_PLACEMENT'
  | 'RETURN'
  | 'ADAPTATION';

/** `needs-decision`: the law leaves it to a person (a state's agreement, an optional refusal ground, a missing fact). */
export type Outcome = 'met' | 'not-met' | 'needs-decision';

/** Stable codes for every outcome other than `met`. */
export type RuleCode =
  | 'LEGAL_BASIS_UNKNOWN'
  | 'LEGAL_BASIS_NOT_APPLICABLE'
  | 'LEGAL_BASIS_REPLACED'
  | 'LEGAL_BASIS_NOT_IN_FORCE'
  | 'FINAL_JUDGMENT_REQUIRED'
  | 'INSUFFICIENT_TIME_LEFT'
  | 'TIME_LEFT_OPTIONAL_REFUSAL_GROUND'
  | 'NATIONALITY_REQUIREMENT_NOT_MET'
  | 'NATIONALITY_NEEDS_RECEIVING_STATE_AGREEMENT'
  | 'CONSENT_REQUIRED'
  | 'CONSENT_REFUSED'
  | 'OPINION_NOT_RECORDED'
  | 'LEASE_NOT_ELIGIBLE'
  | 'LEASE_ELIGIBILITY_UNDETERMINED'
  | 'PLACEMENT_NOT_UNDER_LEASE'
  | 'PLACEMENT_NOT_BY_LESSEE'
  | 'RECOGNITION_NOT_UNDER_LEASE'
  | 'RETURN_GROUND_NOT_APPLICABLE'
  | 'RETURN_NOT_BY_RESPONSIBLE_STATE'
  | 'ADAPTATION_HARSHER'
  | 'ADAPTATION_CONVERTED_TO_FINE'
  | 'TIME_SERVED_NOT_DEDUCTED';

/** One rule applied to one case: the outcome, a stable code unless met, and a sentence citing the rule. */
export interface Verdict {
  rule: RuleName;
  outcome: Outcome;
  code?: RuleCode;
  reason: string;
}

export const met = (rule: RuleName, reason: string): Verdict => ({ rule, outcome: 'met', reason });

export const notMet = (rule: RuleName, code: RuleCode, reason: string): Verdict => ({
  rule,
  outcome: 'not-met',
  code,
  reason,
});

export const needsDecision = (rule: RuleName, code: RuleCode, reason: string): Verdict => ({
  rule,
  outcome: 'needs-decision',
  code,
  reason,
});

/** The rule of docs/domain.md each rule of the library applies ("Rule 3"), by its number. */
export const DOMAIN_RULE: Readonly<Record<RuleName, string>> = {
  LEGAL_BASIS: '1',
  FINAL_JUDGMENT: '2',
  TIME_LEFT: '3',
  NATIONALITY: '4',
  CONSENT: '5',
  OPINION: '5',
  ADAPTATION: '8',
  LEASE_ELIGIBILITY: '9',
  LEASE_PLACEMENT: '18',
  RETURN: '19',
};
