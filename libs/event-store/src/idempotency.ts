import { DuplicateEventIdError } from './errors';
import type { AppendResult, EventFilter, RecordedEvent } from './port';
import type { PreparedAppend } from './validation';

/**
 * Decides what an append whose event ids are (partly) stored already means:
 * - every event is stored, in this stream, at consecutive revisions where the expected revision
 *   puts them, with the same content: a retry, answered with the original result;
 * - anything else: DuplicateEventIdError, and nothing is written.
 * `stored[i]` is the stored event with the id of `append.events[i]`, if any.
 */
export function resolveStoredIds(append: PreparedAppend, stored: Array<RecordedEvent | undefined>): AppendResult {
  const first = stored[0];
  for (let i = 0; i < append.events.length; i++) {
    const wanted = append.events[i];
    const found = stored[i];
    if (!found) {
      throw new DuplicateEventIdError(
        stored.find((s) => s)!.id,
        append.stream,
        'some events of this append are stored already and others are not',
      );
    }
    if (found.streamName !== append.stream) {
      throw new DuplicateEventIdError(wanted.id, append.stream, `it is already stored in stream "${found.streamName}"`);
    }
    if (!first || found.revision !== first.revision + i) {
      throw new DuplicateEventIdError(wanted.id, append.stream, 'it is stored at another place in the stream');
    }
    if (
      found.type !== wanted.type ||
      found.schemaVersion !== wanted.schemaVersion ||
      !jsonEqual(found.data, JSON.parse(wanted.dataJson)) ||
      !jsonEqual(found.metadata, JSON.parse(wanted.metadataJson))
    ) {
      throw new DuplicateEventIdError(wanted.id, append.stream, 'it is already stored with different content');
    }
  }
  const expected = append.expectedRevision;
  const firstRevision = first!.revision;
  const misplaced =
    (typeof expected === 'number' && firstRevision !== expected + 1) ||
    (expected === 'no_stream' && firstRevision !== 0) ||
    (expected === 'stream_exists' && firstRevision === 0);
  if (misplaced) {
    throw new DuplicateEventIdError(first!.id, append.stream, 'it is stored where the expected revision does not put it');
  }
  const last = stored[stored.length - 1]!;
  return { nextExpectedRevision: last.revision, position: last.position };
}

/** Structural equality of two JSON values (object key order does not matter, as in jsonb). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => jsonEqual(item, other[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.prototype.hasOwnProperty.call(right, key) && jsonEqual(left[key], right[key]));
}

/** True when a stored event passes a readAll / subscription filter. */
export function matchesFilter(event: { streamName: string; type: string }, filter: EventFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.categories && !filter.categories.includes(event.streamName.slice(0, event.streamName.indexOf('-')))) return false;
  if (filter.eventTypes && !filter.eventTypes.includes(event.type)) return false;
  return true;
}
