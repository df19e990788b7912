import { Body, Controller, Get, HttpCode, Param, Post, type PipeTransform } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  AcknowledgeReport, AdjustSentence, ContractViolation, CorrectInmateRecord, EndEnforcement, type IntakeCommandType,
  RecordDomesticRelease, RecordExpulsionOrder, RecordHealthAssessment, RecordResidenceStatus, RecordSentence, RegisterInmate,
  ResumeEnforcement, SuspendEnforcement, reject,
} from '@custody/contracts';
import { type Caller, CommandCaller, commandMetadata, PersonalDataRead } from '@custody/platform';
import { Requires } from '@custody/security';
import { PersonalDataStore } from '../personal-data/personal-data.store';
import { type Accepted, InmateCommands, inmateStream } from './inmate.commands';
import type { InmateCommand } from './inmate.decider';
import { InmateJurisdiction, RegistrationJurisdiction } from './inmate.jurisdiction';
import { inmateView } from './inmate.view';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The `:id` of a path: a UUID, or a 400 naming the field. */
export const inmateIdParam: PipeTransform<string, string> = {
  transform(value: string) {
    if (!UUID.test(value)) throw new ContractViolation('VALIDATION_FAILED', [{ path: 'id', problem: 'id must be a UUID' }]);
    return value.toLowerCase();
  },
};

type Body = { commandId: string; occurredAt: string; inmateId: string };

/** HTTP in: the inmate record's commands and reads. Translates and delegates; the rules are in the decider. */
@ApiTags('inmates')
@Controller('inmates')
export class InmateController {
  constructor(
    private readonly commands: InmateCommands,
    private readonly personalData: PersonalDataStore,
  ) {}

  private run(type: IntakeCommandType, body: Body, caller: Caller, pathId?: string): Promise<Accepted> {
    if (pathId !== undefined && body.inmateId?.toLowerCase() !== pathId) {
      throw new ContractViolation('VALIDATION_FAILED', [{ path: 'inmateId', problem: `inmateId must be the id of the path (${pathId})` }]);
    }
    const command = { type, data: body } as InmateCommand;
    return this.commands.execute(command, commandMetadata(body, caller), body.commandId);
  }

  @Post()
  @Requires('inmate:register', RegistrationJurisdiction)
  @ApiOperation({ summary: 'Registers a person the sending state may transfer (409 INMATE_ALREADY_REGISTERED names the existing inmate).' })
  @ApiBody({ schema: { $ref: '#/components/schemas/RegisterInmate' } })
  @ApiResponse({ status: 201, description: 'Accepted: the event ids and the stream revision.' })
  register(@Body() body: RegisterInmate, @CommandCaller() caller: Caller) {
    return this.run('RegisterInmate', body, caller);
  }

  @Post(':id/sentence')
  @Requires('inmate:write', InmateJurisdiction)
  @HttpCode(200)
  @ApiOperation({ summary: 'Records the sentence being enforced.' })
  @ApiBody({ schema: { $ref: '#/components/schemas/RecordSentence' } })
  recordSentence(@Param('id', inmateIdParam) id: string, @Body() body: RecordSentence, @CommandCaller() caller: Caller) {
    return this.run('RecordSentence', body, caller, id);
  }

  @Post(':id/sentence/adjustments')
  @Requires('inmate:write', InmateJurisdiction)
  @HttpCode(200)
  @ApiOperation({ summary: 'Replaces the sentence in force after an appeal, remission or recalculation.' })
  @ApiBody({ schema: { $ref: '#/components/schemas/AdjustSentence' } })
  adjustSentence(@Param('id', inmateIdParam) id: string, @Body() body: AdjustSentence, @CommandCaller() caller: Caller) {
    return this.run('AdjustSentence', body, caller, id);
  }

  @Post(':id/residence')
  @Requires('inmate:write', InmateJurisdiction)
  @HttpCode(200)
  @ApiOperation({ summary: 'Records the residence status and habitual residence.' })
  @ApiBody({ schema: { $ref: '#/components/schemas/RecordResidenceStatus' } })
  recordResidence(@Param('id', inmateIdParam) id: string, @Body() body: RecordResidenceStatus, @CommandCaller() caller: Caller) {
    return this.run('RecordResidenceStatus', body, caller, id);
  }

  @Post(':id/expulsion-orders')
  @Requires('inmate:write', InmateJurisdiction)
  @HttpCode(200)
  @ApiOperation({ summary: 'Records an expulsion or deportation order.' })
  @ApiBody({ schema: { $ref: '#/components/schemas/RecordExpulsionOrder' } })
  recordExpulsionOrder(@Param('id', inmateIdParam) id: string, @Body() body: RecordExpulsionOrder, @CommandCaller() caller: Caller) {
    return this.run('RecordExpulsionOrder', body, caller, id);
  }

  @Post(':id/health-assessments')
  @Requires('inmate:write', InmateJurisdiction)
  @HttpCode(200)
  @ApiOperation({ summary: 'Records the health facts lease eligibility depends on.' })
  @ApiBody({ schema: { $ref: '#/components/schemas/RecordHealthAssessment' } })
  recordHealthAssessment(@Param('id', inmateIdParam) id: string, @Body() body: RecordHealthAssessment, @CommandCaller() caller: Caller) {
    return this.run('RecordHealthAssessment', body, caller, id);
  }

  @Post(':id/corrections')
  @Requires('inmate:write', InmateJurisdiction)
  @HttpCode(200)
  @ApiOperation({ summary: 'Corrects identity or nationalities with a compensating event (Rule 15).' })
  @ApiBody({ schema: { $ref: '#/components/schemas/CorrectInmateRecord' } })
  correct(@Param('id', inmateIdParam) id: string, @Body() body: CorrectInmateRecord, @CommandCaller() caller: Caller) {
    return this.run('CorrectInmateRecord', body, caller, id);
  }

  @Post(':id/domestic-release')
  @Requires('inmate:write', InmateJurisdiction)
  @HttpCode(200)
  @ApiOperation({ summary: 'Records a release in the sending state, without transfer.' })
  @ApiBody({ schema: { $ref: '#/components/schemas/RecordDomesticRelease' } })
  recordDomesticRelease(@Param('id', inmateIdParam) id: string, @Body() body: RecordDomesticRelease, @CommandCaller() caller: Caller) {
    return this.run('RecordDomesticRelease', body, caller, id);
  }

  @Post(':id/enforcement/suspension')
  @Requires('inmate:write', InmateJurisdiction)
  @HttpCode(200)
  @ApiOperation({ summary: 'Suspends enforcement: the receiving state took the person into charge (Rule 12).' })
  @ApiBody({ schema: { $ref: '#/components/schemas/SuspendEnforcement' } })
  suspend(@Param('id', inmateIdParam) id: string, @Body() body: SuspendEnforcement, @CommandCaller() caller: Caller) {
    return this.run('SuspendEnforcement', body, caller, id);
  }

  @Post(':id/enforcement/resumption')
  @Requires('inmate:write', InmateJurisdiction)
  @HttpCode(200)
  @ApiOperation({ summary: 'Resumes enforcement (escape back to the sending state, Rule 12).' })
  @ApiBody({ schema: { $ref: '#/components/schemas/ResumeEnforcement' } })
  resume(@Param('id', inmateIdParam) id: string, @Body() body: ResumeEnforcement, @CommandCaller() caller: Caller) {
    return this.run('ResumeEnforcement', body, caller, id);
  }

  @Post(':id/enforcement/end')
  @Requires('inmate:write', InmateJurisdiction)
  @HttpCode(200)
  @ApiOperation({ summary: 'Ends enforcement: completion reported by the receiving state (Rule 12).' })
  @ApiBody({ schema: { $ref: '#/components/schemas/EndEnforcement' } })
  end(@Param('id', inmateIdParam) id: string, @Body() body: EndEnforcement, @CommandCaller() caller: Caller) {
    return this.run('EndEnforcement', body, caller, id);
  }

  @Post(':id/reports/acknowledgements')
  @Requires('inmate:write', InmateJurisdiction)
  @HttpCode(200)
  @ApiOperation({ summary: 'Acknowledges a report of the receiving state (Rule 13).' })
  @ApiBody({ schema: { $ref: '#/components/schemas/AcknowledgeReport' } })
  acknowledge(@Param('id', inmateIdParam) id: string, @Body() body: AcknowledgeReport, @CommandCaller() caller: Caller) {
    return this.run('AcknowledgeReport', body, caller, id);
  }

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
