import {
  CommandRejection, type DomesticReleaseReason, type ExpulsionOrder, type FieldProblem, type HoldingFacility,
  type IntakeCommand, type IntakeEvent, type PersonIdentity, reject, type ReportKind, type Residence, type Sentence,
  type StateCode,
} from '@custody/contracts';
import { datesInFuture, negativeRemainingTime } from './inmate.facts';

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

export type InmateEvent = IntakeEvent | ReportReceived;
export type InmateCommand = IntakeCommand | ReceiveReport;

export type Enforcement =
  | { status: 'active' }
  | { status: 'suspended'; transferId: string; receivingState: StateCode }
  | { status: 'ended'; reason: string; transferId?: string };

export interface Report {
  reportEventId: string;
  report: ReportKind;
  isAcknowledged: boolean;
}

export type Inmate =
  | { status: 'unregistered' }
  | {
      status: 'registered' | 'released';
      inmateId: string;
      identity: PersonIdentity;
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
    };

type Registered = Exclude<Inmate, { status: 'unregistered' }>;

export const initialState = (): Inmate => ({ status: 'unregistered' });

export function evolve(state: Inmate, event: InmateEvent): Inmate {
  if (event.type === 'InmateRegistered') {
    // Version 1 had a single nationality (the upcaster of the contracts, applied inline).
    const data = event.data as typeof event.data & { nationality?: StateCode };
    const { inmateId, identity, sendingState, holdingFacility, residence } = data;
    return {
      status: 'registered', inmateId, identity, sendingState, holdingFacility, residence,
      nationalities: data.nationalities ?? [data.nationality!],
      expulsionOrders: [], enforcement: { status: 'active' }, reports: [],
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
        identity: event.data.identity ?? state.identity,
        nationalities: event.data.nationalities ?? state.nationalities,
      };
    case 'DomesticReleaseRecorded':
      return { ...state, status: 'released', release: { reason: event.data.reason } };
    case 'EnforcementSuspended':
      return { ...state, enforcement: { status: 'suspended', transferId: event.data.transferId, receivingState: event.data.receivingState } };
    case 'EnforcementResumed':
      return { ...state, enforcement: { status: 'active' } };
    case 'EnforcementEnded':
      return { ...state, enforcement: { status: 'ended', reason: event.data.reason, ...optional('transferId', event.data.transferId) } };
    case 'ReceivingStateReportReceived':
      return { ...state, reports: [...state.reports, { reportEventId: event.data.reportEventId, report: event.data.report, isAcknowledged: false }] };
    case 'ReportAcknowledged':
      return {
        ...state,
        reports: state.reports.map((r) => (r.reportEventId === event.data.reportEventId ? { ...r, isAcknowledged: true } : r)),
      };
  }
}

export function decide(command: InmateCommand, state: Inmate): InmateEvent[] {
  if (command.type === 'RegisterInmate') {
    if (state.status !== 'unregistered') throw reject('INMATE_ALREADY_REGISTERED', { existingInmateId: state.inmateId });
    const { commandId: _c, occurredAt, ...registration } = command.data;
    throwIfInvalid('DATE_IN_FUTURE', datesInFuture([['identity.dateOfBirth', registration.identity.dateOfBirth]], occurredAt));
    return [event('InmateRegistered', 2, registration)];
  }
  if (state.status === 'unregistered') throw reject('INMATE_NOT_FOUND', { inmateId: command.data.inmateId });
  // Rule 15: a release recorded in error is corrected, never edited; nothing else is recorded after it.
  if (state.status === 'released' && command.type !== 'CorrectInmateRecord') {
    throw reject('INMATE_ALREADY_RELEASED', { inmateId: state.inmateId });
  }
  const inmateId = state.inmateId;
  switch (command.type) {
    case 'RecordSentence':
    case 'AdjustSentence': {
      if (command.type === 'AdjustSentence' && !state.sentence) throw reject('SENTENCE_NOT_RECORDED', { inmateId });
      checkSentence(command.data.sentence, command.data.occurredAt);
      if (command.type === 'RecordSentence') return [event('SentenceRecorded', 1, { inmateId, sentence: command.data.sentence })];
      const { sentence, reason, explanation } = command.data;
      return [event('SentenceAdjusted', 1, { inmateId, sentence, reason, explanation })];
    }
    case 'RecordResidenceStatus': {
      const { commandId: _c, occurredAt: _o, ...residence } = command.data;
      return [event('ResidenceStatusRecorded', 1, residence)];
    }
    case 'RecordExpulsionOrder':
      throwIfInvalid('DATE_IN_FUTURE', datesInFuture([['expulsionOrder.issuedOn', command.data.expulsionOrder.issuedOn]], command.data.occurredAt));
      return [event('ExpulsionOrderRecorded', 1, { inmateId, expulsionOrder: command.data.expulsionOrder })];
    case 'RecordHealthAssessment': {
      const { commandId: _c, occurredAt, ...assessment } = command.data;
      throwIfInvalid('DATE_IN_FUTURE', datesInFuture([['assessedOn', assessment.assessedOn]], occurredAt));
      return [event('HealthAssessmentRecorded', 1, assessment)];
    }
    case 'CorrectInmateRecord':
      return decideCorrection(command, state);
    case 'RecordDomesticRelease': {
      const { commandId: _c, occurredAt: _o, ...release } = command.data;
      return [event('DomesticReleaseRecorded', 1, release)];
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
      return [event('EnforcementResumed', 1, { inmateId, transferId: enforcement.transferId, reason, ...optional('explanation', explanation) })];
    }
    case 'EndEnforcement':
      return endEnforcement(state, command.data.reason, command.data.transferId);
    case 'AcknowledgeReport': {
      const report = state.reports.find((r) => r.reportEventId === command.data.reportEventId && r.report === command.data.report);
      if (!report) throw reject('REPORT_NOT_FOUND', { inmateId, reportEventId: command.data.reportEventId });
      if (report.isAcknowledged) return [];
      return [event('ReportAcknowledged', 1, { inmateId, reportEventId: report.reportEventId, report: report.report })];
    }
    case 'ReceiveReport':
      return decideReport(command, state);
  }
}

function decideCorrection(command: Extract<InmateCommand, { type: 'CorrectInmateRecord' }>, state: Registered): InmateEvent[] {
  const { inmateId, correctedEventId, reason, identity, nationalities, occurredAt } = command.data;
  const changesIdentity = identity !== undefined && !sameJson(identity, state.identity);
  const changesNationalities = nationalities !== undefined && !sameJson([...nationalities].sort(), [...state.nationalities].sort());
  if (!changesIdentity && !changesNationalities) throw reject('NOTHING_TO_CORRECT', { inmateId });
  throwIfInvalid('DATE_IN_FUTURE', datesInFuture([['identity.dateOfBirth', identity?.dateOfBirth]], occurredAt));
  return [event('InmateRecordCorrected', 1, {
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
  return [event('EnforcementSuspended', 1, { inmateId, transferId, receivingState })];
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
  return [event('EnforcementEnded', 1, { inmateId, reason, ...optional('transferId', transferId ?? suspendedBy) })];
}

/** Rule 13: every report is kept for acknowledgement; some change the sending state's enforcement (Rule 12). */
function decideReport(command: ReceiveReport, state: Registered): InmateEvent[] {
  const { inmateId, reportEventId, report, occurredAt, believedWhereabouts, isFull } = command.data;
  if (state.reports.some((r) => r.reportEventId === reportEventId)) return [];
  const received: InmateEvent = event('ReceivingStateReportReceived', 1, { inmateId, reportEventId, report, occurredAt });
  const enforcement = state.enforcement;
  if (enforcement.status !== 'suspended') return [received];
  const transferId = enforcement.transferId;
  const ends = (reason: 'completion-reported' | 'pardon-or-amnesty' | 'death') => [received, event('EnforcementEnded', 1, { inmateId, transferId, reason })];
  switch (report) {
    case 'sentence-completed':
      return ends('completion-reported');
    case 'death':
      return ends('death');
    case 'pardon-or-amnesty':
      return isFull ? ends('pardon-or-amnesty') : [received];
    case 'escape':
      return believedWhereabouts === state.sendingState
        ? [received, event('EnforcementResumed', 1, { inmateId, transferId, reason: 'escape-to-sending-state' })]
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

function event<T extends InmateEvent['type']>(type: T, schemaVersion: number, data: Extract<InmateEvent, { type: T }>['data']): InmateEvent {
  return { type, schemaVersion, data } as InmateEvent;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The decider as the platform's write path takes it. */
export const inmateDecider = { initialState, evolve, decide };
