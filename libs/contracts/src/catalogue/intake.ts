import * as commands from '../intake/commands';
import * as events from '../intake/events';
import { InmateRecordCorrectedV1Payload, InmateRegisteredV1Payload, InmateRegisteredV2Payload } from '../intake/legacy';
import { TOPICS } from '../topics/topics';
import { group, message } from './define';

/** Intake commands: `custody.intake.commands`. */
export const INTAKE_COMMANDS = group(TOPICS.intakeCommands, 'command', '/custody/intake', {
  RegisterInmate: message(commands.RegisterInmate, 'inmate', 'Registers a person the sending state may transfer.'),
  RecordSentence: message(commands.RecordSentence, 'inmate', 'Records the sentence being enforced: court, case, final judgment, offences, length, days served.'),
  AdjustSentence: message(commands.AdjustSentence, 'inmate', 'Replaces the sentence in force after an appeal, remission or recalculation.'),
  RecordResidenceStatus: message(commands.RecordResidenceStatus, 'inmate', 'Records the person\'s residence status and habitual residence.'),
  RecordExpulsionOrder: message(commands.RecordExpulsionOrder, 'inmate', 'Records an expulsion or deportation order against the person.'),
  RecordHealthAssessment: message(commands.RecordHealthAssessment, 'inmate', 'Records the health facts that lease eligibility depends on.'),
  CorrectInmateRecord: message(commands.CorrectInmateRecord, 'inmate', 'Corrects identity or nationalities with a compensating event.'),
  RecordDomesticRelease: message(commands.RecordDomesticRelease, 'inmate', 'Records a release in the sending state, without transfer.'),
  SuspendEnforcement: message(commands.SuspendEnforcement, 'inmate', 'Suspends the sending state\'s enforcement: the receiving state took the person into charge.'),
  ResumeEnforcement: message(commands.ResumeEnforcement, 'inmate', 'Resumes the sending state\'s enforcement (escape back to the sending state).'),
  EndEnforcement: message(commands.EndEnforcement, 'inmate', 'Ends the sending state\'s enforcement: completion reported by the receiving state.'),
  AcknowledgeReport: message(commands.AcknowledgeReport, 'inmate', 'The sending state acknowledges a report of the receiving state.'),
  ErasePersonalData: message(commands.ErasePersonalData, 'inmate', 'Erases the person\'s personal data once the retention period ran out and no legal hold stands.'),
  PlaceLegalHold: message(commands.PlaceLegalHold, 'inmate', 'Places a legal hold: the person\'s personal data may not be erased until it is lifted.'),
  LiftLegalHold: message(commands.LiftLegalHold, 'inmate', 'Lifts a legal hold.'),
});

/** Intake events: `custody.intake.events`. */
export const INTAKE_EVENTS = group(TOPICS.intakeEvents, 'event', '/custody/intake', {
  InmateRegistered: message(events.InmateRegisteredPayload, 'inmate', 'A person was registered by the sending state.', {
    version: 3,
    legacy: { 1: InmateRegisteredV1Payload, 2: InmateRegisteredV2Payload },
  }),
  SentenceRecorded: message(events.SentenceRecordedPayload, 'inmate', 'The sentence being enforced was recorded.'),
  SentenceAdjusted: message(events.SentenceAdjustedPayload, 'inmate', 'The sentence in force was replaced.'),
  ResidenceStatusRecorded: message(events.ResidenceStatusRecordedPayload, 'inmate', 'The residence status was recorded.'),
  ExpulsionOrderRecorded: message(events.ExpulsionOrderRecordedPayload, 'inmate', 'An expulsion or deportation order was recorded.'),
  HealthAssessmentRecorded: message(events.HealthAssessmentRecordedPayload, 'inmate', 'A health assessment was recorded.'),
  InmateRecordCorrected: message(events.InmateRecordCorrectedPayload, 'inmate', 'Recorded facts were corrected (compensating event).', {
    version: 2,
    legacy: { 1: InmateRecordCorrectedV1Payload },
  }),
  DomesticReleaseRecorded: message(events.DomesticReleaseRecordedPayload, 'inmate', 'The person was released in the sending state.'),
  EnforcementSuspended: message(events.EnforcementSuspendedPayload, 'inmate', 'The sending state\'s enforcement is suspended.'),
  EnforcementResumed: message(events.EnforcementResumedPayload, 'inmate', 'The sending state\'s enforcement resumed.'),
  EnforcementEnded: message(events.EnforcementEndedPayload, 'inmate', 'The sending state\'s enforcement ended.'),
  ReportAcknowledged: message(events.ReportAcknowledgedPayload, 'inmate', 'The sending state acknowledged a report of the receiving state.'),
  PersonalDataErased: message(events.PersonalDataErasedPayload, 'inmate', 'The person\'s personal data was erased: their data key is destroyed, their encrypted fields unreadable for ever.'),
  LegalHoldPlaced: message(events.LegalHoldPlacedPayload, 'inmate', 'A legal hold was placed: the person\'s data may not be erased while it stands.'),
  LegalHoldLifted: message(events.LegalHoldLiftedPayload, 'inmate', 'A legal hold was lifted.'),
});
