import { Controller, Get, Param, type PipeTransform } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ContractViolation, reject } from '@custody/contracts';
import { PersonalDataRead } from '@custody/platform';
import { Requires } from '@custody/security';
import { PersonalDataStore } from '../personal-data/personal-data.store';
import { InmateCommands, inmateStream } from './inmate.commands';
import { InmateJurisdiction } from './inmate.jurisdiction';
import { inmateView } from './inmate.view';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The `:id` of a path: a UUID, or a 400 naming the field. */
export const inmateIdParam: PipeTransform<string, string> = {
  transform(value: string) {
    if (!UUID.test(value)) throw new ContractViolation('VALIDATION_FAILED', [{ path: 'id', problem: 'id must be a UUID' }]);
    return value.toLowerCase();
  },
};

/** HTTP in: the inmate record's reads. (The commands' routes are made from inmate.command-table.ts.) */
@ApiTags('inmates')
@Controller('inmates')
export class InmateController {
  constructor(
    private readonly commands: InmateCommands,
    private readonly personalData: PersonalDataStore,
  ) {}

  @Get(':id')
  @Requires('inmate:read', InmateJurisdiction)
  @PersonalDataRead({ kind: 'inmate', persons: (record: { inmateId: string }) => [record.inmateId] })
  @ApiOperation({ summary: 'The inmate record as it stands now (folded from its events).' })
  @ApiParam({ name: 'id', format: 'uuid' })
  async get(@Param('id', inmateIdParam) id: string) {
    const { state, revision } = await this.commands.load(id);
    if (state.status === 'unregistered') throw reject('INMATE_NOT_FOUND', { inmateId: id });
    return inmateView(state, revision!);
  }

  @Get(':id/history')
  @Requires('inmate:read', InmateJurisdiction)
  @PersonalDataRead({ kind: 'inmate-history', persons: (history: { inmateId: string }) => [history.inmateId] })
  @ApiOperation({ summary: 'The events of the inmate record, in order.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  async history(@Param('id', inmateIdParam) id: string) {
    const events = [];
    // Personal fields decrypted, or null once erased (isPersonalDataErased says which).
    for await (const event of this.personalData.readStream(inmateStream(id))) {
      const { correlationId, causationId, actor, occurredAt } = event.metadata;
      events.push({
        eventId: event.id, revision: event.revision, type: event.type, schemaVersion: event.schemaVersion,
        occurredAt, recordedAt: event.recordedAt, data: event.data, isPersonalDataErased: event.isPersonalDataErased, correlationId, causationId, actor,
      });
    }
    if (events.length === 0) throw reject('INMATE_NOT_FOUND', { inmateId: id });
    return { inmateId: id, events };
  }
}
