import { randomBytes, randomUUID } from 'node:crypto';
import type { ServiceName } from './service-process';

/** A day relative to today (UTC), as YYYY-MM-DD. */
export function dayFromToday(days: number): string {
  const today = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z');
  return new Date(today.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * A command's body as a ministry records it: an act dated more than six days ago says why it is
 * recorded late (the services ask a reason after COMMAND_LATE_RECORDING_DAYS, 7 by default;
 * docs/domain.md, Rule 17). The cases here are dated in the past on purpose.
 */
export function asRecordedNow<T extends { occurredAt: string }>(body: T): T & { lateRecordingReason?: string } {
  const isLate = Date.parse(body.occurredAt) < Date.now() - 6 * 86_400_000;
  return isLate ? { ...body, lateRecordingReason: 'The case is recorded from its file after the acts, as the end-to-end test replays it.' } : body;
}

/** One command of a case: which service, where, the body (the contract's command). */
export interface Step {
  name: string;
  service: ServiceName;
  path: string;
  body: Record<string, unknown> & { commandId: string; occurredAt: string };
  /** Rejection codes that only mean "another service has not told this one yet": retry. */
  notYet?: string[];
  /** The event the command records on its subject: how a client sees that it took effect. */
  event?: string;
}

/**
 * Codes a service may answer while the facts it needs are still on their way over Kafka, besides
 * NOT_YET_KNOWN_HERE (which the driver always waits out: docs/adr/0012-not-yet-known-here.md).
 * Transfer answers NOT_YET_KNOWN_HERE while intake's events of the person are unread there; it
 * answers INMATE_NOT_FOUND or SENTENCE_NOT_RECORDED when intake's relay has not published them
 * yet (the window the ADR leaves): a registration accepted a moment before the request.
 */
const INMATE_NOT_YET_KNOWN = ['INMATE_NOT_FOUND', 'SENTENCE_NOT_RECORDED'];
/** Custody answers NOT_YET_KNOWN_HERE while transfer's hand-over is unread there; ADMISSION_WITHOUT_HAND_OVER before transfer's relay published it. */
const HAND_OVER_NOT_YET_KNOWN = ['ADMISSION_WITHOUT_HAND_OVER'];

/** The event each step records on its subject. */
const STEP_EVENTS: Record<string, string> = {
  register: 'InmateRegistered', sentence: 'SentenceRecorded', 'expulsion order': 'ExpulsionOrderRecorded', health: 'HealthAssessmentRecorded',
  request: 'TransferRequested', eligibility: 'EligibilityEvaluated', opinion: 'InmateOpinionRecorded', consent: 'ConsentRecorded',
  certificate: 'CertificateIssued', 'certificate receipt': 'CertificateReceived', decision: 'ReceivingStateDecisionRecorded', placement: 'PlacementDecided',
  notification: 'InmateNotified', reservation: 'PlaceReservationRequested', schedule: 'TransferScheduled', dispatch: 'CustodyDispatched',
  receipt: 'CustodyReceived', admission: 'InmateAdmitted',
};

const authority = (state: string, organisation: string, officer?: string) => ({ state, organisation, ...(officer ? { officer } : {}) });

export interface CaseShape {
  label: string;
  sendingState: string;
  receivingState: string;
  legalBasis: string;
  nationalities: string[];
  residence: { status: string; habitualResidence: string };
  holdingFacility: string;
  /** Leased facility (Denmark–Kosovo) or national. */
  isLease: boolean;
  expulsionOrder?: { orderReference: string; destinationState: string };
  offence: { description: string; category: string };
  consent: { outcome: 'given' } | { outcome: 'not-required'; notRequiredGround: string };
  procedure: 'conversion' | 'continuation';
  language: string;
  receivingAuthority: string;
  prisonService: string;
  escortOrganisation: string;
  airport: string;
}

export const BELGIUM_TO_ALBANIA: CaseShape = {
  label: 'BE→AL ETS112',
  sendingState: 'BE', receivingState: 'AL', legalBasis: 'ETS112', nationalities: ['AL'],
  residence: { status: 'irregular', habitualResidence: 'BE' }, holdingFacility: 'Prison de Haren', isLease: false,
  offence: { description: 'Trafficking of narcotics', category: 'drugs' },
  consent: { outcome: 'given' }, procedure: 'conversion', language: 'sq',
  receivingAuthority: 'Ministry of Justice of Albania', prisonService: 'General Directorate of Prisons',
  escortOrganisation: 'Federal Police, Escort Directorate', airport: 'Tirana International Airport',
};

export const DENMARK_TO_KOSOVO: CaseShape = {
  label: 'DK→XK lease',
  sendingState: 'DK', receivingState: 'XK', legalBasis: 'LEASE_DK_XK_2022', nationalities: ['MA'],
  residence: { status: 'irregular', habitualResidence: 'DK' }, holdingFacility: 'Vestre Fængsel', isLease: true,
  expulsionOrder: { orderReference: 'DK-UDL-2025-44120', destinationState: 'MA' },
  offence: { description: 'Aggravated assault', category: 'violent' },
  consent: { outcome: 'not-required', notRequiredGround: 'lease-treaty' }, procedure: 'continuation', language: 'ar',
  receivingAuthority: 'Ministry of Justice of Kosovo', prisonService: 'Kosovo Correctional Service',
  escortOrganisation: 'Danish Prison and Probation Service, Transport', airport: 'Pristina International Airport',
};

export const BELGIUM_TO_NETHERLANDS: CaseShape = {
  label: 'BE→NL 2008/909',
  sendingState: 'BE', receivingState: 'NL', legalBasis: 'FD2008_909', nationalities: ['NL'],
  residence: { status: 'irregular', habitualResidence: 'BE' }, holdingFacility: 'Prison de Lantin', isLease: false,
  expulsionOrder: { orderReference: 'OQT-2025-118', destinationState: 'NL' },
  offence: { description: 'Burglary', category: 'property' },
  consent: { outcome: 'not-required', notRequiredGround: 'national-to-be-deported-to-receiving-state' }, procedure: 'continuation', language: 'nl',
  receivingAuthority: 'Ministry of Justice and Security of the Netherlands', prisonService: 'Dienst Justitiële Inrichtingen',
  escortOrganisation: 'Federal Police, Escort Directorate', airport: 'Brussels Airport',
};

/**
 * One transfer case from the registration with the sending state's intake service to the
 * admission in the receiving facility, as the commands each party sends, on days relative to today
 * (all in the past: the services refuse instants in the future).
 */
export class TransferCase {
  readonly inmateId = randomUUID();
  readonly transferId = randomUUID();
  readonly reservationId = randomUUID();
  readonly passport = `P${randomBytes(5).toString('hex').toUpperCase()}`;
  readonly enforcementStartDate = '2024-11-03';
  readonly preTrialDays = 131;

  constructor(
    readonly shape: CaseShape,
    readonly facilityId: string,
    /** Day 0 of the case, days from today (negative). */
    readonly day0 = -30,
  ) {}

  /** 09:00 UTC (plus `minutes`) on day `n` of the case. */
  at(n: number, minutes = 0): string {
    return `${dayFromToday(this.day0 + n)}T${String(9 + Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00Z`;
  }

  day(n: number): string {
    return dayFromToday(this.day0 + n);
  }

  private step(name: string, service: ServiceName, path: string, occurredAt: string, data: Record<string, unknown>, notYet?: string[]): Step {
    const event = STEP_EVENTS[name];
    return { name, service, path, body: asRecordedNow({ commandId: randomUUID(), occurredAt, ...data }), ...(notYet ? { notYet } : {}), ...(event ? { event } : {}) };
  }

  get sentence() {
    return {
      court: this.shape.sendingState === 'DK' ? 'Københavns Byret' : 'Tribunal de première instance de Bruxelles',
      caseReference: `CR-${this.passport}`,
      finalJudgmentDate: '2024-10-20',
      offences: [this.shape.offence],
      kind: 'determinate',
      length: { years: 6, months: 0, days: 0 },
      sentenceEndDate: '2030-11-03',
      enforcementStartDate: this.enforcementStartDate,
      preTrialDays: this.preTrialDays,
      daysServed: this.preTrialDays + daysBetween(this.enforcementStartDate, this.day(0)),
    };
  }

  /** The sending state registers the person (and what the lease needs: the expulsion order, health). */
  intake(): Step[] {
    const s = this.shape;
    const ids = { inmateId: this.inmateId };
    const steps = [
      this.step('register', 'intake', '/inmates', this.at(-3), {
        ...ids,
        identity: {
          givenNames: 'Test', familyName: `Person ${this.passport}`, dateOfBirth: '1988-05-14', sex: 'male',
          documents: [{ kind: 'passport', number: this.passport, issuingState: s.nationalities[0] }],
        },
        nationalities: s.nationalities,
        sendingState: s.sendingState,
        holdingFacility: { name: s.holdingFacility },
        residence: s.residence,
      }),
      this.step('sentence', 'intake', `/inmates/${this.inmateId}/sentence`, this.at(-3, 5), { ...ids, sentence: this.sentence }),
    ];
    if (s.expulsionOrder) {
      steps.push(
        this.step('expulsion order', 'intake', `/inmates/${this.inmateId}/expulsion-orders`, this.at(-2), {
          ...ids,
          expulsionOrder: {
            orderReference: s.expulsionOrder.orderReference,
            issuingAuthority: authority(s.sendingState, 'Immigration Service'),
            issuedOn: this.day(-20),
            destinationState: s.expulsionOrder.destinationState,
            isFinal: true,
          },
        }),
        this.step('health', 'intake', `/inmates/${this.inmateId}/health-assessments`, this.at(-2, 10), {
          ...ids, hasSeriousMentalIllness: false, hasTerminalIllness: false,
          assessedBy: authority(s.sendingState, s.holdingFacility), assessedOn: this.day(-5),
        }),
      );
    }
    return steps;
  }

  /** The legal process, to the request for a place (transfer service). */
  untilReservation(): Step[] {
    const s = this.shape;
    const ids = { transferId: this.transferId, inmateId: this.inmateId };
    const t = (name: string, path: string, n: number, data: Record<string, unknown>, notYet?: string[]) =>
      this.step(name, 'transfer', `/transfers${path}`, this.at(n), { ...ids, ...data }, notYet);
    const officer = authority(s.sendingState, s.holdingFacility, 'Officer on duty');
    const receiving = authority(s.receivingState, s.receivingAuthority);
    // Rule 18: a transfer of enforcement is recognised by the receiving state after its certificate;
    // under a lease the lessee (the sending state) decides the placement itself: no recognition.
    const accepted = s.isLease
      ? [
          t('placement', `/${this.transferId}/placement`, 10, this.placement()),
          t('notification', `/${this.transferId}/notifications`, 11, { language: s.language, subject: 'Decision of the Danish Prison and Probation Service on the placement in Gjilan, with the right of appeal' }),
        ]
      : [
          t('certificate', `/${this.transferId}/certificate`, 4, { certificateReference: `CERT-${this.passport}`, isJudgmentEnclosed: true, receivingAuthority: receiving }),
          t('certificate receipt', `/${this.transferId}/certificate-receipt`, 6, { receivedBy: receiving }),
          t('decision', `/${this.transferId}/decision`, 10, this.decision(10)),
          t('notification', `/${this.transferId}/notifications`, 11, { language: s.language, subject: 'The receiving state recognised the judgment' }),
        ];
    return [
      t('request', '', 0, { sendingState: s.sendingState, receivingState: s.receivingState, legalBasis: s.legalBasis, ...(s.isLease ? { facilityId: this.facilityId } : {}) }, INMATE_NOT_YET_KNOWN),
      t('eligibility', `/${this.transferId}/eligibility`, 1, {}, INMATE_NOT_YET_KNOWN),
      t('opinion', `/${this.transferId}/opinion`, 2, { opinion: 'I agree to serve the rest of my sentence there.', language: s.language, recordedBy: officer }),
      t('consent', `/${this.transferId}/consent`, 3, { ...s.consent, recordedBy: officer }),
      ...accepted,
      t('reservation', `/${this.transferId}/reservation`, 12, {
        facilityId: this.facilityId,
        reservationId: this.reservationId,
        profile: {
          nationalities: s.nationalities, hasExpulsionOrder: !!s.expulsionOrder, offenceCategories: [s.offence.category], sentenceKind: 'determinate',
          hasSeriousMentalIllness: false, hasTerminalIllness: false,
        },
      }),
    ];
  }

  /** Rule 18: the lessee's own placement decision under a lease (the sending state's prison service). */
  placement(): Record<string, unknown> {
    return {
      decisionReference: `PLACE-${this.passport}`,
      decidedBy: authority(this.shape.sendingState, 'Danish Prison and Probation Service'),
      facilityId: this.facilityId,
      grounds: 'Third-country national sentenced to expulsion by a final judgment; no excluded offence or condition; a leased place in Gjilan.',
      legalGround: 'Danish Sentence Enforcement Act § 1 a',
    };
  }

  /** The receiving state's decision on day `n`: recognition (with conversion where the shape says so). */
  decision(n: number, over: Record<string, unknown> = {}): Record<string, unknown> {
    const s = this.shape;
    const decisionDay = this.day(n);
    return {
      decision: 'recognised',
      decisionReference: `DEC-${this.passport}`,
      decidedBy: authority(s.receivingState, s.receivingAuthority),
      procedure: s.procedure,
      facilityId: this.facilityId,
      ...(s.procedure === 'conversion'
        ? {
            adaptedSentence: {
              measure: 'custodial', kind: 'determinate', length: { years: 6, months: 0, days: 0 }, sentenceEndDate: '2030-11-03',
              daysDeducted: this.preTrialDays + daysBetween(this.enforcementStartDate, decisionDay),
              legalGround: 'Criminal Code of Albania, art. 283; ETS 112 Art 11',
            },
          }
        : {}),
      ...over,
    };
  }

  get escort() {
    return { state: this.shape.sendingState, organisation: this.shape.escortOrganisation, leadOfficer: 'Commissioner M. Janssens' };
  }

  get receivedBy() {
    return { state: this.shape.receivingState, organisation: this.shape.prisonService, officer: 'Chief Inspector A. Kola', place: this.shape.airport };
  }

  /** After the place is reserved: schedule, and the two sides of the hand-over (transfer service). */
  handOver(): Step[] {
    const ids = { transferId: this.transferId, inmateId: this.inmateId };
    return [
      this.step('schedule', 'transfer', `/transfers/${this.transferId}/schedule`, this.at(14), {
        ...ids, plannedDeparture: this.at(20, 60), destinationFacilityId: this.facilityId, escort: this.escort,
      }),
      this.step('dispatch', 'transfer', `/transfers/${this.transferId}/dispatch`, this.dispatchAt, {
        ...ids,
        dispatchedBy: { state: this.shape.sendingState, organisation: this.shape.escortOrganisation, officer: 'Commissioner M. Janssens', place: this.shape.airport },
        escort: this.escort,
      }),
      this.step('receipt', 'transfer', `/transfers/${this.transferId}/receipt`, this.receiptAt, { ...ids, facilityId: this.facilityId, receivedBy: this.receivedBy }),
    ];
  }

  get dispatchAt(): string {
    return this.at(20, 120);
  }

  /** The instant the receiving side records the hand-over: custody passes (Rule 11). */
  get receiptAt(): string {
    return this.at(20, 125);
  }

  get admittedAt(): string {
    return this.at(20, 240);
  }

  /** The receiving facility admits the person with the EPR 15.1 record (custody service). */
  admission(): Step {
    const s = this.shape;
    return this.step('admission', 'custody', `/custody/${this.inmateId}/admission`, this.admittedAt, {
      inmateId: this.inmateId,
      facilityId: this.facilityId,
      transferId: this.transferId,
      reservationId: this.reservationId,
      admission: {
        identity: {
          givenNames: 'Test', familyName: `Person ${this.passport}`, dateOfBirth: '1988-05-14', sex: 'male',
          documents: [{ kind: 'passport', number: this.passport, issuingState: s.nationalities[0] }],
        },
        commitment: {
          reason: s.isLease ? 'Enforcement of a Danish sentence under the lease treaty' : 'Enforcement of a converted sentence',
          authority: authority(s.isLease ? s.sendingState : s.receivingState, s.isLease ? 'Danish Prison and Probation Service' : s.receivingAuthority),
          warrantReference: `W-${this.passport}`,
        },
        admittedAt: this.admittedAt,
        propertyInventory: [{ description: 'Wristwatch', quantity: 1 }],
        hasVisibleInjuries: false,
        health: { summary: 'No acute condition.', isFitForDetention: true, examinedBy: authority(s.receivingState, 'Facility medical service', 'Dr. V. Berisha') },
      },
    }, HAND_OVER_NOT_YET_KNOWN);
  }
}

/** A facility of the receiving state (national), or Denmark's leased places in Gjilan. */
export function facilityRegistration(shape: CaseShape, capacity: number, facilityId = randomUUID()): Step {
  const body = shape.isLease
    ? {
        facilityId, name: 'Gjilan Correctional Facility (Danish-leased places)', country: 'XK', operatingState: 'XK', jurisdiction: 'leased',
        lease: { lesseeState: 'DK', treatyId: 'DK-XK-2022' }, capacity,
      }
    : { facilityId, name: `Burrel prison ${facilityId.slice(0, 8)}`, country: shape.receivingState, operatingState: shape.receivingState, jurisdiction: 'national', capacity };
  return { name: 'register facility', service: 'custody', path: '/facilities', body: asRecordedNow({ commandId: randomUUID(), occurredAt: `${dayFromToday(-60)}T08:00:00Z`, ...body }) };
}
