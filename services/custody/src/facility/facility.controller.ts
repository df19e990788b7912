import { Body, Controller, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ChangeFacilityCapacity, ExpireReservation, RegisterFacility, ReleaseReservation, ReservePlace } from '@custody/contracts';
import { type Caller, CommandCaller, commandMetadata, CurrentPrincipal, deterministicId, PersonalDataRead, Requires, visibleStates, type Principal } from '@custody/platform';
import { samePath } from '../store/command-metadata';
import { FacilityCommands } from './facility.commands';
import type { FacilityCommand } from './facility.decider';
import { FacilityJurisdiction, RegistrationJurisdiction } from './facility.jurisdiction';
import { FacilityProjection } from './facility.projection';

/** Facilities over HTTP: commands answer with the events written; reads come from the occupancy read model. */
@Controller('facilities')
export class FacilityController {
  constructor(
    private readonly commands: FacilityCommands,
    private readonly readModel: FacilityProjection,
  ) {}

  @Post()
  @Requires('facility:register', RegistrationJurisdiction)
  register(@Body() body: RegisterFacility, @CommandCaller() caller: Caller) {
    return this.run({ type: 'RegisterFacility', data: body }, caller);
  }

  @Post(':facilityId/capacity')
  @Requires('facility:manage', FacilityJurisdiction)
  @HttpCode(200)
  changeCapacity(@Param('facilityId', ParseUUIDPipe) facilityId: string, @Body() body: ChangeFacilityCapacity, @CommandCaller() caller: Caller) {
    samePath('facilityId', facilityId, body.facilityId);
    return this.run({ type: 'ChangeFacilityCapacity', data: body }, caller);
  }

  @Post(':facilityId/reservations')
  @Requires('facility:reserve', FacilityJurisdiction)
  reserve(@Param('facilityId', ParseUUIDPipe) facilityId: string, @Body() body: ReservePlace, @CommandCaller() caller: Caller) {
    samePath('facilityId', facilityId, body.facilityId);
    return this.run({ type: 'ReservePlace', data: body }, caller);
  }

  @Post(':facilityId/reservations/:reservationId/release')
  @Requires('facility:reserve', FacilityJurisdiction)
  @HttpCode(200)
  release(
    @Param('facilityId', ParseUUIDPipe) facilityId: string,
    @Param('reservationId', ParseUUIDPipe) reservationId: string,
    @Body() body: ReleaseReservation,
    @CommandCaller() caller: Caller,
  ) {
    samePath('facilityId', facilityId, body.facilityId);
    samePath('reservationId', reservationId, body.reservationId);
    return this.run({ type: 'ReleaseReservation', data: body }, caller);
  }

  @Post(':facilityId/reservations/:reservationId/expire')
  // The expiry timer's act, by hand: the operating state's bookkeeping of its places.
  @Requires('facility:manage', FacilityJurisdiction)
  @HttpCode(200)
  expire(
    @Param('facilityId', ParseUUIDPipe) facilityId: string,
    @Param('reservationId', ParseUUIDPipe) reservationId: string,
    @Body() body: ExpireReservation,
    @CommandCaller() caller: Caller,
  ) {
    samePath('facilityId', facilityId, body.facilityId);
    samePath('reservationId', reservationId, body.reservationId);
    return this.run({ type: 'ExpireReservation', data: body }, caller);
  }

  @Get()
  @Requires('facility:search')
  async list(@CurrentPrincipal() principal?: Principal) {
    return { facilities: await this.readModel.facilities(visibleStates(principal)) };
  }

  @Get(':facilityId/occupancy')
  @Requires('facility:occupancy', FacilityJurisdiction)
  // The reservations name the persons a place is held for.
  @PersonalDataRead({
    kind: 'facility-occupancy',
    persons: (occupancy: { reservations: Array<{ inmateId?: unknown }> }) => occupancy.reservations.map((r) => (typeof r.inmateId === 'string' ? r.inmateId : undefined)),
  })
  async occupancy(@Param('facilityId', ParseUUIDPipe) facilityId: string) {
    const occupancy = await this.readModel.occupancy(facilityId);
    if (!occupancy) throw new NotFoundException({ code: 'FACILITY_NOT_FOUND', message: 'No facility is registered under this id.', errors: [], details: { facilityId } });
    return occupancy;
  }

  private async run(command: FacilityCommand & { data: { commandId: string; occurredAt: string } }, caller: Caller) {
    const events = await this.commands.execute(command, commandMetadata(command.data, caller), (i) => deterministicId(`${command.data.commandId}/${i}`));
    return { commandId: command.data.commandId, facilityId: command.data.facilityId, events: events.map((e) => ({ id: e.id, type: e.type, data: e.data })) };
  }
}
