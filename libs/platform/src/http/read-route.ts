import { applyDecorators, Get, type Type } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { type Action, type JurisdictionResolver, Requires } from '@custody/security';
import { PersonalDataRead, type PersonalDataReadOptions } from '../access-log/personal-data-read';

/** What a read route declares: its summary, the action the caller needs, and what it discloses. */
export interface ReadRouteOptions<T> {
  summary: string;
  /** The action of the policy the caller needs (docs/security.md). */
  permission: Action;
  /** The service's resolver of the states the route's resource belongs to, for scoped actions. */
  jurisdiction?: Type<JurisdictionResolver>;
  /** The personal data the answer discloses, recorded in the access log (see {@link PersonalDataRead}); none when absent. */
  personalData?: PersonalDataReadOptions<T>;
}

/**
 * A read of a service, declared with one decorator as a command is with one table row: `GET path`,
 * its OpenAPI summary, its permission and jurisdiction, and, when it discloses personal data, the
 * access-log entry every answer needs.
 *
 * ```ts
 * @ReadRoute(':inmateId', { summary: 'The person\'s custody now.', permission: 'custody:read', jurisdiction: CustodyJurisdiction,
 *   personalData: { kind: 'custody', persons: (person: { inmateId: string }) => [person.inmateId] } })
 * ```
 */
export const ReadRoute = <T>(path: string, { summary, permission, jurisdiction, personalData }: ReadRouteOptions<T>) =>
  applyDecorators(
    Get(path),
    ApiOperation({ summary }),
    Requires(permission, jurisdiction),
    ...(personalData ? [PersonalDataRead(personalData)] : []),
  );
