import { Controller, NotFoundException, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ReadRoute } from '@custody/platform';
import { CustodyJurisdiction } from './custody.jurisdiction';
import { CustodyProjection } from './custody.projection';

/** Each person's custody over HTTP, read from the read model. (The commands' routes are made from custody.command-table.ts.) */
@ApiTags('custody')
@Controller('custody')
export class CustodyController {
  constructor(private readonly readModel: CustodyProjection) {}

  @ReadRoute(':inmateId', {
    summary: 'The person\'s custody now (from the read model).', permission: 'custody:read', jurisdiction: CustodyJurisdiction,
    personalData: { kind: 'custody', persons: (person: { inmateId: string }) => [person.inmateId] },
  })
  async person(@Param('inmateId', ParseUUIDPipe) inmateId: string) {
    const person = await this.readModel.person(inmateId, new Date().toISOString().slice(0, 10));
    if (!person) throw new NotFoundException({ code: 'INMATE_NOT_FOUND', message: 'No person was admitted here under this id.', errors: [], details: { inmateId } });
    return person;
  }
}
