// @custody/legal: the law on transferring sentenced persons, as data and pure functions.
// No framework, no I/O, no clock: every date comes in with the facts.

// Case facts and verdicts
export { lawDay } from './case-facts';
export type { Answer, CaseFacts, HealthCondition, InmateFacts, OffenceCategory, SentenceFacts, SentenceLength } from './case-facts';
export type { Outcome, RuleCode, RuleName, Verdict } from './verdict';
export { DOMAIN_RULE } from './verdict';
export { EU_MEMBER_STATES, isEuMemberState, type StateCode } from './states';
export { addDays, addMonths, daysBetween, InvalidDateError, type IsoDate } from './dates';

// The catalogue of legal bases
export type {
  AdaptationTerms,
  Certainty,
  ConsentException,
  ConsentExceptionGround,
  ConsentTerms,
  DeadlineTerms,
  Declaration,
  LeaseEligibility,
  LeasePlacementTerms,
  LeaseProcedureFact,
  LeaseRelease,
  LeaseTerms,
  LegalBasis,
  ReturnGround,
  ReturnGroundFact,
  ReturnTerms,
  NationalityTerms,
  Party,
  Source,
  TimeLeftTerms,
} from './catalogue/legal-basis';
export { LEGAL_BASES } from './catalogue/catalogue';
export {
  basesForPair, findLegalBasis, getLegalBasis, isInForceOn, isPartyOn, UnknownLegalBasisError, withPartySince, type Catalogue,
} from './catalogue/lookup';

// The rules
export { checkLegalBasis } from './rules/legal-basis.rule';
export { checkFinalJudgment } from './rules/final-judgment.rule';
export { checkTimeLeft } from './rules/time-left.rule';
export { checkNationality } from './rules/nationality.rule';
export { checkConsent, checkOpinion, consentRequirement, type ConsentRequirement } from './rules/consent.rule';
export { checkLeaseEligibility, type LeaseCandidate } from './rules/lease-eligibility.rule';
export {
  checkLeaseTerm, checkPlacementDecision, checkRecognitionApplies, leasePlacementTerms, procedureOf, type PlacementDecisionFacts, type Procedure,
} from './rules/lease-placement.rule';
export { checkReturn, responsibleState, returnGround, returnTerms, type ReturnFacts } from './rules/return.rule';
export { evaluateCase, type Screening } from './evaluate-case';
export { agreementClauses, agreementOfBothStates, type AgreementClause, type CaseSide, type StatesAnswers } from './rules/states-agreement';

// Time (Rule 17): acts dated when they happened, steps in order, late recordings explained
export {
  checkInstantsNotInFuture, checkNotInFuture, checkRecordedInTime, checkRecording, daysRecordedLate, DEFAULT_TIME_POLICY, latestAllowed, RECORDING_CITES,
  type RecordedAct, type RecordingClock, type TimePolicy, type TimeProblem, type TimeProblemCode,
} from './time/time-rules';
export { checkEndAfterStart, checkStepDate, STEP_ORDER, withStepDate, type Step, type StepDates, type StepOrder } from './time/step-order';

// Sentences and deadlines
export { daysServed, InvalidSentenceError, releaseDate, remainingTime, type RemainingTime } from './sentence/remaining-time';
export { checkAdaptation, isHarsher, type AdaptationProposal, type ProposedSentence } from './sentence/adaptation';
export {
  decisionDeadline,
  transferDeadline,
  transferDeadlineAfterObstacle,
  type Deadline,
} from './deadlines/deadlines';
