import { Controller, Headers, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsInstant } from '@custody/contracts';
import { ReadRoute } from '@custody/platform';
import { CurrentPrincipal, visibleStates, type Principal } from '@custody/security';
import { PersonAccessLog, type ForwardedHeaders, type PersonAccessHistory } from './person-access-log';
import { UuidPipe } from '../inputs/uuid.pipe';

/** The window of a person's access history: from this instant (included) to that one (excluded). */
export class PersonAccessQuery {
  @IsOptional() @IsInstant() from?: string;
  @IsOptional() @IsInstant() to?: string;
}

const FORWARDED = ['authorization', 'x-access-purpose', 'x-access-recipient', 'x-correlation-id', 'traceparent'] as const;

/** HTTP in: who read or was given a person's data, in every service (auditors). */
@ApiTags('access-log')
@Controller('inmates')
export class PersonAccessLogController {
  constructor(private readonly history: PersonAccessLog) {}

  // The history names officers and the person: reading it is itself a disclosure, recorded here (and in each service asked).
  @ReadRoute(':id/access-log', {
    summary: 'Who read or was given a person\'s data, in every service, oldest first (auditors).', permission: 'access-log:read',
    personalData: { kind: 'access-log', persons: (answer: PersonAccessHistory) => [answer.personId] },
  })
  of(
    @Param('id', new UuidPipe()) personId: string,
    @Query() query: PersonAccessQuery,
    @Headers() headers: Record<string, string | undefined>,
    @CurrentPrincipal() principal?: Principal,
  ): Promise<PersonAccessHistory> {
    const forwarded = Object.fromEntries(FORWARDED.map((name) => [name, headers[name]])) as ForwardedHeaders;
    return this.history.of(personId.toLowerCase(), { from: query.from, to: query.to }, visibleStates(principal)?.[0], forwarded);
  }
}
