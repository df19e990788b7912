import { Controller, Get, NotFoundException, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PersonalDataRead } from '@custody/platform';
import { CurrentPrincipal, Requires, visibleStates, type Principal } from '@custody/security';
import { FacilityJurisdiction } from './facility.jurisdiction';
import { FacilityProjection } from './facility.projection';

/** Facilities over HTTP: the reads, from the occupancy read model. (The commands' routes, which answer with the events written, are made from facility.command-table.ts.) */
@ApiTags('facilities')
@Controller('facilities')
export class FacilityController {
  constructor(private readonly readModel: FacilityProjection) {}

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
}
