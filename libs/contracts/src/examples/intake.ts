import type { CommandPayload, EventPayload, IntakeCommandType, IntakeEventType } from '../catalogue/catalogue';
import { AT, IDS, belgianPrison, identity, sentence } from './fixtures';

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
};

/** One example of every intake event (current versions). */
export const INTAKE_EVENT_EXAMPLES: { [K in IntakeEventType]: EventPayload<K> } = {
  InmateRegistered: registration,
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
};

/** Older versions still readable, one example each (the same facts as the current example). */
const { nationalities: _nationalities, ...registrationV1 } = registration;
export const INTAKE_LEGACY_EXAMPLES: Record<string, Record<number, object>> = {
  InmateRegistered: { 1: { ...registrationV1, nationality: 'AL' } },
};
