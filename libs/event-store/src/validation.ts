import {
  DuplicateEventIdError,
  EventTooLargeError,
  InvalidEventError,
  InvalidExpectedRevisionError,
  InvalidStreamNameError,
  NonSerialisableEventError,
} from './errors';
import type { AppendOptions, ExpectedRevision, NewEvent } from './port';

/** The default limit on one event's serialised data + metadata: 1 MiB. */
export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

const MAX_STREAM_NAME_LENGTH = 256;
const CATEGORY = /^[A-Za-z][A-Za-z0-9_]*$/;
// The id part: no whitespace, no control characters.
const STREAM_ID = /^[^\s\p{Cc}]+$/u;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// JSON.stringify escapes U+0000 and lone surrogates; PostgreSQL's jsonb refuses both, and a
// lone surrogate is not text anyway. An even run of backslashes before them is an escaped
// backslash, not an escape.
const UNSTORABLE_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

/** The category of a stream: the part of its name before the first '-' (`transfer` for `transfer-7`). */
export function categoryOf(stream: string): string {
  assertStreamName(stream);
  return stream.slice(0, stream.indexOf('-'));
}

/** Throws InvalidStreamNameError unless `stream` is `<category>-<id>`. */
export function assertStreamName(stream: unknown): asserts stream is string {
  if (typeof stream !== 'string') throw new InvalidStreamNameError(stream, 'a stream name is a string');
  if (stream.length === 0) throw new InvalidStreamNameError(stream, 'it is empty');
  if (stream.length > MAX_STREAM_NAME_LENGTH) {
    throw new InvalidStreamNameError(stream, `it is longer than ${MAX_STREAM_NAME_LENGTH} characters`);
  }
  const dash = stream.indexOf('-');
  if (dash < 0) throw new InvalidStreamNameError(stream, 'it must be <category>-<id>, e.g. "inmate-42"');
  const category = stream.slice(0, dash);
  const id = stream.slice(dash + 1);
  if (!CATEGORY.test(category)) {
    throw new InvalidStreamNameError(stream, 'the category (before the first "-") must be a letter followed by letters, digits or "_"');
  }
  if (!STREAM_ID.test(id)) {
    throw new InvalidStreamNameError(stream, 'the id (after the first "-") must be non-empty, without spaces or control characters');
  }
}

/** Throws InvalidStreamNameError unless `category` could be the category of a stream. */
export function assertCategory(category: unknown): asserts category is string {
  if (typeof category !== 'string' || !CATEGORY.test(category)) {
    throw new InvalidStreamNameError(category, 'a category is a letter followed by letters, digits or "_"');
  }
}

/**
 * The expected revision, checked; -1 means the same as 'no_stream'.
 * Throws InvalidExpectedRevisionError for anything else.
 */
export function normaliseExpectedRevision(expected: unknown): ExpectedRevision {
  if (expected === undefined) return 'any';
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return expected;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= -1) {
    return expected === -1 ? 'no_stream' : expected;
  }
  throw new InvalidExpectedRevisionError(expected);
}

/** An event checked and serialised, ready to store. */
export interface PreparedEvent {
  /** The UUID in lower case, as PostgreSQL and KurrentDB hand it back. */
  id: string;
  type: string;
  schemaVersion: number;
  dataJson: string;
  metadataJson: string;
}

/** An append checked in full before anything is written. */
export interface PreparedAppend {
  stream: string;
  category: string;
  expectedRevision: ExpectedRevision;
  events: PreparedEvent[];
}

/**
 * Checks an append's stream name, expected revision and every event (shape, JSON-serialisability,
 * size, duplicate ids within the batch), and serialises the events. Throws a typed error on the
 * first problem, so that nothing is written.
 */
export function prepareAppend(
  stream: unknown,
  events: unknown,
  options: AppendOptions | undefined,
  maxEventBytes: number,
): PreparedAppend {
  assertStreamName(stream);
  const expectedRevision = normaliseExpectedRevision(options?.expectedRevision);
  if (!Array.isArray(events)) throw new InvalidEventError(undefined, 'events must be an array');
  const seen = new Set<string>();
  const prepared = events.map((event: unknown) => {
    const checked = prepareEvent(event, maxEventBytes);
    if (seen.has(checked.id)) throw new DuplicateEventIdError(checked.id, stream, 'it appears twice in one append');
    seen.add(checked.id);
    return checked;
  });
  return { stream, category: stream.slice(0, stream.indexOf('-')), expectedRevision, events: prepared };
}

function prepareEvent(candidate: unknown, maxEventBytes: number): PreparedEvent {
  if (typeof candidate !== 'object' || candidate === null) throw new InvalidEventError(candidate, 'an event is an object');
  const event = candidate as Partial<NewEvent>;
  if (typeof event.id !== 'string' || !UUID.test(event.id)) throw new InvalidEventError(event.id, 'its id must be a UUID');
  const id = event.id.toLowerCase();
  if (typeof event.type !== 'string' || event.type.length === 0 || event.type.length > 200) {
    throw new InvalidEventError(id, 'its type must be a non-empty string of at most 200 characters');
  }
  if (typeof event.schemaVersion !== 'number' || !Number.isSafeInteger(event.schemaVersion) || event.schemaVersion < 1) {
    throw new InvalidEventError(id, 'its schemaVersion must be a positive integer');
  }
  if (typeof event.metadata !== 'object' || event.metadata === null || Array.isArray(event.metadata)) {
    throw new InvalidEventError(id, 'its metadata must be an object');
  }
  if (event.data === undefined) throw new NonSerialisableEventError(id, 'its data is undefined');
  const dataJson = toJson(id, 'data', event.data);
  const metadataJson = toJson(id, 'metadata', event.metadata);
  const size = Buffer.byteLength(dataJson) + Buffer.byteLength(metadataJson);
  if (size > maxEventBytes) throw new EventTooLargeError(id, size, maxEventBytes);
  return { id, type: event.type, schemaVersion: event.schemaVersion, dataJson, metadataJson };
}

function toJson(id: string, part: 'data' | 'metadata', value: unknown): string {
  let json: string;
  try {
    json = JSON.stringify(value, strictValue);
  } catch (error) {
    if (error instanceof Refusal) throw new NonSerialisableEventError(id, `its ${part} ${error.message}`);
    const reason = error instanceof Error && /circular/i.test(error.message) ? 'contains a circular reference' : String(error);
    throw new NonSerialisableEventError(id, `its ${part} ${reason}`);
  }
  if (UNSTORABLE_ESCAPE.test(json)) {
    throw new NonSerialisableEventError(id, `its ${part} contains a NUL character or a lone surrogate`);
  }
  return json;
}

/** A JSON.stringify replacer that refuses what JSON would silently drop or change. */
function strictValue(key: string, value: unknown): unknown {
  switch (typeof value) {
    case 'bigint':
      throw new Refusal(`holds a BigInt${at(key)}`);
    case 'function':
    case 'symbol':
      throw new Refusal(`holds a ${typeof value}${at(key)}`);
    case 'number':
      if (!Number.isFinite(value)) throw new Refusal(`holds ${value}${at(key)}`);
      return value;
    default:
      return value;
  }
}

// Where a refused value sits, built only for the error: the replacer runs for every value.
function at(key: string): string {
  return key === '' ? '' : ` at "${key}"`;
}

/** Internal: why the replacer refused a value; becomes a NonSerialisableEventError. */
class Refusal extends Error {}
