import { findMessage, findUpcaster } from '@custody/contracts';

/**
 * An event's data lifted to the catalogue's current version of its type by the contracts'
 * upcasters, so that no decider handles an older schema inline. Types the catalogue does not
 * know, and versions already current, pass unchanged; so does a version with no upcaster (the
 * contract's own tests check that every published version has one).
 */
export function upcast<Event extends { type: string; schemaVersion?: number; data: unknown }>(event: Event): Event {
  const written = event.schemaVersion ?? 1;
  const current = findMessage(event.type)?.version;
  if (current === undefined || written >= current) return event;
  let data: unknown = event.data;
  for (let version = written; version < current; version++) {
    const upcaster = findUpcaster(event.type, version);
    if (!upcaster) return event;
    data = upcaster.upcast(data);
  }
  return { ...event, schemaVersion: current, data };
}

/** The version a decider writes for an event type: the catalogue's current one (1 for a type it does not list). */
export function writtenVersion(type: string): number {
  return findMessage(type)?.version ?? 1;
}
