import {
  CommandRejection, findMessage, type DomesticReleaseReason, type ExpulsionOrder, type FieldProblem, type HoldingFacility,
  type IntakeCommand, type IntakeEvent, reject, rejectionOf, type ReportKind, type Residence, type Sentence,
  type StateCode,
} from '@custody/contracts';
import { checkRecording, checkStepDate, type RecordingClock, type TimeProblem } from '@custody/legal';
import { ERASABLE_FIELDS, isErased, type RecordedIdentity } from '../personal-data/personal-fields';
import { periodFor, erasableOn, type RetentionPolicy } from '../personal-data/retention-period';
import { datesInFuture, dayOf, negativeRemainingTime } from './inmate.facts';

/**
 * The inmate record kept by the sending state: who the person is, the sentence enforced, residence,
 * expulsion orders, health facts, and whether the sending state still enforces (Rule 12).
 * Pure: time comes in on the command (`occurredAt`).
 */

/**
 * A report of the receiving state (Rule 13) as it reached this service on Kafka. Internal to the
 * service (the contracts have no intake event for it); it is what AcknowledgeReport refers to.
 */
export type ReportReceived = {
  type: 'ReceivingStateReportReceived';
  schemaVersion: number;
  data: {
    inmateId: string;
    reportEventId: string;
    report: ReportKind;
    /** When the receiving state says it happened. */
    occurredAt: string;
  };
};

/** The internal command behind ReportReceived, with the facts that decide its effect on enforcement. */
export type ReceiveReport = {
  type: 'ReceiveReport';
  data: {
    inmateId: string;
    reportEventId: string;
    report: ReportKind;
    occurredAt: string;
    /** For an escape: where the person is believed to be (enforcement resumes if it is the sending state). */
    believedWhereabouts?: StateCode;
    /** For a pardon or amnesty: whether it ends the whole sentence. */
    isFull?: boolean;
  };
};

/**
 * ErasePersonalData as the decider takes it: the contract's command with the retention policy of
 * the configuration, the id of the person's data key, and `asOf`, the instant the service
 * received it (all put in by the command handler). Retention is counted to `asOf`, not to the
 * sender's `occurredAt`: a sender cannot bring the day of erasure forward.
 */
export type ErasePersonalDataCommand = {
  type: 'ErasePersonalData';
  data: Extract<IntakeCommand, { type: 'ErasePersonalData' }>['data'] & { retention: RetentionPolicy; keyId?: string; asOf: string };
};

/** An event as read back from the stream carries when it happened (the final release is dated by it). */
export type InmateEvent = (IntakeEvent | ReportReceived) & { occurredAt?: string };
export type InmateCommand = Exclude<IntakeCommand, { type: 'ErasePersonalData' }> | ErasePersonalDataCommand | ReceiveReport;

export type Enforcement =
  | { status: 'active' }
  | { status: 'suspended'; transferId: string; receivingState: StateCode }
  | { status: 'ended'; reason: string; transferId?: string };

export interface Report {
  reportEventId: string;
  report: ReportKind;
  isAcknowledged: boolean;
}

export interface LegalHold {
  reference: string;
  reason: string;
}

export type Inmate =
  | { status: 'unregistered' }
  | {
      status: 'registered' | 'released';
      inmateId: string;
      /** Personal fields are `null` once erased. */
      identity: RecordedIdentity;
      nationalities: StateCode[];
      sendingState: StateCode;
      holdingFacility: HoldingFacility;
      residence: Residence;
      sentence?: Sentence;
      expulsionOrders: ExpulsionOrder[];
      health?: { hasSeriousMentalIllness: boolean; hasTerminalIllness: boolean; assessedOn: string };
      enforcement: Enforcement;
      reports: Report[];
      release?: { reason: DomesticReleaseReason };
      /** The day of the final release (a release in the sending state, or the end of enforcement): retention runs from it. */
      releasedOn?: string;
      /** Rule 16: legal holds that stand; erasure waits until every one is lifted. */
      legalHolds: LegalHold[];
      /** Rule 16: the person's data key was destroyed; personal fields read as `null`. */
      isPersonalDataErased: boolean;
      /** When the registration happened (Rule 17: the record's later acts follow it). */
      registeredAt?: string;
    };

type Registered = Exclude<Inmate, { status: 'unregistered' }>;

export const initialState = (): Inmate => ({ status: 'unregistered' });

export function evolve(state: Inmate, event: InmateEvent): Inmate {
  if (event.type === 'InmateRegistered') {
    // Read at the current version: the write path lifts version 1's single nationality through the contracts' upcaster.
    const data = event.data;
    const { inmateId, sendingState, holdingFacility, residence } = data;
    // Read through the personal data store: identity is in clear, or erased.
    const identity = data.identity as unknown as RecordedIdentity;
    return {
      status: 'registered', inmateId, identity, sendingState, holdingFacility, residence,
      nationalities: data.nationalities,
      expulsionOrders: [], enforcement: { status: 'active' }, reports: [], legalHolds: [],
      isPersonalDataErased: isErased(identity),
      ...(event.occurredAt ? { registeredAt: event.occurredAt } : {}),
    };
  }
  if (state.status === 'unregistered') return state;
  switch (event.type) {
    case 'SentenceRecorded':
    case 'SentenceAdjusted':
      return { ...state, sentence: event.data.sentence };
    case 'ResidenceStatusRecorded': {
      const { inmateId: _inmateId, ...residence } = event.data;
      return { ...state, residence };
    }
    case 'ExpulsionOrderRecorded':
      return { ...state, expulsionOrders: [...state.expulsionOrders, event.data.expulsionOrder] };
    case 'HealthAssessmentRecorded': {
      const { hasSeriousMentalIllness, hasTerminalIllness, assessedOn } = event.data;
      return { ...state, health: { hasSeriousMentalIllness, hasTerminalIllness, assessedOn } };
    }
    case 'InmateRecordCorrected':
      return {
        ...state,
        identity: (event.data.identity as unknown as RecordedIdentity | undefined) ?? state.identity,
        nationalities: event.data.nationalities ?? state.nationalities,
      };
    case 'DomesticReleaseRecorded':
      return { ...state, status: 'released', release: { reason: event.data.reason }, ...releasedOn(event) };
    case 'EnforcementSuspended':
      return { ...state, enforcement: { status: 'suspended', transferId: event.data.transferId, receivingState: event.data.receivingState } };
    case 'EnforcementResumed':
      return { ...state, enforcement: { status: 'active' } };
    case 'EnforcementEnded':
      return { ...state, enforcement: { status: 'ended', reason: event.data.reason, ...optional('transferId', event.data.transferId) }, ...releasedOn(event) };
    case 'ReceivingStateReportReceived':
      return { ...state, reports: [...state.reports, { reportEventId: event.data.reportEventId, report: event.data.report, isAcknowledged: false }] };
    case 'ReportAcknowledged':
      return {
        ...state,
        reports: state.reports.map((r) => (r.reportEventId === event.data.reportEventId ? { ...r, isAcknowledged: true } : r)),
      };
    case 'LegalHoldPlaced':
      return { ...state, legalHolds: [...state.legalHolds, { reference: event.data.reference, reason: event.data.reason }] };
    case 'LegalHoldLifted':
      return { ...state, legalHolds: state.legalHolds.filter((hold) => hold.reference !== event.data.reference) };
    case 'PersonalDataErased':
      return {
        ...state,
        isPersonalDataErased: true,
        identity: { givenNames: null, familyName: null, dateOfBirth: null, placeOfBirth: null, sex: state.identity.sex, documents: null },
      };
  }
}

/** The day of the final release, from when the event happened (absent on an event just decided). */
function releasedOn(event: InmateEvent): { releasedOn?: string } {
  return event.occurredAt ? { releasedOn: dayOf(event.occurredAt) } : {};
}

/**
 * What the command handler gives the decider beside the command: for a ministry's act, the
 * service's clock (Rule 17). Effects of other services' events come without it: they are dated
 * by the fact they report, which the reporting service checked.
 */
export interface InmateDecisionContext {
  clock?: RecordingClock;
}

/**
 * Rule 17 for a ministry's act, once decided (a command that changes nothing is not dated again):
 * not dated after the clock, not recorded late without a reason, not dated before the registration.
 */
function checkTime(command: InmateCommand, state: Inmate, clock: RecordingClock): void {
  const data = command.data as { occurredAt: string; lateRecordingReason?: string };
  const problem: TimeProblem | undefined =
    checkRecording(data, clock) ??
    (command.type !== 'RegisterInmate' && state.status !== 'unregistered' && state.registeredAt
      ? checkStepDate('record-entry', 'occurredAt', data.occurredAt, { registration: state.registeredAt })
      : undefined);
  if (problem) throw rejectionOf(problem);
}

export function decide(command: InmateCommand, state: Inmate, context: InmateDecisionContext = {}): InmateEvent[] {
  const events = decideRecord(command, state);
  if (events.length > 0 && context.clock) checkTime(command, state, context.clock);
  return events;
}

function decideRecord(command: InmateCommand, state: Inmate): InmateEvent[] {
  if (command.type === 'RegisterInmate') {
    if (state.status !== 'unregistered') throw reject('INMATE_ALREADY_REGISTERED', { existingInmateId: state.inmateId });
    const { commandId: _c, occurredAt, lateRecordingReason: _late, ...registration } = command.data;
    throwIfInvalid('DATE_IN_FUTURE', datesInFuture([['identity.dateOfBirth', registration.identity.dateOfBirth]], occurredAt));
    return [event('InmateRegistered', registration)];
  }
  if (state.status === 'unregistered') throw reject('INMATE_NOT_FOUND', { inmateId: command.data.inmateId });
  // Rule 15: a release recorded in error is corrected, never edited; nothing else is recorded after it
  // but what Rule 16 does with the record once closed (legal holds, erasure).
  if (state.status === 'released' && !['CorrectInmateRecord', 'PlaceLegalHold', 'LiftLegalHold', 'ErasePersonalData'].includes(command.type)) {
    throw reject('INMATE_ALREADY_RELEASED', { inmateId: state.inmateId });
  }
  const inmateId = state.inmateId;
  switch (command.type) {
    case 'RecordSentence':
    case 'AdjustSentence': {
      if (command.type === 'AdjustSentence' && !state.sentence) throw reject('SENTENCE_NOT_RECORDED', { inmateId });
      checkSentence(command.data.sentence, command.data.occurredAt);
      if (command.type === 'RecordSentence') return [event('SentenceRecorded', { inmateId, sentence: command.data.sentence })];
      const { sentence, reason, explanation } = command.data;
      return [event('SentenceAdjusted', { inmateId, sentence, reason, explanation })];
    }
    case 'RecordResidenceStatus': {
      const { commandId: _c, occurredAt: _o, lateRecordingReason: _late, ...residence } = command.data;
      return [event('ResidenceStatusRecorded', residence)];
    }
    case 'RecordExpulsionOrder':
      throwIfInvalid('DATE_IN_FUTURE', datesInFuture([['expulsionOrder.issuedOn', command.data.expulsionOrder.issuedOn]], command.data.occurredAt));
      return [event('ExpulsionOrderRecorded', { inmateId, expulsionOrder: command.data.expulsionOrder })];
    case 'RecordHealthAssessment': {
      const { commandId: _c, occurredAt, lateRecordingReason: _late, ...assessment } = command.data;
      throwIfInvalid('DATE_IN_FUTURE', datesInFuture([['assessedOn', assessment.assessedOn]], occurredAt));
      return [event('HealthAssessmentRecorded', assessment)];
    }
    case 'CorrectInmateRecord':
      return decideCorrection(command, state);
    case 'RecordDomesticRelease': {
      const { commandId: _c, occurredAt: _o, lateRecordingReason: _late, ...release } = command.data;
      return [event('DomesticReleaseRecorded', release)];
    }
    case 'SuspendEnforcement':
      return decideSuspension(command, state);
    case 'ResumeEnforcement': {
      // Rule 12: enforcement resumes only after a transfer suspended it.
      const enforcement = state.enforcement;
      if (enforcement.status !== 'suspended') throw reject('ENFORCEMENT_NOT_SUSPENDED', { inmateId, enforcement: enforcement.status });
      const { transferId, reason, explanation } = command.data;
      if (transferId !== undefined && transferId !== enforcement.transferId) {
        throw reject('ENFORCEMENT_NOT_SUSPENDED', { inmateId, suspendedByTransferId: enforcement.transferId });
      }
      return [event('EnforcementResumed', { inmateId, transferId: enforcement.transferId, reason, ...optional('explanation', explanation) })];
    }
    case 'EndEnforcement':
      return endEnforcement(state, command.data.reason, command.data.transferId);
    case 'AcknowledgeReport': {
      const report = state.reports.find((r) => r.reportEventId === command.data.reportEventId && r.report === command.data.report);
      if (!report) throw reject('REPORT_NOT_FOUND', { inmateId, reportEventId: command.data.reportEventId });
      if (report.isAcknowledged) return [];
      return [event('ReportAcknowledged', { inmateId, reportEventId: report.reportEventId, report: report.report })];
    }
    case 'ReceiveReport':
      return decideReport(command, state);
    case 'PlaceLegalHold': {
      const { reference, reason } = command.data;
      // The same hold placed twice changes nothing.
      if (state.legalHolds.some((hold) => hold.reference === reference)) return [];
      return [event('LegalHoldPlaced', { inmateId, reference, reason })];
    }
    case 'LiftLegalHold': {
      const { reference, reason } = command.data;
      if (!state.legalHolds.some((hold) => hold.reference === reference)) throw reject('LEGAL_HOLD_NOT_FOUND', { inmateId, reference });
      return [event('LegalHoldLifted', { inmateId, reference, reason })];
    }
    case 'ErasePersonalData':
      return decideErasure(command, state);
  }
}

/**
 * Rule 16: personal data is erased once the sending state's retention period after the final
 * release has run out, and never while a legal hold stands. Erasing twice changes nothing.
 */
function decideErasure(command: ErasePersonalDataCommand, state: Registered): InmateEvent[] {
  const { inmateId, retention, keyId, explanation, asOf } = command.data;
  if (state.isPersonalDataErased) return [];
  if (state.legalHolds.length > 0) {
    // Details are flat (strings, numbers, booleans): they travel in CommandRejected too.
    throw reject('LEGAL_HOLD_ACTIVE', { inmateId, legalHolds: state.legalHolds.map((hold) => hold.reference).join(', ') });
  }
  const retentionPeriod = periodFor(retention, state.sendingState);
  if (!state.releasedOn) throw reject('RETENTION_NOT_EXPIRED', { inmateId, isReleased: false, retentionPeriod });
  const firstDay = erasableOn(retention, state.sendingState, state.releasedOn);
  if (dayOf(asOf) < firstDay) {
    throw reject('RETENTION_NOT_EXPIRED', { inmateId, isReleased: true, releasedOn: state.releasedOn, retentionPeriod, erasableOn: firstDay });
  }
  return [event('PersonalDataErased', {
    inmateId, sendingState: state.sendingState, ground: 'retention-expired', releasedOn: state.releasedOn, retentionPeriod,
    erasableOn: firstDay, erasedFields: [...ERASABLE_FIELDS], ...optional('keyId', keyId), ...optional('explanation', explanation),
  })];
}

function decideCorrection(command: Extract<InmateCommand, { type: 'CorrectInmateRecord' }>, state: Registered): InmateEvent[] {
  const { inmateId, correctedEventId, reason, identity, nationalities, occurredAt } = command.data;
  // Rule 16: an erased identity is not recorded again under a destroyed key.
  if (identity !== undefined && state.isPersonalDataErased) throw reject('PERSONAL_DATA_ERASED', { inmateId });
  const changesIdentity = identity !== undefined && !sameJson(identity, state.identity);
  const changesNationalities = nationalities !== undefined && !sameJson([...nationalities].sort(), [...state.nationalities].sort());
  if (!changesIdentity && !changesNationalities) throw reject('NOTHING_TO_CORRECT', { inmateId });
  throwIfInvalid('DATE_IN_FUTURE', datesInFuture([['identity.dateOfBirth', identity?.dateOfBirth]], occurredAt));
  return [event('InmateRecordCorrected', {
    inmateId, correctedEventId, reason,
    ...optional('identity', changesIdentity ? identity : undefined),
    ...optional('nationalities', changesNationalities ? nationalities : undefined),
  })];
}

function decideSuspension(command: Extract<InmateCommand, { type: 'SuspendEnforcement' }>, state: Registered): InmateEvent[] {
  const { inmateId, transferId, receivingState } = command.data;
  const enforcement = state.enforcement;
  // The same taking into charge told twice changes nothing.
  if (enforcement.status === 'suspended' && enforcement.transferId === transferId) return [];
  if (enforcement.status !== 'active') throw reject('ENFORCEMENT_NOT_ACTIVE', { inmateId, enforcement: enforcement.status });
  if (!state.sentence) throw reject('SENTENCE_NOT_RECORDED', { inmateId });
  return [event('EnforcementSuspended', { inmateId, transferId, receivingState })];
}

/** Rule 12: completion ends a suspended enforcement; death, a full pardon or another reason end it in any case. */
function endEnforcement(state: Registered, reason: 'completion-reported' | 'pardon-or-amnesty' | 'death' | 'other', transferId?: string): InmateEvent[] {
  const inmateId = state.inmateId;
  const enforcement = state.enforcement;
  if (enforcement.status === 'ended') throw reject('ENFORCEMENT_NOT_ACTIVE', { inmateId, enforcement: 'ended' });
  if (reason === 'completion-reported' && enforcement.status !== 'suspended') {
    throw reject('ENFORCEMENT_NOT_SUSPENDED', { inmateId, enforcement: enforcement.status });
  }
  const suspendedBy = enforcement.status === 'suspended' ? enforcement.transferId : undefined;
  if (transferId !== undefined && suspendedBy !== undefined && transferId !== suspendedBy) {
    throw reject('ENFORCEMENT_NOT_SUSPENDED', { inmateId, suspendedByTransferId: suspendedBy });
  }
  return [event('EnforcementEnded', { inmateId, reason, ...optional('transferId', transferId ?? suspendedBy) })];
}

/** Rule 13: every report is kept for acknowledgement; some change the sending state's enforcement (Rule 12). */
function decideReport(command: ReceiveReport, state: Registered): InmateEvent[] {
  const { inmateId, reportEventId, report, occurredAt, believedWhereabouts, isFull } = command.data;
  if (state.reports.some((r) => r.reportEventId === reportEventId)) return [];
  const received: InmateEvent = event('ReceivingStateReportReceived', { inmateId, reportEventId, report, occurredAt });
  const enforcement = state.enforcement;
  if (enforcement.status !== 'suspended') return [received];
  const transferId = enforcement.transferId;
  const ends = (reason: 'completion-reported' | 'pardon-or-amnesty' | 'death') => [received, event('EnforcementEnded', { inmateId, transferId, reason })];
  switch (report) {
    case 'sentence-completed':
      return ends('completion-reported');
    case 'death':
      return ends('death');
    case 'pardon-or-amnesty':
      return isFull ? ends('pardon-or-amnesty') : [received];
    case 'escape':
      return believedWhereabouts === state.sendingState
        ? [received, event('EnforcementResumed', { inmateId, transferId, reason: 'escape-to-sending-state' })]
        : [received];
    default:
      return [received];
  }
}

function checkSentence(sentence: Sentence, occurredAt: string): void {
  throwIfInvalid('DATE_IN_FUTURE', datesInFuture([
    ['sentence.finalJudgmentDate', sentence.finalJudgmentDate],
    ['sentence.enforcementStartDate', sentence.enforcementStartDate],
  ], occurredAt));
  throwIfInvalid('REMAINING_TIME_NEGATIVE', negativeRemainingTime(sentence));
}

function throwIfInvalid(code: 'DATE_IN_FUTURE' | 'REMAINING_TIME_NEGATIVE', problems: FieldProblem[]): void {
  if (problems.length === 0) return;
  const base = reject(code);
  throw new CommandRejection(code, base.message, { fields: problems.map((p) => p.path).join(', ') }, problems);
}

/** An event at the version the catalogue publishes for its type (version 1 for this service's own ReceivingStateReportReceived). */
function event<T extends InmateEvent['type']>(type: T, data: Extract<InmateEvent, { type: T }>['data']): InmateEvent {
  return { type, schemaVersion: findMessage(type)?.version ?? 1, data } as InmateEvent;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The decider as the platform's write path takes it (without a clock: effects, loads). */
export const inmateDecider = { initialState, evolve, decide: (command: InmateCommand, state: Inmate) => decide(command, state) };

/** The decider for a ministry's act, with the service's clock (Rule 17). */
export const inmateDeciderAt = (clock: RecordingClock) => ({ initialState, evolve, decide: (command: InmateCommand, state: Inmate) => decide(command, state, { clock }) });
