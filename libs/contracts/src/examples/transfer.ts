import type { CommandPayload, EventPayload, TransferCommandType, TransferEventType } from '../catalogue/catalogue';
import { AT, IDS, albanianJustice, belgianPrison, dispatchSide, encrypted, escort, profile, receiptSide } from './fixtures';

const base = { commandId: IDS.command, occurredAt: AT };
const ids = { transferId: IDS.transfer, inmateId: IDS.inmate };
const place = { ...ids, facilityId: IDS.facility, reservationId: IDS.reservation };
const request = { ...ids, sendingState: 'BE' as const, receivingState: 'AL' as const, legalBasis: 'ETS112', reason: 'Albanian national without a residence permit in Belgium.' };
const opinion = { ...ids, opinion: 'I agree to serve the rest of my sentence in Albania, near my family.', language: 'sq', recordedBy: belgianPrison };
const consent = { ...ids, outcome: 'given' as const, recordedBy: belgianPrison };
const certificate = { ...ids, certificateReference: 'BE-AL-2026-0042', receivingAuthority: albanianJustice, isJudgmentEnclosed: true };
const decision = {
  ...ids,
  decision: 'recognised' as const,
  decisionReference: 'AL-MoJ-2026-311',
  decidedBy: albanianJustice,
  procedure: 'conversion' as const,
  adaptedSentence: {
    measure: 'custodial' as const,
    kind: 'determinate' as const,
    length: { years: 6, months: 0, days: 0 },
    sentenceEndDate: '2029-11-03',
    // Every day served on the day of the decision, the 131 of pre-trial detention included (Rule 8).
    daysDeducted: 981,
    legalGround: 'Criminal Code of Albania, art. 283; ETS 112 Art 11',
  },
  facilityId: IDS.facility,
};
const placement = {
  ...ids,
  decisionReference: 'DK-KRF-2027-0117',
  decidedBy: { state: 'DK' as const, organisation: 'Danish Prison and Probation Service' },
  facilityId: IDS.facility,
  grounds: 'Third-country national sentenced to expulsion; no excluded offence or condition; a place in the leased places in Gjilan.',
  legalGround: 'Danish Sentence Enforcement Act § 1 a',
};
const returnDecision = {
  ...ids,
  transferId: '7b0c1d2e-3f40-4a51-8b62-c73d84e95f06',
  returnOf: IDS.transfer,
  ground: 'lease-ended' as const,
  sendingState: 'DK' as const,
  receivingState: 'DK' as const,
  decisionReference: 'DK-KRF-2032-0042',
  decidedBy: { state: 'DK' as const, organisation: 'Danish Prison and Probation Service' },
  fromFacilityId: IDS.facility,
  destinationFacilityId: '5d6e7f80-91a2-4b3c-8d4e-5f60718293a4',
  explanation: 'The treaty on the use of the Gjilan facility ended; the person goes on serving the Danish sentence in Denmark.',
};
const agreement = {
  ...ids, clause: 'time-left-below-minimum' as const, answer: 'agreed' as const, agreedBy: albanianJustice, reference: 'AL-MoJ-2026-305',
  explanation: 'Albania agrees to take over enforcement although less than six months are left (ETS 112 Art 3(2)).',
};
const extension = { ...ids, deadline: 'receiving-state-decision' as const, newDueAt: '2026-07-01T00:00:00Z', reason: 'Translation of the judgment still pending.', noticeReference: 'AL-MoJ-2026-298' };
const schedule = { ...ids, plannedDeparture: '2026-04-14T06:00:00Z', destinationFacilityId: IDS.facility, escort, route: 'Brussels Airport to Tirana International Airport, escorted flight' };

/** One example of every transfer command. */
export const TRANSFER_COMMAND_EXAMPLES: { [K in TransferCommandType]: CommandPayload<K> } = {
  RequestTransfer: { ...base, ...request },
  EvaluateEligibility: { ...base, ...ids },
  RecordInmateOpinion: { ...base, ...opinion },
  RecordConsent: { ...base, ...consent },
  RecordInmateNotification: { ...base, ...ids, language: 'sq', subject: 'Decision of Albania to recognise the judgment' },
  RecordStateAgreement: { ...base, ...agreement },
  IssueCertificate: { ...base, ...certificate },
  AcknowledgeCertificateReceipt: { ...base, ...ids, receivedBy: albanianJustice },
  RecordReceivingStateDecision: { ...base, ...decision },
  DecidePlacement: { ...base, ...placement },
  RequestReturn: { ...base, ...returnDecision },
  ExtendDeadline: { ...base, ...extension },
  RecordMissedDeadline: { ...base, ...ids, deadline: 'physical-transfer', dueAt: '2026-05-01T00:00:00Z' },
  ReportTransferObstacle: { ...base, ...ids, description: 'Flights to Tirana suspended by a strike.' },
  EndTransferObstacle: { ...base, ...ids },
  RequestPlaceReservation: { ...base, ...place, profile, expectedArrivalOn: '2026-04-14' },
  ConfirmPlaceReservation: { ...base, ...place, expiresAt: '2026-05-15T00:00:00Z' },
  DeclinePlaceReservation: { ...base, ...place, code: 'CAPACITY_EXHAUSTED', reason: 'No free place at the facility.' },
  ScheduleTransfer: { ...base, ...schedule },
  RecordDispatch: { ...base, ...ids, dispatchedBy: dispatchSide, escort },
  RecordReceipt: { ...base, ...ids, receivedBy: receiptSide, facilityId: IDS.facility },
  WithdrawTransfer: { ...base, ...ids, reason: 'The person was acquitted on appeal.' },
  CancelTransfer: { ...base, ...ids, cancelledBy: 'sending-state', reason: 'The person is needed as a witness in Belgium.' },
  CompleteTransfer: { ...base, ...ids, facilityId: IDS.facility, admissionEventId: IDS.event },
};

/** One example of every transfer event. */
export const TRANSFER_EVENT_EXAMPLES: { [K in TransferEventType]: EventPayload<K> } = {
  TransferRequested: request,
  EligibilityEvaluated: {
    ...ids,
    legalBasis: 'ETS112',
    isEligible: true,
    verdicts: [
      { rule: 'legal-basis', outcome: 'met', reason: 'Belgium and Albania are both parties to ETS 112.', domainRule: '1' },
      { rule: 'time-left', outcome: 'met', reason: 'More than six months are left to serve.', domainRule: '3' },
      { rule: 'nationality', outcome: 'met', reason: 'The person is an Albanian national.', domainRule: '4' },
      { rule: 'consent', outcome: 'needs-decision', code: 'CONSENT_REQUIRED', reason: 'ETS 112 Art 3(1)(d): consent is required and not yet recorded.', domainRule: '5' },
    ],
  },
  // The opinion as transfer publishes it: encrypted with the person's data key (docs/personal-data.md).
  InmateOpinionRecorded: { ...opinion, opinion: encrypted('Op1nI0nIvExAmPl3', 'S7dKq2Lm9Xv4Bn8Wc1Zr6Yt3Hp0Jf5Gu2Ae7Ri4Ok9Ns1Dl6Mx3Vb8Qw5Ez0Ty7Ui2Op4As9Df1Gh6Jk3Lz8Xc5Vb0Nm7Qw2Er4Ty9Ui1Op6As3Df8Gh5Jk0Lz2Xc7Vb4Nm9Qw1Er6Ty3Ui8Op5As0Df2Gh7Jk4Lz9Xc1Vb6Nm3') },
  ConsentRecorded: consent,
  InmateNotified: { ...ids, language: 'sq', subject: 'Decision of Albania to recognise the judgment' },
  StateAgreementRecorded: { ...agreement, side: 'receiving', cites: 'ETS 112 Art 3(2)' },
  CertificateIssued: certificate,
  CertificateReceived: { ...ids, receivedBy: albanianJustice, decisionDueAt: '2026-05-31T09:30:00Z' },
  ReceivingStateDecisionRecorded: { ...decision, transferDueAt: '2026-04-30T09:30:00Z' },
  PlacementDecided: { ...placement, legalBasis: 'LEASE_DK_XK_2022', cites: 'DK–XK lease treaty 2022 Art 1(c); Danish Sentence Enforcement Act § 1 a(2)' },
  ReturnRequested: { ...returnDecision, legalBasis: 'LEASE_DK_XK_2022', cites: 'DK–XK lease treaty 2022 (term of the treaty); Danish Sentence Enforcement Act § 1 a' },
  DeadlineExtended: { ...extension, previousDueAt: '2026-05-31T09:30:00Z' },
  DeadlineMissed: { ...ids, deadline: 'physical-transfer', dueAt: '2026-05-01T00:00:00Z' },
  TransferObstacleReported: { ...ids, description: 'Flights to Tirana suspended by a strike.' },
  TransferObstacleEnded: { ...ids, transferDueAt: '2026-04-24T09:30:00Z' },
  PlaceReservationRequested: { ...place, profile, expectedArrivalOn: '2026-04-14' },
  PlaceReservationConfirmed: { ...place, expiresAt: '2026-05-15T00:00:00Z' },
  PlaceReservationDeclined: { ...place, code: 'CAPACITY_EXHAUSTED', reason: 'No free place at the facility.', isCaseEnded: false },
  PlaceReleaseRequested: { ...place, reason: 'The transfer was withdrawn.' },
  TransferScheduled: schedule,
  CustodyDispatched: { ...ids, dispatchedBy: dispatchSide, escort },
  CustodyReceived: { ...ids, receivedBy: receiptSide, facilityId: IDS.facility },
  TransferWithdrawn: { ...ids, reason: 'The person was acquitted on appeal.' },
  TransferCancelled: { ...ids, cancelledBy: 'receiving-state', reason: 'The receiving facility closed.' },
  TransferCompleted: { ...ids, facilityId: IDS.facility, admissionEventId: IDS.event },
};

/** Transfer events at older schema versions still readable: type → version → payload. */
export const TRANSFER_LEGACY_EXAMPLES: Record<string, Record<number, object>> = {
  PlaceReservationDeclined: { 1: { ...place, code: 'CAPACITY_EXHAUSTED', reason: 'No free place at the facility.' } },
  TransferObstacleEnded: { 1: { ...ids, transferDueAt: '2026-04-24T09:30:00Z' } },
  InmateOpinionRecorded: { 1: opinion },
};
