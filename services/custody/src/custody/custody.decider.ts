import { checkEndAfterStart, checkRecording, checkStepDate, type RecordingClock, type TimeProblem } from '@custody/legal';
import {
  CommandRejection, currentVersion, notYetKnownHere, reject, rejectionOf, type AbsenceKind, type Authority, type Command, type CustodyCommandType, type CustodyEventType,
  type DomainEvent, type Jurisdiction, type Lease, type StateCode,
} from '@custody/contracts';
import { missingAdmissionFacts } from './admission-record';
import { sentenceToServe, type KnownSentence, type SentenceToServe } from './sentence';

/**
 * One person's custody in a foreign facility, from admission to release: stream
 * `custody-<inmateId>`. Rules 9, 10, 13 and 14 of the domain.
 */

/** What the service knows beside the command when a person is admitted (looked up by the handler). */
export interface AdmissionFacts {
  /** The facility as registered; absent when no facility has this id. */
  facility?: { jurisdiction: Jurisdiction; lease?: Lease; operatingState: StateCode; country: StateCode };
  /** The hand-over of the transfer as the transfer service reported it (Rule 11), with when the receiving side took the person. */
  handOver?: { transferId: string; inmateId: string; isDispatched: boolean; isReceived: boolean; receivedAtFacilityId?: string; receivedAt?: string };
  /** The sentence the person is to serve here, when known. */
  sentence?: KnownSentence;
  /**
   * Set when the person's partition on the transfer service's events topic still holds messages
   * this service has not consumed (docs/adr/0012-not-yet-known-here.md): a hand-over missing here
   * may be among them, so it is answered NOT_YET_KNOWN_HERE, not ADMISSION_WITHOUT_HAND_OVER.
   */
  transferInFlight?: { retryAfterSeconds: number; unconsumed: number };
}

export type AdmitInmateCommand = { type: 'AdmitInmate'; data: Command<'AdmitInmate'>['data']; facts: AdmissionFacts };
/**
 * A command as the decider takes it; `clock` is the service's clock when a ministry's act is
 * recorded (Rule 17), put in by the command handler.
 */
export type CustodyCommand = (Exclude<Command<CustodyCommandType>, { type: 'AdmitInmate' }> | AdmitInmateCommand) & { clock?: RecordingClock };

/**
 * The sentence to serve and its release date, noted on admission (and on a partial pardon).
 * A service-internal event: the contract's InmateAdmitted carries no sentence, so it is not published.
 */
export interface SentenceNoted {
  type: 'SentenceToServeNoted';
  schemaVersion: number;
  data: { inmateId: string; facilityId: string; governedBy: 'sending-state' | 'receiving-state'; sentence?: SentenceToServe };
}

/** An event of the person's custody; read back from the stream, it carries when it happened. */
export type CustodyEvent = (DomainEvent<CustodyEventType> | SentenceNoted) & { occurredAt?: string };

export type Whereabouts = 'in-facility' | 'absent' | 'escaped';

export interface Custody {
  status: 'none' | 'in-custody' | 'released' | 'deceased';
  inmateId?: string;
  facilityId?: string;
  transferId?: string;
  /** Whose sentence and law apply: the lessee under a lease, otherwise the facility's state. */
  governingState?: StateCode;
  isLeased: boolean;
  whereabouts?: Whereabouts;
  absence?: { absenceId: string; kind: AbsenceKind; destination: string; authority: Authority; startedAt?: string };
  /** When the person was admitted (the record's `admittedAt`): Rule 17, what the facility records follows it. */
  admittedAt?: string;
  cell?: string;
  isConditionallyReleased: boolean;
  isSentenceCompleted: boolean;
  isReportedNotFound: boolean;
  releaseOn?: string;
}

export const initialState = (): Custody => ({
  status: 'none',
  isLeased: false,
  isConditionallyReleased: false,
  isSentenceCompleted: false,
  isReportedNotFound: false,
});

/** An event at the version the catalogue publishes for its type. */
const event = <T extends CustodyEventType>(type: T, data: Extract<CustodyEvent, { type: T }>['data']) =>
  ({ type, schemaVersion: currentVersion(type), data }) as Extract<CustodyEvent, { type: T }>;

export function evolve(state: Custody, event: CustodyEvent): Custody {
  switch (event.type) {
    case 'InmateAdmitted': {
      const d = event.data;
      return {
        ...initialState(),
        status: 'in-custody',
        inmateId: d.inmateId,
        facilityId: d.facilityId,
        transferId: d.transferId,
        governingState: d.governingState,
        whereabouts: 'in-facility',
        admittedAt: d.admission.admittedAt,
      };
    }
    case 'SentenceToServeNoted':
      return {
        ...state,
        isLeased: event.data.governedBy === 'sending-state',
        releaseOn: event.data.sentence?.releaseOn,
      };
    case 'CellAssigned':
      return { ...state, cell: event.data.cell };
    case 'AbsenceStarted': {
      const { absenceId, kind, destination, authority } = event.data;
      return { ...state, whereabouts: 'absent', absence: { absenceId, kind, destination, authority, ...(event.occurredAt ? { startedAt: event.occurredAt } : {}) } };
    }
    case 'AbsenceEnded':
      return { ...state, whereabouts: 'in-facility', absence: undefined };
    case 'InmateEscaped':
      return { ...state, whereabouts: 'escaped', absence: undefined };
    case 'InmateRecaptured':
      return { ...state, whereabouts: 'in-facility', isReportedNotFound: false };
    case 'InmateCannotBeFound':
      return { ...state, isReportedNotFound: true };
    case 'InmateDiedInCustody':
      return { ...state, status: 'deceased', absence: undefined };
    case 'ConditionalReleaseGranted':
      return { ...state, isConditionallyReleased: true };
    case 'PardonOrAmnestyGranted':
      return event.data.isFull
        ? { ...state, isSentenceCompleted: true }
        : { ...state, releaseOn: event.data.newSentenceEndDate ?? state.releaseOn };
    case 'SentenceCompleted':
      return { ...state, isSentenceCompleted: true };
    case 'InmateReleased':
      return { ...state, status: 'released', absence: undefined, whereabouts: undefined };
    case 'CustodyPersonalDataErased':
      return state;
  }
}

/**
 * Rule 17, once decided (a command that changes nothing is not dated again): with the clock of a
 * ministry's act, not dated in the future nor recorded late without a reason; and not dated before
 * the admission, nor an absence's end before its start.
 */
function checkTime(command: CustodyCommand, state: Custody): void {
  const { occurredAt } = command.data;
  const problem: TimeProblem | undefined =
    (command.clock ? checkRecording(command.data, command.clock) : undefined) ??
    (command.type !== 'AdmitInmate' && state.admittedAt ? checkStepDate('custody-entry', 'occurredAt', occurredAt, { admission: state.admittedAt }) : undefined) ??
    (command.type === 'EndAbsence' && state.absence?.startedAt ? checkStepDate('absence-end', 'occurredAt', occurredAt, { 'absence-start': state.absence.startedAt }) : undefined) ??
    (command.type === 'StartAbsence' && command.data.expectedReturnAt
      ? checkEndAfterStart('absence-end', 'expectedReturnAt', command.data.expectedReturnAt, { step: 'absence-start', date: occurredAt })
      : undefined);
  if (problem) throw rejectionOf(problem);
}

export function decide(command: CustodyCommand, state: Custody): CustodyEvent[] {
  const events = decideCustody(command, state);
  if (events.length > 0) checkTime(command, state);
  return events;
}

function decideCustody(command: CustodyCommand, state: Custody): CustodyEvent[] {
  if (command.type === 'AdmitInmate') return admit(command, state);
  const { inmateId, facilityId } = command.data;
  if (state.status === 'released' || state.status === 'deceased') throw reject('CUSTODY_ENDED', { inmateId, status: state.status });
  if (state.status === 'none' || state.facilityId !== facilityId) {
    throw reject('INMATE_NOT_IN_CUSTODY', { inmateId, facilityId, ...(state.facilityId ? { heldAt: state.facilityId } : {}) });
  }
  const person = { inmateId, facilityId };
  switch (command.type) {
    case 'AssignCell': {
      const { cell, unitId } = command.data;
      mustNotBeEscaped(state);
      if (state.cell === cell) return [];
      return [event('CellAssigned', { ...person, cell, ...(unitId ? { unitId } : {}) })];
    }
    case 'StartAbsence': {
      mustNotBeEscaped(state);
      if (state.absence) throw reject('ABSENCE_ALREADY_OPEN', { absenceId: state.absence.absenceId });
      const { absenceId, kind, destination, authority, expectedReturnAt } = command.data;
      return [event('AbsenceStarted', { ...person, absenceId, kind, destination, authority, ...(expectedReturnAt ? { expectedReturnAt } : {}) })];
    }
    case 'EndAbsence': {
      if (!state.absence || state.absence.absenceId !== command.data.absenceId) throw reject('ABSENCE_NOT_FOUND', { absenceId: command.data.absenceId });
      return [event('AbsenceEnded', { ...person, absenceId: command.data.absenceId })];
    }
    case 'RecordEscape': {
      mustNotBeEscaped(state);
      const { circumstances, believedWhereabouts } = command.data;
      return [event('InmateEscaped', { ...person, circumstances, ...(believedWhereabouts ? { believedWhereabouts } : {}) })];
    }
    case 'RecordRecapture': {
      if (state.whereabouts !== 'escaped') throw reject('INMATE_NOT_ESCAPED', { inmateId });
      const { recapturedBy, place, stateFoundIn } = command.data;
      return [event('InmateRecaptured', { ...person, recapturedBy, place, stateFoundIn })];
    }
    case 'ReportInmateNotFound': {
      // Rule 13: "cannot be found" is reported for a person who is not where the facility holds them.
      if (state.whereabouts === 'in-facility') throw reject('INMATE_NOT_ESCAPED', { inmateId }, 'The person is recorded in the facility; record the escape or the absence first.');
      return [event('InmateCannotBeFound', { ...person, circumstances: command.data.circumstances })];
    }
    case 'RecordDeathInCustody': {
      const { cause, certifiedBy } = command.data;
      return [event('InmateDiedInCustody', { ...person, cause, certifiedBy })];
    }
    case 'GrantConditionalRelease': {
      mustNotBeEscaped(state);
      if (state.isConditionallyReleased) return [];
      const { conditions, grantedBy, supervisingAuthority } = command.data;
      return [event('ConditionalReleaseGranted', { ...person, conditions, grantedBy, supervisingAuthority })];
    }
    case 'GrantPardonOrAmnesty': {
      const { kind, grantedBy, reference, isFull, newSentenceEndDate } = command.data;
      return [event('PardonOrAmnestyGranted', { ...person, kind, grantedBy, reference, isFull, ...(newSentenceEndDate ? { newSentenceEndDate } : {}) })];
    }
    case 'RecordSentenceCompleted': {
      if (state.isSentenceCompleted) return [];
      const { completedOn, occurredAt } = command.data;
      if (completedOn > occurredAt.slice(0, 10)) throw reject('DATE_IN_FUTURE', { field: 'completedOn', date: completedOn, completedOn, occurredAt });
      return [event('SentenceCompleted', { ...person, completedOn })];
    }
    case 'ReleaseInmate':
      return release(command.data, state);
  }
}

function admit(command: AdmitInmateCommand, state: Custody): CustodyEvent[] {
  const { inmateId, facilityId, transferId, reservationId, admission, occurredAt } = command.data;
  if (state.status === 'deceased') throw reject('CUSTODY_ENDED', { inmateId, status: state.status });
  if (state.status === 'in-custody') throw reject('INMATE_ALREADY_IN_CUSTODY', { inmateId, heldAt: state.facilityId });
  // Rule 14: European Prison Rules 15.1.
  const missing = missingAdmissionFacts(admission);
  if (missing.length > 0) throw new CommandRejection('ADMISSION_RECORD_INCOMPLETE', undefined, { inmateId }, missing);
  if (Date.parse(admission.admittedAt) > Date.parse(occurredAt)) {
    throw reject('DATE_IN_FUTURE', { field: 'admission.admittedAt', date: admission.admittedAt, admittedAt: admission.admittedAt, occurredAt });
  }
  const { facility, handOver, sentence } = command.facts;
  if (!facility) throw reject('FACILITY_NOT_FOUND', { facilityId });
  // Rule 11: custody passes only when both sides of the hand-over are recorded.
  const isHandedOver =
    handOver !== undefined &&
    handOver.transferId === transferId &&
    handOver.inmateId === inmateId &&
    handOver.isDispatched &&
    handOver.isReceived &&
    (handOver.receivedAtFacilityId === undefined || handOver.receivedAtFacilityId === facilityId);
  if (!isHandedOver && command.facts.transferInFlight) {
    const { retryAfterSeconds, unconsumed } = command.facts.transferInFlight;
    throw notYetKnownHere('the transfer service\'s record of this hand-over has not reached the custody service yet', retryAfterSeconds, {
      inmateId, transferId, awaitedService: 'transfer', awaitedEvent: handOver?.isDispatched ? 'CustodyReceived' : 'CustodyDispatched', unconsumedMessages: unconsumed,
    });
  }
  if (!isHandedOver) {
    throw reject('ADMISSION_WITHOUT_HAND_OVER', {
      transferId,
      isDispatched: handOver?.isDispatched ?? false,
      isReceived: handOver?.isReceived ?? false,
      ...(handOver?.receivedAtFacilityId && handOver.receivedAtFacilityId !== facilityId ? { receivedAtFacilityId: handOver.receivedAtFacilityId } : {}),
    });
  }
  // Rule 11 and 17: the facility admits the person after the receiving side of the hand-over took them.
  if (handOver?.receivedAt) {
    const early = checkStepDate('admission', 'admission.admittedAt', admission.admittedAt, { receipt: handOver.receivedAt });
    if (early) throw rejectionOf(early);
  }
  // Under a lease the sending state's sentence and law apply; otherwise the receiving state's.
  const isLeased = facility.jurisdiction === 'leased' && facility.lease !== undefined;
  const governingState = isLeased ? facility.lease!.lesseeState : facility.operatingState;
  const toServe = sentence ? sentenceToServe(sentence, admission.admittedAt.slice(0, 10)) : undefined;
  return [
    // The catalogue's version 2: the write path encrypts the record's identity and health facts before it is stored (Rule 16).
    event('InmateAdmitted', { inmateId, facilityId, transferId, ...(reservationId ? { reservationId } : {}), admission, governingState }),
    {
      // Custody's own event, not published in the catalogue: its version is this service's.
      type: 'SentenceToServeNoted',
      schemaVersion: 1,
      data: { inmateId, facilityId, governedBy: isLeased ? 'sending-state' : 'receiving-state', ...(toServe ? { sentence: toServe } : {}) },
    },
  ];
}

function release(data: Command<'ReleaseInmate'>['data'], state: Custody): CustodyEvent[] {
  const { inmateId, facilityId, disposition, deportationOrderReference, destinationState, handedTo } = data;
  mustNotBeEscaped(state);
  if (state.absence) throw reject('ABSENCE_ALREADY_OPEN', { absenceId: state.absence.absenceId }, 'The person is absent; end the absence before the release.');
  // Rule 9: a person leaves a leased facility by deportation (with its order) or back to the sending state.
  if (state.isLeased && disposition !== 'returned-to-sending-state' && !deportationOrderReference) {
    throw reject('DEPORTATION_ORDER_REQUIRED', { disposition });
  }
  if (disposition === 'deported' && !deportationOrderReference) throw reject('DEPORTATION_ORDER_REQUIRED', { disposition });
  return [
    event('InmateReleased', {
      inmateId,
      facilityId,
      disposition,
      ...(deportationOrderReference ? { deportationOrderReference } : {}),
      ...(destinationState ? { destinationState } : {}),
      ...(handedTo ? { handedTo } : {}),
    }),
  ];
}

function mustNotBeEscaped(state: Custody): void {
  if (state.whereabouts === 'escaped') {
    throw reject('INMATE_NOT_IN_CUSTODY', { inmateId: state.inmateId }, 'The person escaped and is not in custody now; record the recapture first.');
  }
}

/** The custody decider, for the write path. */
export const custodyDecider = { initialState, evolve, decide };
