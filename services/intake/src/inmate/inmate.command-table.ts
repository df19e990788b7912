import { Injectable } from '@nestjs/common';
import {
  AcknowledgeReport, AdjustSentence, CorrectInmateRecord, EndEnforcement, ErasePersonalData, type IntakeCommandType, LiftLegalHold, PlaceLegalHold,
  RecordDomesticRelease, RecordExpulsionOrder, RecordHealthAssessment, RecordResidenceStatus, RecordSentence, RegisterInmate,
  ResumeEnforcement, SuspendEnforcement,
} from '@custody/contracts';
import type { PostgresTransaction } from '@custody/event-store';
import type { DecodedEvent, HandlerContext } from '@custody/messaging';
import {
  type Caller, type CommandAnswer, type CommandPort, type CommandTable, commandControllers, commandMetadata, messageMetadata, refuseInHandler,
} from '@custody/platform';
import { signerStateOf } from '@custody/security';
import { type Accepted, type IncomingCommand, InmateCommands } from './inmate.commands';
import { InmateJurisdiction, RegistrationJurisdiction } from './inmate.jurisdiction';
import { InmateRights } from './inmate.rights';

const WRITE = { permission: 'inmate:write', jurisdiction: InmateJurisdiction } as const;
const PERSONAL_DATA = 'personal data';

/**
 * The inmate record's commands, each declared once: its HTTP route (`/inmates`, the body is the
 * command, as on custody.intake.commands) and its handler on custody.intake.commands, where it
 * must come from the inmate's sending state (inmate.rights.ts). docs/domain.md gives the rules.
 */
export const INMATE_COMMANDS: CommandTable<IntakeCommandType> = {
  name: 'Inmate', prefix: 'inmates', tag: 'inmates',
  rows: [
    { type: 'RegisterInmate', body: RegisterInmate, http: { path: '', permission: 'inmate:register', jurisdiction: RegistrationJurisdiction, summary: 'Registers a person the sending state may transfer (409 INMATE_ALREADY_REGISTERED names the existing inmate).' } },
    { type: 'RecordSentence', body: RecordSentence, http: { path: ':inmateId/sentence', ...WRITE, summary: 'Records the sentence being enforced.' } },
    { type: 'AdjustSentence', body: AdjustSentence, http: { path: ':inmateId/sentence/adjustments', ...WRITE, summary: 'Replaces the sentence in force after an appeal, remission or recalculation.' } },
    { type: 'RecordResidenceStatus', body: RecordResidenceStatus, http: { path: ':inmateId/residence', ...WRITE, summary: 'Records the residence status and habitual residence.' } },
    { type: 'RecordExpulsionOrder', body: RecordExpulsionOrder, http: { path: ':inmateId/expulsion-orders', ...WRITE, summary: 'Records an expulsion or deportation order.' } },
    { type: 'RecordHealthAssessment', body: RecordHealthAssessment, http: { path: ':inmateId/health-assessments', ...WRITE, summary: 'Records the health facts lease eligibility depends on.' } },
    { type: 'CorrectInmateRecord', body: CorrectInmateRecord, http: { path: ':inmateId/corrections', ...WRITE, summary: 'Corrects identity or nationalities with a compensating event (Rule 15).' } },
    { type: 'RecordDomesticRelease', body: RecordDomesticRelease, http: { path: ':inmateId/domestic-release', ...WRITE, summary: 'Records a release in the sending state, without transfer.' } },
    { type: 'SuspendEnforcement', body: SuspendEnforcement, http: { path: ':inmateId/enforcement/suspension', ...WRITE, summary: 'Suspends enforcement: the receiving state took the person into charge (Rule 12).' } },
    { type: 'ResumeEnforcement', body: ResumeEnforcement, http: { path: ':inmateId/enforcement/resumption', ...WRITE, summary: 'Resumes enforcement (escape back to the sending state, Rule 12).' } },
    { type: 'EndEnforcement', body: EndEnforcement, http: { path: ':inmateId/enforcement/end', ...WRITE, summary: 'Ends enforcement: completion reported by the receiving state (Rule 12).' } },
    { type: 'AcknowledgeReport', body: AcknowledgeReport, http: { path: ':inmateId/reports/acknowledgements', ...WRITE, summary: 'Acknowledges a report of the receiving state (Rule 13).' } },
    {
      type: 'ErasePersonalData', body: ErasePersonalData,
      http: {
        path: ':inmateId/personal-data/erasure', permission: 'inmate:erase', jurisdiction: InmateJurisdiction, tag: PERSONAL_DATA,
        summary: 'Erases the person\'s personal data (Rule 16): destroys their data key, so names, date and place of birth and identity documents read as null everywhere for ever. '
          + '409 LEGAL_HOLD_ACTIVE while a legal hold stands; 409 RETENTION_NOT_EXPIRED before the final release plus the sending state\'s retention period.',
      },
    },
    { type: 'PlaceLegalHold', body: PlaceLegalHold, http: { path: ':inmateId/legal-holds', permission: 'inmate:hold', jurisdiction: InmateJurisdiction, tag: PERSONAL_DATA, summary: 'Places a legal hold (a reference unique per person): the person\'s data may not be erased until it is lifted.' } },
    { type: 'LiftLegalHold', body: LiftLegalHold, http: { path: ':inmateId/legal-holds/lifts', permission: 'inmate:hold', jurisdiction: InmateJurisdiction, tag: PERSONAL_DATA, summary: 'Lifts the legal hold of a reference (404 LEGAL_HOLD_NOT_FOUND when none stands).' } },
  ],
};

/** How the inmate record's commands run: over HTTP with the caller's metadata; from Kafka once the signer is found to be the inmate's sending state, with the result recorded. */
@Injectable()
export class InmateCommandPort implements CommandPort<IntakeCommandType, PostgresTransaction> {
  constructor(
    private readonly commands: InmateCommands,
    private readonly rights: InmateRights,
  ) {}

  http(type: IntakeCommandType, body: IncomingCommand['data'] & { commandId: string }, caller: Caller, answer: CommandAnswer): Promise<Accepted> {
    return this.commands.execute({ type, data: body } as IncomingCommand, commandMetadata(body, caller), body.commandId, answer);
  }

  /**
   * A command of a ministry. Signed (COMMAND_SIGNATURES=required), it must come from the inmate's
   * sending state (inmate.rights.ts): otherwise it is answered UNAUTHORISED_ACTOR and set aside in
   * the dead-letter topic, and nothing else is written. (A command whose body breaks the contract
   * is answered by the decoder's refusal, CommandRefusalRecorder.)
   */
  async kafka(type: IntakeCommandType, event: DecodedEvent, context: HandlerContext<PostgresTransaction>): Promise<void> {
    const refusal = await this.rights.refusal(type, event.data as { inmateId: string }, signerStateOf(event), context.tx);
    if (await refuseInHandler(context, event, type, refusal)) return;
    await this.commands.applyWithResult(context.tx, { type, data: event.data } as IncomingCommand, event.id, messageMetadata(event));
  }
}

export const { http: InmateCommandRoutes, kafka: InmateCommandHandlers } = commandControllers(INMATE_COMMANDS, InmateCommandPort);
