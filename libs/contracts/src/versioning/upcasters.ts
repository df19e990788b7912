import type { InmateRegisteredPayload } from '../intake/events';
import type { InmateRegisteredV1Payload } from '../intake/legacy';

/**
 * Lifts a payload from `fromVersion` to `fromVersion + 1`. Upcasters are pure and total on valid
 * input of their version; a breaking change is always a new version with a new upcaster, never an
 * edit of a published schema.
 */
export interface Upcaster<From = unknown, To = unknown> {
  readonly type: string;
  readonly fromVersion: number;
  /** What changed, for the published document and for reviewers. */
  readonly change: string;
  upcast(data: From): To;
}

/** InmateRegistered v1 → v2: the single `nationality` becomes the list `nationalities`. */
export const inmateRegisteredV1ToV2: Upcaster<InmateRegisteredV1Payload, InmateRegisteredPayload> = {
  type: 'InmateRegistered',
  fromVersion: 1,
  change: 'The single `nationality` became the list `nationalities` (ETS 112 Art 3.1.a: any nationality of the administering state counts).',
  upcast: ({ nationality, ...rest }) => ({ ...rest, nationalities: [nationality] }),
};

/** Every upcaster of the catalogue. */
export const UPCASTERS: readonly Upcaster[] = [inmateRegisteredV1ToV2 as Upcaster];
