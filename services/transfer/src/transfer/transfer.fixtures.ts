// Test support: the three real shapes of case, and builders for every command of a case.
import { randomUUID } from 'node:crypto';
import type { CommandPayload, Sentence, TransferCommand, TransferCommandType, TransferEvent } from '@custody/contracts';
import { specify } from '@custody/event-sourcing/testing';
import { addDays } from '@custody/legal';
import type { InmateRecord } from '../inmates/inmate-record';
import { decide, evolve, initialState, type DecisionContext, type TransferState } from './transfer.decider';

export interface CaseShape {
  name: string;
  transferId: string;
  /** Day 0 of the case: the day of the request. */
  day0: string;
  inmate: InmateRecord;
  sendingState: string;
  receivingState: string;
  legalBasis: string;
  facilityId: string;
  consent: Pick<CommandPayload<'RecordConsent'>, 'outcome' | 'notRequiredGround'>;
}

const sentence = (over: Partial<Sentence>): Sentence => ({
  court: 'Court of first instance',
  caseReference: 'CR-2024-0001',
  finalJudgmentDate: '2024-02-20',
  offences: [{ description: 'Trafficking of narcotics', category: 'drugs' }],
  kind: 'determinate',
  length: { years: 3, months: 0, days: 0 },
  sentenceEndDate: '2027-03-03',
  enforcementStartDate: '2024-03-03',
  preTrialDays: 0,
  daysServed: 0,
  ...over,
});

/** Belgium → Albania under ETS 112: an Albanian national without a residence permit, consenting. */
export const belgiumToAlbania = (): CaseShape => ({
  name: 'Belgium → Albania under ETS 112, with consent',
  transferId: randomUUID(),
  day0: '2025-03-03',
  inmate: {
    inmateId: randomUUID(), sendingState: 'BE', nationalities: ['AL'], habitualResidence: 'BE', isReleased: false,
    sentence: sentence({}),
  },
  sendingState: 'BE', receivingState: 'AL', legalBasis: 'ETS112', facilityId: randomUUID(),
  consent: { outcome: 'given' },
});

/** Denmark → Kosovo under the Gjilan lease: a Moroccan national with an expulsion order, without consent. */
export const denmarkToKosovo = (): CaseShape => ({
  name: 'Denmark → Kosovo lease, without consent',
  transferId: randomUUID(),
  day0: '2026-09-01',
  inmate: {
    inmateId: randomUUID(), sendingState: 'DK', nationalities: ['MA'], habitualResidence: 'DK', isReleased: false,
    expulsionOrder: { orderReference: 'expulsion order 2025/4411', destinationState: 'MA', isFinal: true },
    health: { hasSeriousMentalIllness: false, hasTerminalIllness: false },
    sentence: sentence({
      finalJudgmentDate: '2025-05-20', enforcementStartDate: '2025-06-01', length: { years: 4, months: 0, days: 0 },
      sentenceEndDate: '2029-06-01', preTrialDays: 120, offences: [{ description: 'Aggravated assault', category: 'violent' }],
    }),
  },
  sendingState: 'DK', receivingState: 'XK', legalBasis: 'LEASE_DK_XK_2022', facilityId: randomUUID(),
  consent: { outcome: 'not-required', notRequiredGround: 'lease-treaty' },
});

/** Belgium → Netherlands under 2008/909: a Dutch national to be deported there; consent not required. */
export const belgiumToNetherlands = (): CaseShape => ({
  name: 'Belgium → Netherlands under 2008/909, deported there, without consent',
  transferId: randomUUID(),
  day0: '2025-05-12',
  inmate: {
    inmateId: randomUUID(), sendingState: 'BE', nationalities: ['NL'], habitualResidence: 'BE', isReleased: false,
    expulsionOrder: { orderReference: 'OQT-2025-118', destinationState: 'NL', isFinal: true },
    sentence: sentence({
      finalJudgmentDate: '2025-01-10', enforcementStartDate: '2025-01-15', length: { years: 2, months: 0, days: 0 },
      sentenceEndDate: '2027-01-15', preTrialDays: 60, offences: [{ description: 'Burglary', category: 'property' }],
    }),
  },
  sendingState: 'BE', receivingState: 'NL', legalBasis: 'FD2008_909', facilityId: randomUUID(),
  consent: { outcome: 'not-required', notRequiredGround: 'national-to-be-deported-to-receiving-state' },
});

/** The instant of 09:00 UTC on day `n` of the case. */
export const at = (shape: CaseShape, n: number): string => `${addDays(shape.day0, n)}T09:00:00Z`;

const authority = (state: string, organisation: string) => ({ state, organisation, officer: 'Officer on duty' }) as never;
const party = (state: string, place: string) => ({ state, organisation: `${state} escort service`, officer: 'Officer on duty', place }) as never;

type Builder<T extends TransferCommandType> = (day?: number, over?: Partial<CommandPayload<T>>) => TransferCommand;

/** Every command of one case, each on a default day of the case, with any field overridden. */
export function commandsOf(shape: CaseShape) {
  const ids = { transferId: shape.transferId, inmateId: shape.inmate.inmateId };
  const reservationId = `${shape.transferId.slice(0, 24)}${'a'.repeat(12)}`;
  const build = <T extends TransferCommandType>(type: T, defaultDay: number, data: () => object): Builder<T> =>
    (day = defaultDay, over = {}) =>
      ({ type, data: { commandId: randomUUID(), occurredAt: at(shape, day), ...ids, ...data(), ...over } }) as TransferCommand;
  const receiving = shape.receivingState;
  const sending = shape.sendingState;
  return {
    reservationId,
    request: build('RequestTransfer', 0, () => ({ sendingState: sending, receivingState: receiving, legalBasis: shape.legalBasis, ...(shape.legalBasis.startsWith('LEASE_') ? { facilityId: shape.facilityId } : {}) })),
    evaluate: build('EvaluateEligibility', 1, () => ({})),
    opinion: build('RecordInmateOpinion', 2, () => ({ opinion: 'I agree to go.', language: 'sq', recordedBy: authority(sending, 'Prison') })),
    consent: build('RecordConsent', 3, () => ({ ...shape.consent, recordedBy: authority(sending, 'Prison') })),
    notify: build('RecordInmateNotification', 4, () => ({ language: 'sq', subject: 'The request was sent' })),
    agreeSending: build('RecordStateAgreement', 4, () => ({ clause: 'time-left-below-minimum', answer: 'agreed', agreedBy: authority(sending, 'Ministry of Justice') })),
    agreeReceiving: build('RecordStateAgreement', 4, () => ({ clause: 'time-left-below-minimum', answer: 'agreed', agreedBy: authority(receiving, 'Ministry of Justice') })),
    certificate: build('IssueCertificate', 5, () => ({ certificateReference: 'CERT-1', receivingAuthority: authority(receiving, 'Ministry of Justice'), isJudgmentEnclosed: true })),
    receipt: build('AcknowledgeCertificateReceipt', 6, () => ({ receivedBy: authority(receiving, 'Ministry of Justice') })),
    recognise: build('RecordReceivingStateDecision', 20, () => ({ decision: 'recognised', decisionReference: 'DEC-1', decidedBy: authority(receiving, 'Ministry of Justice'), procedure: 'continuation' })),
    // Rule 18: under a lease, the lessee (the sending state) places the person itself.
    place: build('DecidePlacement', 20, () => ({
      decisionReference: 'PLACE-1', decidedBy: authority(sending, 'Prison and Probation Service'), facilityId: shape.facilityId,
      grounds: 'Third-country national sentenced to expulsion; no excluded offence or condition.', legalGround: 'Sentence Enforcement Act § 1 a',
    })),
    refuse: build('RecordReceivingStateDecision', 20, () => ({ decision: 'refused', decisionReference: 'DEC-1', decidedBy: authority(receiving, 'Ministry of Justice'), refusalGround: 'no-double-criminality' })),
    extend: build('ExtendDeadline', 30, () => ({ deadline: 'receiving-state-decision', newDueAt: `${addDays(shape.day0, 130)}T23:59:59Z`, reason: 'Translation pending.', noticeReference: 'NOTICE-1' })),
    missed: build('RecordMissedDeadline', 100, () => ({ deadline: 'receiving-state-decision', dueAt: `${addDays(shape.day0, 96)}T23:59:59Z` })),
    obstacle: build('ReportTransferObstacle', 25, () => ({ description: 'Flights suspended by a strike.' })),
    endObstacle: build('EndTransferObstacle', 40, () => ({})),
    reserve: build('RequestPlaceReservation', 21, () => ({ facilityId: shape.facilityId, reservationId, profile: { nationalities: shape.inmate.nationalities, hasExpulsionOrder: !!shape.inmate.expulsionOrder, offenceCategories: ['other'], sentenceKind: 'determinate', hasSeriousMentalIllness: false, hasTerminalIllness: false } })),
    confirm: build('ConfirmPlaceReservation', 22, () => ({ facilityId: shape.facilityId, reservationId, expiresAt: `${addDays(shape.day0, 60)}T00:00:00Z` })),
    decline: build('DeclinePlaceReservation', 22, () => ({ facilityId: shape.facilityId, reservationId, code: 'CAPACITY_EXHAUSTED', reason: 'No free place.' })),
    schedule: build('ScheduleTransfer', 23, () => ({ plannedDeparture: at(shape, 30), destinationFacilityId: shape.facilityId, escort: { state: sending, organisation: 'Escort service', leadOfficer: 'Lead officer' } })),
    dispatch: build('RecordDispatch', 30, () => ({ dispatchedBy: party(sending, 'Airport'), escort: { state: sending, organisation: 'Escort service', leadOfficer: 'Lead officer' } })),
    receive: build('RecordReceipt', 30, () => ({ receivedBy: party(receiving, 'Airport'), facilityId: shape.facilityId })),
    complete: build('CompleteTransfer', 31, () => ({ facilityId: shape.facilityId, admissionEventId: shape.transferId })),
    withdraw: build('WithdrawTransfer', 24, () => ({ reason: 'Acquitted on appeal.' })),
    cancel: build('CancelTransfer', 24, () => ({ cancelledBy: 'sending-state', reason: 'Needed as a witness.' })),
  };
}

/** True for a case under a facility lease (Rule 18: a placement by the lessee, no recognition). */
export const isLease = (shape: CaseShape): boolean => shape.legalBasis.startsWith('LEASE_');

/** The steps of a case in order: recognition by the receiving state, or, under a lease, the lessee's placement (Rule 18). */
export function stepsOf(shape: CaseShape) {
  const accepted = isLease(shape) ? (['place'] as const) : (['certificate', 'receipt', 'recognise'] as const);
  return ['request', 'evaluate', 'opinion', 'consent', ...accepted, 'reserve', 'confirm', 'schedule', 'dispatch', 'receive'] as const;
}

/** The commands of a case from the request to the admission, in order. */
export function happyPath(shape: CaseShape): TransferCommand[] {
  const c = commandsOf(shape);
  const accepted = isLease(shape) ? [c.place()] : [c.certificate(), c.receipt(), c.recognise()];
  return [c.request(), c.evaluate(), c.opinion(), c.consent(), ...accepted, c.notify(21),
    c.reserve(), c.confirm(), c.schedule(), c.dispatch(), c.receive(), c.complete()];
}

/**
 * Runs commands through the decider (each must be accepted) and returns the events and the state.
 * The events are dated by their command's `occurredAt`, as the store gives them back.
 */
export function run(commands: TransferCommand[], context: DecisionContext): { events: TransferEvent[]; state: TransferState } {
  let state = initialState();
  const events: TransferEvent[] = [];
  for (const command of commands) {
    const decided = decide(command, state, context).map((e) => ({ ...e, occurredAt: command.data.occurredAt }));
    events.push(...decided);
    state = decided.reduce(evolve, state);
  }
  return { events, state };
}

/**
 * A specification a lawyer can read (the kernel's given / when / then, with the decision
 * context): given the events of a case (or the commands that made them, recorded at their own
 * time: without the context's clock), when a command
 * arrives, then these events (`thenMatches`: types in order, data in part), or this rejection.
 */
export function given(history: TransferCommand[] | TransferEvent[], context: DecisionContext = {}) {
  // The history was recorded at its own time: only the command under test meets the context's clock.
  const { clock: _now, ...then } = context;
  const events = history.length > 0 && 'schemaVersion' in history[0]
    ? (history as TransferEvent[])
    : run(history as TransferCommand[], then).events;
  return specify<TransferCommand, TransferEvent, TransferState>({ initialState, evolve, decide: (command, state) => decide(command, state, context) })(events);
}
