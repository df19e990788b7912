import type { FieldProblem } from '../rejections/errors';
import { EXTENSIONS, type KafkaMessageLike, type StreamPosition } from './envelope';

const NAME = `ce_${EXTENSIONS.stream}`;
const REVISION = `ce_${EXTENSIONS.streamRevision}`;
const PREVIOUS = `ce_${EXTENSIONS.streamPrevious}`;

/** A revision as the headers write it: a whole number from 0 (at most 15 digits, exact as a JS number). */
const REVISION_TEXT = /^(0|[1-9]\d{0,14})$/;
/** A stream name as the headers carry it: printable, no spaces, at most 200 characters. */
const NAME_TEXT = /^[\x21-\x7e]{1,200}$/;

/** The headers that say where an event lies in its stream (docs/adr/0011-stream-revisions-on-the-wire.md). */
export function streamHeaders(position: StreamPosition): Record<string, string> {
  const headers: Record<string, string> = { [NAME]: position.name, [REVISION]: String(position.revision) };
  if (position.previous !== undefined) headers[PREVIOUS] = String(position.previous);
  return headers;
}

/**
 * The stream position the headers (names in lower case, values as text) carry: undefined when
 * they carry none (a message published before revisions were, or by a publisher without a store),
 * and problems when they carry one the contract does not allow: `ce_stream` and
 * `ce_streamrevision` come together; `ce_streamprevious` is -1 or a revision below the event's.
 */
export function readStreamPosition(headers: Record<string, string | undefined>): { position?: StreamPosition; problems: FieldProblem[] } {
  const name = headers[NAME];
  const revision = headers[REVISION];
  const previous = headers[PREVIOUS];
  if (name === undefined && revision === undefined && previous === undefined) return { problems: [] };
  const problems: FieldProblem[] = [];
  if (name === undefined) problems.push({ path: `headers.${NAME}`, problem: `the header is required with ${REVISION}` });
  else if (!NAME_TEXT.test(name)) problems.push({ path: `headers.${NAME}`, problem: 'must be 1 to 200 printable characters without spaces' });
  if (revision === undefined) problems.push({ path: `headers.${REVISION}`, problem: `the header is required with ${NAME}` });
  else if (!REVISION_TEXT.test(revision)) problems.push({ path: `headers.${REVISION}`, problem: 'must be a whole number from 0' });
  if (previous !== undefined) {
    if (previous !== '-1' && !REVISION_TEXT.test(previous)) {
      problems.push({ path: `headers.${PREVIOUS}`, problem: 'must be -1 or a whole number from 0' });
    } else if (revision !== undefined && REVISION_TEXT.test(revision) && Number(previous) >= Number(revision)) {
      problems.push({ path: `headers.${PREVIOUS}`, problem: `must be below ${REVISION} (${revision})` });
    }
  }
  if (problems.length > 0) return { problems };
  const position: StreamPosition = { name: name!, revision: Number(revision) };
  if (previous !== undefined) position.previous = Number(previous);
  return { position, problems };
}

/**
 * The stream position of a message as it came off a topic (headers as kafkajs gives them), or
 * undefined when it carries none or one the contract does not allow. For readers that look at
 * every message before, or without, decoding it (a consumer watching for skipped revisions).
 */
export function streamPositionOf(raw: KafkaMessageLike['headers']): StreamPosition | undefined {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw ?? {})) {
    const name = key.toLowerCase();
    if (name !== NAME && name !== REVISION && name !== PREVIOUS) continue;
    const first = Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
    if (first === undefined) return undefined;
    headers[name] = Buffer.isBuffer(first) ? first.toString('utf8') : first;
  }
  return readStreamPosition(headers).position;
}
