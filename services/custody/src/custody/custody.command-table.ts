import { Injectable } from '@nestjs/common';
import {
  AdmitInmate, AssignCell, EndAbsence, GrantConditionalRelease, GrantPardonOrAmnesty, RecordDeathInCustody, RecordEscape,
  RecordRecapture, RecordSentenceCompleted, ReleaseInmate, ReportInmateNotFound, StartAbsence,
  type Command, type CustodyCommandType,
} from '@custody/contracts';
import type { NewEvent, PostgresTransaction } from '@custody/event-store';
import type { DecodedEvent, HandlerContext } from '@custody/messaging';
import { commandScope, type Handled } from '@custody/event-sourcing';
import { type Caller, type CommandAnswer, type CommandPort, type CommandTable, commandControllers, commandMetadata } from '@custody/platform';
import { FacilityRights } from '../facility/facility.rights';
import { applySignedWithResult } from '../store/kafka-commands';
import { CustodyCommands } from './custody.commands';
import type { Custody, CustodyEvent } from './custody.decider';
import { AdmissionJurisdiction, CustodyJurisdiction } from './custody.jurisdiction';
import { custodyEventIds } from '../ids';

/** The commands about a person in custody, from admission to release. */
export type PersonCommandType = Extract<CustodyCommandType,
  'AdmitInmate' | 'AssignCell' | 'StartAbsence' | 'EndAbsence' | 'RecordEscape' | 'RecordRecapture' | 'ReportInmateNotFound' |
  'RecordDeathInCustody' | 'GrantConditionalRelease' | 'GrantPardonOrAmnesty' | 'RecordSentenceCompleted' | 'ReleaseInmate'>;

const WRITE = { permission: 'custody:write', jurisdiction: CustodyJurisdiction } as const;

/**
 * Each person's custody, each command declared once: `POST /custody/:inmateId/<act>` with the
 * contract's command as body, and the same command on custody.facility.commands, signed by a
 * state with a right to the facility (facility.rights.ts).
 */
export const CUSTODY_COMMANDS: CommandTable<PersonCommandType> = {
  name: 'Custody', prefix: 'custody', tag: 'custody',
  rows: [
    { type: 'AdmitInmate', body: AdmitInmate, http: { path: ':inmateId/admission', status: 201, permission: 'custody:write', jurisdiction: AdmissionJurisdiction, summary: 'Admits the person to a facility after the hand-over.' } },
    { type: 'AssignCell', body: AssignCell, http: { path: ':inmateId/cell', ...WRITE, summary: 'Assigns the person a cell.' } },
    { type: 'StartAbsence', body: StartAbsence, http: { path: ':inmateId/absences', status: 201, ...WRITE, summary: 'Starts an authorised absence (leave, hospital, court).' } },
    { type: 'EndAbsence', body: EndAbsence, http: { path: ':inmateId/absences/:absenceId/end', ...WRITE, summary: 'Ends an absence: the person is back.' } },
    { type: 'RecordEscape', body: RecordEscape, http: { path: ':inmateId/escape', ...WRITE, summary: 'Records an escape.' } },
    { type: 'RecordRecapture', body: RecordRecapture, http: { path: ':inmateId/recapture', ...WRITE, summary: 'Records the recapture of an escaped person.' } },
    { type: 'ReportInmateNotFound', body: ReportInmateNotFound, http: { path: ':inmateId/not-found', ...WRITE, summary: 'Reports that the person is not found where the record holds them.' } },
    { type: 'RecordDeathInCustody', body: RecordDeathInCustody, http: { path: ':inmateId/death', ...WRITE, summary: 'Records a death in custody.' } },
    { type: 'GrantConditionalRelease', body: GrantConditionalRelease, http: { path: ':inmateId/conditional-release', ...WRITE, summary: 'Grants conditional release.' } },
    { type: 'GrantPardonOrAmnesty', body: GrantPardonOrAmnesty, http: { path: ':inmateId/pardon-or-amnesty', ...WRITE, summary: 'Records a pardon or amnesty.' } },
    { type: 'RecordSentenceCompleted', body: RecordSentenceCompleted, http: { path: ':inmateId/sentence-completed', ...WRITE, summary: 'Records that the sentence is completed.' } },
    { type: 'ReleaseInmate', body: ReleaseInmate, http: { path: ':inmateId/release', ...WRITE, summary: 'Releases the person.' } },
  ],
};

/** How the custody commands run: over HTTP with the caller's metadata; from Kafka once the signer's right is checked, with the result recorded. */
@Injectable()
export class CustodyCommandPort implements CommandPort<PersonCommandType, PostgresTransaction> {
  constructor(
    private readonly commands: CustodyCommands,
    private readonly rights: FacilityRights,
  ) {}

  async http(type: PersonCommandType, body: Command<CustodyCommandType>['data'], caller: Caller, answer: CommandAnswer) {
    const respond = (events: NewEvent[]) => ({ commandId: body.commandId, inmateId: body.inmateId, events: events.map((e) => ({ id: e.id, type: e.type, data: e.data })) });
    const applied = answer.whenApplied((handled: Handled<CustodyEvent, Custody>) => respond([...handled.events, ...handled.also.flatMap((a) => a.events)]));
    return respond(await this.commands.execute({ type, data: body } as Command<CustodyCommandType>, commandMetadata(body, caller), applied));
  }

  async kafka(type: PersonCommandType, message: DecodedEvent, context: HandlerContext<PostgresTransaction>): Promise<void> {
    const command = { type, data: message.data } as Command<CustodyCommandType>;
    await applySignedWithResult(this.rights, message, context, (metadata) =>
      this.commands.executeIn(context.tx, command, metadata, custodyEventIds(commandScope(message.id, metadata.actor))),
    );
  }
}

export const { http: CustodyCommandRoutes, kafka: CustodyCommandHandlers } = commandControllers(CUSTODY_COMMANDS, CustodyCommandPort);
