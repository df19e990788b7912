import { EXAMPLES, type CommandPayload, type IntakeCommandType, type PersonIdentity, type Sentence } from '@custody/contracts';

/**
 * Facts for tests and the README: Belgium holds an Albanian national without a residence permit,
 * sentenced to six years for drug trafficking.
 */
export const AT = '2026-03-02T09:30:00Z';

export const identity = (passport = 'BA1234567'): PersonIdentity => ({
  givenNames: 'Arben',
  familyName: 'Hoxha',
  dateOfBirth: '1988-05-14',
  placeOfBirth: 'Durrës',
  sex: 'male',
  documents: [
    { kind: 'passport', number: passport, issuingState: 'AL' },
    { kind: 'prison-number', number: `HAR-${passport}`, issuingState: 'BE' },
  ],
});

/** The sentence of the contract's examples (libs/contracts), with what a test changes. */
export const sentence = (overrides: Partial<Sentence> = {}): Sentence => ({ ...(EXAMPLES.RecordSentence as CommandPayload<'RecordSentence'>).sentence, ...overrides });

type Body<K extends IntakeCommandType> = CommandPayload<K>;

/** A command body of each type for one inmate, with the defaults above. */
export function commandBodies(inmateId: string, commandId: string, occurredAt = AT) {
  const base = { commandId, occurredAt };
  return {
    RegisterInmate: (o: Partial<Body<'RegisterInmate'>> = {}): Body<'RegisterInmate'> => ({
      ...base, inmateId, identity: identity(), nationalities: ['AL'], sendingState: 'BE',
      holdingFacility: { name: 'Prison de Haren', reference: 'BE-HAR' },
      residence: { status: 'irregular', habitualResidence: 'BE' }, ...o,
    }),
    RecordSentence: (o: Partial<Body<'RecordSentence'>> = {}): Body<'RecordSentence'> => ({ ...base, inmateId, sentence: sentence(), ...o }),
    AdjustSentence: (o: Partial<Body<'AdjustSentence'>> = {}): Body<'AdjustSentence'> => ({
      ...base, inmateId, sentence: sentence({ sentenceEndDate: '2029-08-03', length: { years: 5, months: 9, days: 0 } }),
      reason: 'remission', explanation: 'Remission of three months.', ...o,
    }),
    RecordResidenceStatus: (o: Partial<Body<'RecordResidenceStatus'>> = {}): Body<'RecordResidenceStatus'> => ({
      ...base, inmateId, status: 'temporary-resident', habitualResidence: 'BE', permitReference: 'BE-TR-991', ...o,
    }),
    RecordExpulsionOrder: (o: Partial<Body<'RecordExpulsionOrder'>> = {}): Body<'RecordExpulsionOrder'> => ({
      ...base, inmateId,
      expulsionOrder: {
        orderReference: 'OE-2024-118833', issuingAuthority: { state: 'BE', organisation: 'Immigration Office' },
        issuedOn: '2024-04-02', destinationState: 'AL', isFinal: true,
      },
      ...o,
    }),
    RecordHealthAssessment: (o: Partial<Body<'RecordHealthAssessment'>> = {}): Body<'RecordHealthAssessment'> => ({
      ...base, inmateId, hasSeriousMentalIllness: false, hasTerminalIllness: false,
      assessedBy: { state: 'BE', organisation: 'Prison de Haren' }, assessedOn: '2026-02-20', ...o,
    }),
    CorrectInmateRecord: (o: Partial<Body<'CorrectInmateRecord'>> = {}): Body<'CorrectInmateRecord'> => ({
      ...base, inmateId, correctedEventId: '5c8d2e1f-7a3b-4c9d-8e2f-1a0b9c8d7e07', reason: 'Second nationality omitted.',
      nationalities: ['AL', 'XK'], ...o,
    }),
    RecordDomesticRelease: (o: Partial<Body<'RecordDomesticRelease'>> = {}): Body<'RecordDomesticRelease'> => ({
      ...base, inmateId, reason: 'sentence-served', ...o,
    }),
    SuspendEnforcement: (o: Partial<Body<'SuspendEnforcement'>> = {}): Body<'SuspendEnforcement'> => ({
      ...base, inmateId, transferId: TRANSFER, receivingState: 'AL', ...o,
    }),
    ResumeEnforcement: (o: Partial<Body<'ResumeEnforcement'>> = {}): Body<'ResumeEnforcement'> => ({
      ...base, inmateId, reason: 'escape-to-sending-state', ...o,
    }),
    EndEnforcement: (o: Partial<Body<'EndEnforcement'>> = {}): Body<'EndEnforcement'> => ({
      ...base, inmateId, reason: 'completion-reported', ...o,
    }),
    AcknowledgeReport: (o: Partial<Body<'AcknowledgeReport'>> = {}): Body<'AcknowledgeReport'> => ({
      ...base, inmateId, reportEventId: REPORT, report: 'sentence-completed', ...o,
    }),
    ErasePersonalData: (o: Partial<Body<'ErasePersonalData'>> = {}): Body<'ErasePersonalData'> => ({
      ...base, inmateId, explanation: 'Retention period after release ran out.', ...o,
    }),
    PlaceLegalHold: (o: Partial<Body<'PlaceLegalHold'>> = {}): Body<'PlaceLegalHold'> => ({
      ...base, inmateId, reference: 'BE-PAR-2026-0412', reason: 'Civil claim pending before the Brussels court.', ...o,
    }),
    LiftLegalHold: (o: Partial<Body<'LiftLegalHold'>> = {}): Body<'LiftLegalHold'> => ({
      ...base, inmateId, reference: 'BE-PAR-2026-0412', reason: 'Claim settled.', ...o,
    }),
  };
}

export const TRANSFER = '7a2b9c1d-3e4f-4a5b-8c6d-9e0f1a2b3c02';
export const REPORT = '9d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';
