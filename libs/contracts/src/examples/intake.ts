import type { CommandPayload, EventPayload, IntakeCommandType, IntakeEventType } from '../catalogue/catalogue';
import { AT, IDS, belgianPrison, identity, protectedIdentity, sentence } from './fixtures';

const base = { commandId: IDS.command, occurredAt: AT };
const inmateId = IDS.inmate;
const expulsionOrder = {
  orderReference: 'OE-2024-118833',
  issuingAuthority: { state: 'BE' as const, organisation: 'Immigration Office' },
  issuedOn: '2024-04-02',
  destinationState: 'AL' as const,
  isFinal: true,
};
const registration = {
  inmateId,
  identity,
  nationalities: ['AL' as const],
  sendingState: 'BE' as const,
  holdingFacility: { name: 'Prison de Haren', reference: 'BE-HAR' },
  residence: { status: 'irregular' as const, habitualResidence: 'BE' as const },
};
const health = { hasSeriousMentalIllness: false, hasTerminalIllness: false, assessedBy: belgianPrison, assessedOn: '2026-02-20' };

/** One example of every intake command. */
export const INTAKE_COMMAND_EXAMPLES: { [K in IntakeCommandType]: CommandPayload<K> } = {
  RegisterInmate: { ...base, ...registration },
  RecordSentence: { ...base, inmateId, sentence },
  AdjustSentence: { ...base, inmateId, sentence: { ...sentence, sentenceEndDate: '2029-08-03' }, reason: 'remission', explanation: 'Remission of three months granted by the sentence enforcement court.' },
  RecordResidenceStatus: { ...base, inmateId, status: 'irregular', habitualResidence: 'BE', habitualResidenceAtArrest: 'BE' },
  RecordExpulsionOrder: { ...base, inmateId, expulsionOrder },
  RecordHealthAssessment: { ...base, inmateId, ...health },
  CorrectInmateRecord: { ...base, inmateId, correctedEventId: IDS.event, reason: 'Date of birth taken from a misread document.', identity: { ...identity, dateOfBirth: '1988-05-15' } },
  RecordDomesticRelease: { ...base, inmateId, reason: 'sentence-served' },
  SuspendEnforcement: { ...base, inmateId, transferId: IDS.transfer, receivingState: 'AL' },
  ResumeEnforcement: { ...base, inmateId, transferId: IDS.transfer, reason: 'escape-to-sending-state', explanation: 'Found in Belgium after escaping from the Albanian facility.' },
  EndEnforcement: { ...base, inmateId, transferId: IDS.transfer, reason: 'completion-reported' },
  AcknowledgeReport: { ...base, inmateId, reportEventId: IDS.event, report: 'sentence-completed' },
  ErasePersonalData: { ...base, inmateId, explanation: 'Retention period of ten years after release has run out.' },
  PlaceLegalHold: { ...base, inmateId, reference: 'BE-PAR-2036-0412', reason: 'Civil claim pending before the Brussels court of first instance.' },
  LiftLegalHold: { ...base, inmateId, reference: 'BE-PAR-2036-0412', reason: 'Claim settled; the court closed the file.' },
};

/** One example of every intake event (current versions). */
export const INTAKE_EVENT_EXAMPLES: { [K in IntakeEventType]: EventPayload<K> } = {
  InmateRegistered: { ...registration, identity: protectedIdentity },
  SentenceRecorded: { inmateId, sentence },
  SentenceAdjusted: { inmateId, sentence: { ...sentence, sentenceEndDate: '2029-08-03' }, reason: 'remission', explanation: 'Remission of three months.' },
  ResidenceStatusRecorded: { inmateId, status: 'irregular', habitualResidence: 'BE' },
  ExpulsionOrderRecorded: { inmateId, expulsionOrder },
  HealthAssessmentRecorded: { inmateId, ...health },
  InmateRecordCorrected: { inmateId, correctedEventId: IDS.event, reason: 'Second nationality omitted.', nationalities: ['AL', 'XK'] },
  DomesticReleaseRecorded: { inmateId, reason: 'conditional-release', explanation: 'Released on conditions by the sentence enforcement court.' },
  EnforcementSuspended: { inmateId, transferId: IDS.transfer, receivingState: 'AL' },
  EnforcementResumed: { inmateId, transferId: IDS.transfer, reason: 'escape-to-sending-state' },
  EnforcementEnded: { inmateId, transferId: IDS.transfer, reason: 'completion-reported' },
  ReportAcknowledged: { inmateId, reportEventId: IDS.event, report: 'sentence-completed' },
  PersonalDataErased: {
    inmateId, sendingState: 'BE', keyId: 'e5a1c7d2-4b3f-4e6a-8d9c-0b1a2f3e4d05', ground: 'retention-expired', releasedOn: '2029-06-25', retentionPeriod: 'P10Y',
    erasableOn: '2039-06-25', erasedFields: ['identity.givenNames', 'identity.familyName', 'identity.dateOfBirth', 'identity.placeOfBirth', 'identity.documents'],
  },
  LegalHoldPlaced: { inmateId, reference: 'BE-PAR-2036-0412', reason: 'Civil claim pending before the Brussels court of first instance.' },
  LegalHoldLifted: { inmateId, reference: 'BE-PAR-2036-0412', reason: 'Claim settled; the court closed the file.' },
};

/** Older versions still readable, one example each (the same facts as the current example). */
const { nationalities: _nationalities, ...registrationV1 } = registration;
export const INTAKE_LEGACY_EXAMPLES: Record<string, Record<number, object>> = {
  InmateRegistered: { 1: { ...registrationV1, nationality: 'AL' }, 2: registration },
  InmateRecordCorrected: { 1: { inmateId, correctedEventId: IDS.event, reason: 'Date of birth taken from a misread document.', identity: { ...identity, dateOfBirth: '1988-05-15' } } },
};
