import { eventIds, type IdScope } from '@custody/event-sourcing';

/** This service's name in the ids of the events it appends (docs/adr/0014-namespaced-event-ids.md). */
export const SERVICE = 'intake';

/** The ids of the events one cause produces here: namespaced by this service. */
export const intakeEventIds = (scope: IdScope) => eventIds(SERVICE, scope);
