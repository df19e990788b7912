import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { IsInstant, IsStateCode, IsText } from '@custody/contracts';
import { CurrentPrincipal, Requires, visibleStates, type Principal } from '@custody/security';
import { PostgresAccessLog, type AccessLogEntry } from './access-log.store';
import { PersonalDataRead } from './personal-data-read';

/** The auditors' filters; every one is optional, unknown ones are refused. */
export class AccessLogQuery {
  /** Entries that disclosed this person. */
  @IsOptional() @IsText(100) personId?: string;
  /** Entries made by this principal (`sub` of the token). */
  @IsOptional() @IsText(200) subject?: string;
  /** Entries made by principals of this state. */
  @IsOptional() @IsStateCode() state?: string;
  /** From this instant (included) to that one (excluded). */
  @IsOptional() @IsInstant() from?: string;
  @IsOptional() @IsInstant() to?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  /** The `nextAfter` of the previous page. */
  @IsOptional() @Matches(/^\d{1,18}$/, { message: 'after must be the nextAfter of a previous page' }) after?: string;
}

/** GET /access-log: the service's access log for auditors. */
@ApiTags('access-log')
@Controller('access-log')
export class AccessLogController {
  constructor(private readonly log: PostgresAccessLog) {}

  @Get()
  @Requires('access-log:read')
  // The log names persons and officers: reading it is itself a disclosure, recorded like any other.
  @PersonalDataRead({ kind: 'access-log', persons: (answer: { items: AccessLogEntry[] }) => answer.items.flatMap((entry) => entry.personIds) })
  @ApiOperation({
    summary: 'Who read or disclosed which person\'s data, when, why and to whom (Directive (EU) 2016/680 Art 25), in the order recorded; ' +
      'an auditor sees the entries made by principals of its state and those about persons of its state\'s cases.',
  })
  read(@Query() query: AccessLogQuery, @CurrentPrincipal() principal?: Principal) {
    return this.log.query({
      personId: query.personId,
      subject: query.subject,
      state: query.state,
      from: query.from,
      to: query.to,
      after: query.after,
      limit: query.limit ?? 100,
      visibleTo: visibleStates(principal)?.[0],
    });
  }
}
