import { Body, Controller, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ChangeFacilityCapacity, ExpireReservation, RegisterFacility, ReleaseReservation, ReservePlace } from '@custody/contracts';
import { deterministicId } from '@custody/event-sourcing';
import { type Caller, CommandCaller, commandMetadata, PersonalDataRead } from '@custody/platform';
import { CurrentPrincipal, Requires, visibleStates, type Principal } from '@custody/security';
import { samePath } from '../store/command-metadata';
import { FacilityCommands } from './facility.commands';
import type { FacilityCommand } from './facility.decider';
import { FacilityJurisdiction, RegistrationJurisdiction } from './facility.jurisdiction';
import { FacilityProjection } from './facility.projection';

/** Facilities over HTTP: commands answer with the events written; reads come from the occupancy read model. */
@ApiTags('facilities')
@Controller('facilities')
export class FacilityController {
  constructor(
    private readonly commands: FacilityCommands,
    private readonly readModel: FacilityProjection,
  ) {}

  @ApiOperation({ summary: 'Registers a facility of the operating state (and its lease to another state, if any).' })
  @Post()
  @Requires('facility:register', RegistrationJurisdiction)
  register(@Body() body: RegisterFacility, @CommandCaller() caller: Caller) {
    return this.run({ type: 'RegisterFacility', data: body }, caller);
  }

  @ApiOperation({ summary: 'Changes the facility\'s capacity.' })
  @Post(':facilityId/capacity')
  @Requires('facility:manage', FacilityJurisdiction)
  @HttpCode(200)
  changeCapacity(@Param('facilityId', ParseUUIDPipe) facilityId: string, @Body() body: ChangeFacilityCapacity, @CommandCaller() caller: Caller) {
    samePath('facilityId', facilityId, body.facilityId);
    return this.run({ type: 'ChangeFacilityCapacity', data: body }, caller);
  }

  @ApiOperation({ summary: 'Reserves a place for a person of a transfer case.' })
  @Post(':facilityId/reservations')
  @Requires('facility:reserve', FacilityJurisdiction)
  reserve(@Param('facilityId', ParseUUIDPipe) facilityId: string, @Body() body: ReservePlace, @CommandCaller() caller: Caller) {
    samePath('facilityId', facilityId, body.facilityId);
    return this.run({ type: 'ReservePlace', data: body }, caller);
  }

  @ApiOperation({ summary: 'Releases a reservation.' })
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

  @ApiOperation({ summary: 'Expires a reservation by hand (the expiry timer\'s act).' })
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

  @ApiOperation({ summary: 'The facilities the caller\'s state operates or leases.' })
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
  @ApiOperation({ summary: 'The facility\'s occupancy against capacity, with its reservations.' })
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
