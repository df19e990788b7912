import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ContractViolation, ErasePersonalData, type IntakeCommandType, IsIsoDate, LiftLegalHold, PlaceLegalHold } from '@custody/contracts';
import { type Caller, CommandCaller, commandMetadata, PersonalDataRead } from '@custody/platform';
import { CurrentPrincipal, Requires, type Principal } from '@custody/security';
import { type IncomingCommand, InmateCommands } from '../inmate/inmate.commands';
import { inmateIdParam } from '../inmate/inmate.controller';
import { InmateJurisdiction } from '../inmate/inmate.jurisdiction';
import { PersonalDataKeys } from '@custody/personal-data';

/** An answer that lists persons under `key`, each with the state that sent them. */
type DisclosedPersons<K extends string> = Record<K, Array<{ inmateId: string; sendingState: string }>>;
import { RetentionJob } from './retention.job';

/** Paging of the destruction log. */
export class DestructionLogQuery {
  /** The `entry` of the last row of the previous page. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) after?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

/** The day the retention list is drawn up for. */
export class RetentionDueQuery {
  /** Today (UTC) by default; a later day shows who will be due then. */
  @IsOptional() @IsIsoDate() asOf?: string;
}

type Body = { commandId: string; occurredAt: string; inmateId: string };

/**
 * HTTP in for Rule 16: erasing a person's personal data (their data key is destroyed), legal
 * holds that stop it, and the destruction log. Translates and delegates; the rules are in the
 * inmate decider.
 */
@ApiTags('personal data')
@Controller()
export class PersonalDataController {
  constructor(
    private readonly commands: InmateCommands,
    private readonly keys: PersonalDataKeys,
    private readonly retention: RetentionJob,
  ) {}

  private run(type: IntakeCommandType, body: Body, caller: Caller, pathId: string) {
    if (body.inmateId?.toLowerCase() !== pathId) {
      throw new ContractViolation('VALIDATION_FAILED', [{ path: 'inmateId', problem: `inmateId must be the id of the path (${pathId})` }]);
    }
    return this.commands.execute({ type, data: body } as IncomingCommand, commandMetadata(body, caller), body.commandId);
  }

  @Post('inmates/:id/personal-data/erasure')
  @Requires('inmate:erase', InmateJurisdiction)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Erases the person\'s personal data: destroys their data key, so names, date and place of birth and identity documents read as null everywhere for ever. '
      + '409 LEGAL_HOLD_ACTIVE while a legal hold stands; 409 RETENTION_NOT_EXPIRED before the final release plus the sending state\'s retention period.',
  })
  @ApiBody({ schema: { $ref: '#/components/schemas/ErasePersonalData' } })
  erase(@Param('id', inmateIdParam) id: string, @Body() body: ErasePersonalData, @CommandCaller() caller: Caller) {
    return this.run('ErasePersonalData', body, caller, id);
  }

  @Post('inmates/:id/legal-holds')
  @Requires('inmate:hold', InmateJurisdiction)
  @HttpCode(200)
  @ApiOperation({ summary: 'Places a legal hold (a reference unique per person): the person\'s data may not be erased until it is lifted.' })
  @ApiBody({ schema: { $ref: '#/components/schemas/PlaceLegalHold' } })
  placeLegalHold(@Param('id', inmateIdParam) id: string, @Body() body: PlaceLegalHold, @CommandCaller() caller: Caller) {
    return this.run('PlaceLegalHold', body, caller, id);
  }

  @Post('inmates/:id/legal-holds/lifts')
  @Requires('inmate:hold', InmateJurisdiction)
  @HttpCode(200)
  @ApiOperation({ summary: 'Lifts the legal hold of a reference (404 LEGAL_HOLD_NOT_FOUND when none stands).' })
  @ApiBody({ schema: { $ref: '#/components/schemas/LiftLegalHold' } })
  liftLegalHold(@Param('id', inmateIdParam) id: string, @Body() body: LiftLegalHold, @CommandCaller() caller: Caller) {
    return this.run('LiftLegalHold', body, caller, id);
  }

  @Get('personal-data/destructions')
  @Requires('personal-data:audit')
  // It names persons, their release and why their data was destroyed: a disclosure, recorded.
  @PersonalDataRead({
    kind: 'destruction-log',
    persons: (answer: DisclosedPersons<'entries'>) => answer.entries.map((entry) => entry.inmateId),
    jurisdictions: (answer: DisclosedPersons<'entries'>) => answer.entries.map((entry) => entry.sendingState),
  })
  @ApiOperation({ summary: 'The destruction log: every data key destroyed, when, on which ground and at whose request, oldest first (append-only). A state sees its own persons.' })
  async destructionLog(@Query() query: DestructionLogQuery, @CurrentPrincipal() principal?: Principal) {
    const limit = query.limit ?? 100;
    const entries = await this.keys.destructionLog({ after: query.after, limit, ...(principal ? { states: [principal.state] } : {}) });
    return { entries, nextAfter: entries.length === limit ? entries[entries.length - 1].entry : null };
  }

  @Get('personal-data/retention/due')
  @Requires('personal-data:audit')
  // It names persons, their release and their legal holds: a disclosure, recorded.
  @PersonalDataRead({
    kind: 'retention-due',
    persons: (answer: DisclosedPersons<'due'>) => answer.due.map((status) => status.inmateId),
    jurisdictions: (answer: DisclosedPersons<'due'>) => answer.due.map((status) => status.sendingState),
  })
  @ApiOperation({ summary: 'Who is due for erasure on a day (?asOf=YYYY-MM-DD, today by default): released, the retention period run out, data not erased; those under a legal hold are listed with their holds and are not erased. A state sees its own persons.' })
  async due(@Query() query: RetentionDueQuery, @CurrentPrincipal() principal?: Principal) {
    const asOf = query.asOf ?? new Date().toISOString().slice(0, 10);
    const due = await this.retention.due(`${asOf}T23:59:59Z`);
    return { asOf, due: principal ? due.filter((status) => status.sendingState === principal.state) : due };
  }

  @Post('admin/personal-data/retention/run')
  @Requires('admin:operate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Runs the retention job now (it also runs every RETENTION_SCAN_INTERVAL_MS): erases everyone due and not held; each erasure is in the destruction log.' })
  runRetention() {
    return this.retention.run();
  }
}
