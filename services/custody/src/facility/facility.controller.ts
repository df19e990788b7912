import { Body, Controller, Get, Headers, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ChangeFacilityCapacity, ExpireReservation, RegisterFacility, ReleaseReservation, ReservePlace } from '@custody/contracts';
import { deterministicId } from '@custody/platform';
import { httpMetadata, samePath } from '../store/command-metadata';
import { FacilityCommands } from './facility.commands';
import type { FacilityCommand } from './facility.decider';
import { FacilityProjection } from './facility.projection';

/** Facilities over HTTP: commands answer with the events written; reads come from the occupancy read model. */
@Controller('facilities')
export class FacilityController {
  constructor(
    private readonly commands: FacilityCommands,
    private readonly readModel: FacilityProjection,
  ) {}

  @Post()
  register(@Body() body: RegisterFacility, @Headers() headers: Record<string, unknown>) {
    return this.run({ type: 'RegisterFacility', data: body }, headers);
  }

  @Post(':facilityId/capacity')
  @HttpCode(200)
  changeCapacity(@Param('facilityId', ParseUUIDPipe) facilityId: string, @Body() body: ChangeFacilityCapacity, @Headers() headers: Record<string, unknown>) {
    samePath('facilityId', facilityId, body.facilityId);
    return this.run({ type: 'ChangeFacilityCapacity', data: body }, headers);
  }

  @Post(':facilityId/reservations')
  reserve(@Param('facilityId', ParseUUIDPipe) facilityId: string, @Body() body: ReservePlace, @Headers() headers: Record<string, unknown>) {
    samePath('facilityId', facilityId, body.facilityId);
    return this.run({ type: 'ReservePlace', data: body }, headers);
  }

  @Post(':facilityId/reservations/:reservationId/release')
  @HttpCode(200)
  release(
    @Param('facilityId', ParseUUIDPipe) facilityId: string,
    @Param('reservationId', ParseUUIDPipe) reservationId: string,
    @Body() body: ReleaseReservation,
    @Headers() headers: Record<string, unknown>,
  ) {
    samePath('facilityId', facilityId, body.facilityId);
    samePath('reservationId', reservationId, body.reservationId);
    return this.run({ type: 'ReleaseReservation', data: body }, headers);
  }

  @Post(':facilityId/reservations/:reservationId/expire')
  @HttpCode(200)
  expire(
    @Param('facilityId', ParseUUIDPipe) facilityId: string,
    @Param('reservationId', ParseUUIDPipe) reservationId: string,
    @Body() body: ExpireReservation,
    @Headers() headers: Record<string, unknown>,
  ) {
    samePath('facilityId', facilityId, body.facilityId);
    samePath('reservationId', reservationId, body.reservationId);
    return this.run({ type: 'ExpireReservation', data: body }, headers);
  }

  @Get()
  async list() {
    return { facilities: await this.readModel.facilities() };
  }

  @Get(':facilityId/occupancy')
  async occupancy(@Param('facilityId', ParseUUIDPipe) facilityId: string) {
    const occupancy = await this.readModel.occupancy(facilityId);
    if (!occupancy) throw new NotFoundException({ code: 'FACILITY_NOT_FOUND', message: 'No facility is registered under this id.', errors: [], details: { facilityId } });
    return occupancy;
  }

  private async run(command: FacilityCommand & { data: { commandId: string; occurredAt: string } }, headers: Record<string, unknown>) {
    const events = await this.commands.execute(command, httpMetadata(command.data, headers), (i) => deterministicId(`${command.data.commandId}/${i}`));
    return { commandId: command.data.commandId, facilityId: command.data.facilityId, events: events.map((e) => ({ id: e.id, type: e.type, data: e.data })) };
  }
}
