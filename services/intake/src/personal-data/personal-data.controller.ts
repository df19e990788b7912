import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsIsoDate } from '@custody/contracts';
import { PersonalDataRead } from '@custody/platform';
import { CurrentPrincipal, Requires, type Principal } from '@custody/security';
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

/**
 * HTTP in for Rule 16: the destruction log, the retention list and its run. (Erasing a person's
 * personal data and the legal holds that stop it are commands of the inmate record: their routes
 * are made from inmate.command-table.ts.)
 */
@ApiTags('personal data')
@Controller()
export class PersonalDataController {
  constructor(
    private readonly keys: PersonalDataKeys,
    private readonly retention: RetentionJob,
  ) {}

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
