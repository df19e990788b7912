import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { SecureRequest } from '@custody/security';
import { MAX_PURPOSE_LENGTH, MAX_RECIPIENT_LENGTH } from './access-purpose';

export const PERSONAL_DATA_READ = Symbol('custody:personal-data-read');

type Ids = Iterable<string | null | undefined>;

/** What a route discloses: the kind of record, and how to find the persons (and their states) in its answer. */
export interface PersonalDataReadOptions<T> {
  /** The kind of record disclosed, as auditors see it: `inmate`, `inmate-search`, `case`, `custody`… */
  kind: string;
  /** Every person whose data the answer carries (for a list: every person listed). */
  persons: (answer: T, request: SecureRequest) => Ids;
  /**
   * States the disclosed data belongs to beyond the route's resource (which the security guard
   * resolved already): for a list, the states of the items, so that their auditors see the entry.
   */
  jurisdictions?: (answer: T, request: SecureRequest) => Ids;
}

/**
 * Marks a route that discloses personal data (Directive (EU) 2016/680 Art 25): the caller must
 * state a purpose (`X-Access-Purpose`), and each successful answer is recorded in the service's
 * access log before it is sent, or not sent at all.
 *
 * ```ts
 * @PersonalDataRead({ kind: 'inmate', persons: (answer: InmateView) => [answer.inmateId] })
 * ```
 */
export const PersonalDataRead = <T>(options: PersonalDataReadOptions<T>) =>
  applyDecorators(
    SetMetadata(PERSONAL_DATA_READ, options),
    ApiHeader({
      name: 'X-Access-Purpose',
      required: true,
      description: `Why you read this personal data (a case reference, a task), at most ${MAX_PURPOSE_LENGTH} characters; recorded in the access log. Missing: 400 PURPOSE_REQUIRED.`,
    }),
    ApiHeader({
      name: 'X-Access-Recipient',
      required: false,
      description: `Who the data goes to, when not your own organisation (at most ${MAX_RECIPIENT_LENGTH} characters); recorded in the access log.`,
    }),
  );
