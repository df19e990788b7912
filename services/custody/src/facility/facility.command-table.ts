import { Inject, Injectable } from '@nestjs/common';
import { ChangeFacilityCapacity, ExpireReservation, RegisterFacility, ReleaseReservation, ReservePlace } from '@custody/contracts';
import type { NewEvent, PostgresTransaction } from '@custody/event-store';
import type { DecodedEvent, HandlerContext } from '@custody/messaging';
import { commandScope, type StreamStore } from '@custody/event-sourcing';
import {
  acceptedOutcome, type Caller, type CommandAnswer, type CommandPort, type CommandTable, commandControllers, commandMetadata, recordingClock,
} from '@custody/platform';
import type { CustodyConfig } from '../config';
import { CUSTODY_CONFIG } from '../store/store.module';
import { applySignedWithResult } from '../store/kafka-commands';
import { FacilityCommands, refusalIn } from './facility.commands';
import type { FacilityCommand } from './facility.decider';
import { FacilityJurisdiction, RegistrationJurisdiction } from './facility.jurisdiction';
import { FacilityRights } from './facility.rights';
import { custodyEventIds } from '../ids';

/** The facility commands a ministry sends (occupying and vacating a place are the service's own, from admissions and releases). */
export type FacilityCommandType = 'RegisterFacility' | 'ChangeFacilityCapacity' | 'ReservePlace' | 'ReleaseReservation' | 'ExpireReservation';
type MinistryFacilityCommand = Extract<FacilityCommand, { type: FacilityCommandType }>;

/**
 * The facilities' commands, each declared once: the HTTP route and the handler on
 * custody.facility.commands (signed by a state with a right to the facility, facility.rights.ts).
 * The expiry by hand is the expiry timer's act: the operating state's bookkeeping of its places.
 */
export const FACILITY_COMMANDS: CommandTable<FacilityCommandType> = {
  name: 'Facility', prefix: 'facilities', tag: 'facilities',
  rows: [
    { type: 'RegisterFacility', body: RegisterFacility, http: { path: '', permission: 'facility:register', jurisdiction: RegistrationJurisdiction, summary: 'Registers a facility of the operating state (and its lease to another state, if any).' } },
    { type: 'ChangeFacilityCapacity', body: ChangeFacilityCapacity, http: { path: ':facilityId/capacity', permission: 'facility:manage', jurisdiction: FacilityJurisdiction, summary: 'Changes the facility\'s capacity.' } },
    { type: 'ReservePlace', body: ReservePlace, http: { path: ':facilityId/reservations', status: 201, permission: 'facility:reserve', jurisdiction: FacilityJurisdiction, summary: 'Reserves a place for a person of a transfer case.' } },
    { type: 'ReleaseReservation', body: ReleaseReservation, http: { path: ':facilityId/reservations/:reservationId/release', permission: 'facility:reserve', jurisdiction: FacilityJurisdiction, summary: 'Releases a reservation.' } },
    { type: 'ExpireReservation', body: ExpireReservation, http: { path: ':facilityId/reservations/:reservationId/expire', permission: 'facility:manage', jurisdiction: FacilityJurisdiction, summary: 'Expires a reservation by hand (the expiry timer\'s act).' } },
  ],
};

/** How the facility commands run: over HTTP with the caller's metadata; from Kafka once the signer's right is checked, with the result recorded (a refused place is a rejected result). */
@Injectable()
export class FacilityCommandPort implements CommandPort<FacilityCommandType, PostgresTransaction> {
  constructor(
    private readonly commands: FacilityCommands,
    private readonly rights: FacilityRights,
    @Inject(CUSTODY_CONFIG) private readonly config: CustodyConfig,
  ) {}

  /** A ministry's act, with the service's clock (Rule 17). */
  async http(type: FacilityCommandType, body: MinistryFacilityCommand['data'], caller: Caller, answer: CommandAnswer) {
    const command = { type, data: body, clock: recordingClock(this.config) } as MinistryFacilityCommand;
    const respond = (events: NewEvent[]) => ({ commandId: body.commandId, facilityId: body.facilityId, events: events.map((e) => ({ id: e.id, type: e.type, data: e.data })) });
    // The answer commits with the events: a refused place (its ReservationRefused) is answered as the rejection it is.
    const applied = (tx: StreamStore, events: NewEvent[]) => {
      const refused = refusalIn(events);
      return answer.record(tx as PostgresTransaction, refused ? { rejection: refused } : { body: respond(events), outcome: acceptedOutcome(events) });
    };
    const metadata = commandMetadata(body, caller);
    return respond(await this.commands.execute(command, metadata, custodyEventIds(commandScope(body.commandId, metadata.actor)), applied));
  }

  async kafka(type: FacilityCommandType, message: DecodedEvent, context: HandlerContext<PostgresTransaction>): Promise<void> {
    const command = { type, data: message.data, clock: recordingClock(this.config) } as FacilityCommand;
    await applySignedWithResult(
      this.rights,
      message,
      context,
      (metadata) => this.commands.executeIn(context.tx, command, metadata, custodyEventIds(commandScope(message.id, metadata.actor))),
      refusalIn,
    );
  }
}

export const { http: FacilityCommandRoutes, kafka: FacilityCommandHandlers } = commandControllers(FACILITY_COMMANDS, FacilityCommandPort);
