import { Body, Controller, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AdmitInmate, AssignCell, EndAbsence, GrantConditionalRelease, GrantPardonOrAmnesty, RecordDeathInCustody, RecordEscape,
  RecordRecapture, RecordSentenceCompleted, ReleaseInmate, ReportInmateNotFound, StartAbsence,
  type Command, type CustodyCommandType,
} from '@custody/contracts';
import { type Caller, CommandCaller, commandMetadata, PersonalDataRead } from '@custody/platform';
import { Requires } from '@custody/security';
import { samePath } from '../store/command-metadata';
import { CustodyCommands } from './custody.commands';
import { AdmissionJurisdiction, CustodyJurisdiction } from './custody.jurisdiction';
import { CustodyProjection } from './custody.projection';

/** Each person's custody over HTTP: `POST /custody/:inmateId/<act>` with the contract's command as body. */
@ApiTags('custody')
@Controller('custody')
export class CustodyController {
  constructor(
    private readonly commands: CustodyCommands,
    private readonly readModel: CustodyProjection,
  ) {}

  @ApiOperation({ summary: 'Admits the person to a facility after the hand-over.' })
  @Post(':inmateId/admission')
  @Requires('custody:write', AdmissionJurisdiction)
  admit(@Param('inmateId', ParseUUIDPipe) inmateId: string, @Body() body: AdmitInmate, @CommandCaller() caller: Caller) {
    return this.run(inmateId, { type: 'AdmitInmate', data: body }, caller);
  }

  @ApiOperation({ summary: 'Assigns the person a cell.' })
  @Post(':inmateId/cell')
  @Requires('custody:write', CustodyJurisdiction)
  @HttpCode(200)
  assignCell(@Param('inmateId', ParseUUIDPipe) inmateId: string, @Body() body: AssignCell, @CommandCaller() caller: Caller) {
    return this.run(inmateId, { type: 'AssignCell', data: body }, caller);
  }

  @ApiOperation({ summary: 'Starts an authorised absence (leave, hospital, court).' })
  @Post(':inmateId/absences')
  @Requires('custody:write', CustodyJurisdiction)
  startAbsence(@Param('inmateId', ParseUUIDPipe) inmateId: string, @Body() body: StartAbsence, @CommandCaller() caller: Caller) {
    return this.run(inmateId, { type: 'StartAbsence', data: body }, caller);
  }

  @ApiOperation({ summary: 'Ends an absence: the person is back.' })
  @Post(':inmateId/absences/:absenceId/end')
  @Requires('custody:write', CustodyJurisdiction)
  @HttpCode(200)
  endAbsence(
    @Param('inmateId', ParseUUIDPipe) inmateId: string,
    @Param('absenceId', ParseUUIDPipe) absenceId: string,
    @Body() body: EndAbsence,
    @CommandCaller() caller: Caller,
  ) {
    samePath('absenceId', absenceId, body.absenceId);
    return this.run(inmateId, { type: 'EndAbsence', data: body }, caller);
  }

  @ApiOperation({ summary: 'Records an escape.' })
  @Post(':inmateId/escape')
  @Requires('custody:write', CustodyJurisdiction)
  @HttpCode(200)
  escape(@Param('inmateId', ParseUUIDPipe) inmateId: string, @Body() body: RecordEscape, @CommandCaller() caller: Caller) {
    return this.run(inmateId, { type: 'RecordEscape', data: body }, caller);
  }

  @ApiOperation({ summary: 'Records the recapture of an escaped person.' })
  @Post(':inmateId/recapture')
  @Requires('custody:write', CustodyJurisdiction)
  @HttpCode(200)
  recapture(@Param('inmateId', ParseUUIDPipe) inmateId: string, @Body() body: RecordRecapture, @CommandCaller() caller: Caller) {
    return this.run(inmateId, { type: 'RecordRecapture', data: body }, caller);
  }

  @ApiOperation({ summary: 'Reports that the person is not found where the record holds them.' })
  @Post(':inmateId/not-found')
  @Requires('custody:write', CustodyJurisdiction)
  @HttpCode(200)
  notFound(@Param('inmateId', ParseUUIDPipe) inmateId: string, @Body() body: ReportInmateNotFound, @CommandCaller() caller: Caller) {
    return this.run(inmateId, { type: 'ReportInmateNotFound', data: body }, caller);
  }

  @ApiOperation({ summary: 'Records a death in custody.' })
  @Post(':inmateId/death')
  @Requires('custody:write', CustodyJurisdiction)
  @HttpCode(200)
  death(@Param('inmateId', ParseUUIDPipe) inmateId: string, @Body() body: RecordDeathInCustody, @CommandCaller() caller: Caller) {
    return this.run(inmateId, { type: 'RecordDeathInCustody', data: body }, caller);
  }

  @ApiOperation({ summary: 'Grants conditional release.' })
  @Post(':inmateId/conditional-release')
  @Requires('custody:write', CustodyJurisdiction)
  @HttpCode(200)
  conditionalRelease(@Param('inmateId', ParseUUIDPipe) inmateId: string, @Body() body: GrantConditionalRelease, @CommandCaller() caller: Caller) {
    return this.run(inmateId, { type: 'GrantConditionalRelease', data: body }, caller);
  }

  @ApiOperation({ summary: 'Records a pardon or amnesty.' })
  @Post(':inmateId/pardon-or-amnesty')
  @Requires('custody:write', CustodyJurisdiction)
  @HttpCode(200)
  clemency(@Param('inmateId', ParseUUIDPipe) inmateId: string, @Body() body: GrantPardonOrAmnesty, @CommandCaller() caller: Caller) {
    return this.run(inmateId, { type: 'GrantPardonOrAmnesty', data: body }, caller);
  }

  @ApiOperation({ summary: 'Records that the sentence is completed.' })
  @Post(':inmateId/sentence-completed')
  @Requires('custody:write', CustodyJurisdiction)
  @HttpCode(200)
  sentenceCompleted(@Param('inmateId', ParseUUIDPipe) inmateId: string, @Body() body: RecordSentenceCompleted, @CommandCaller() caller: Caller) {
    return this.run(inmateId, { type: 'RecordSentenceCompleted', data: body }, caller);
  }

  @ApiOperation({ summary: 'Releases the person.' })
  @Post(':inmateId/release')
  @Requires('custody:write', CustodyJurisdiction)
  @HttpCode(200)
  release(@Param('inmateId', ParseUUIDPipe) inmateId: string, @Body() body: ReleaseInmate, @CommandCaller() caller: Caller) {
    return this.run(inmateId, { type: 'ReleaseInmate', data: body }, caller);
  }

  @ApiOperation({ summary: 'The person\'s custody now (from the read model).' })
  @Get(':inmateId')
  @Requires('custody:read', CustodyJurisdiction)
  @PersonalDataRead({ kind: 'custody', persons: (person: { inmateId: string }) => [person.inmateId] })
  async person(@Param('inmateId', ParseUUIDPipe) inmateId: string) {
    const person = await this.readModel.person(inmateId, new Date().toISOString().slice(0, 10));
    if (!person) throw new NotFoundException({ code: 'INMATE_NOT_FOUND', message: 'No person was admitted here under this id.', errors: [], details: { inmateId } });
    return person;
  }

  private async run(inmateId: string, command: Command<CustodyCommandType>, caller: Caller) {
    samePath('inmateId', inmateId, command.data.inmateId);
    const events = await this.commands.execute(command, commandMetadata(command.data, caller));
    return { commandId: command.data.commandId, inmateId, events: events.map((e) => ({ id: e.id, type: e.type, data: e.data })) };
  }
}
