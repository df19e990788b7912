import type { LedgerEvent } from '../ledger/entry';
import { type CheckedEvent, learntAt, type Verdicts } from './violation';

/** A revision a recorded stream lacks: a later event of the stream that reached the ledger names it as its previous published one. */
export interface MissingEvent {
  /** The stream's publisher (ce_source) and name (ce_stream). */
  source: string;
  stream: string;
  /** The revision that never reached the ledger. */
  revision: number;
  /** The event that names it as its stream's previous published event. */
  followedBy: { revision: number; eventId: string };
  /** Whose record the stream is: `inmate/<id>` or `facility/<id>`. */
  subject: string;
}

/** What a set of events says of the completeness of their streams. */
export interface StreamsCompleteness {
  /** Streams whose events carry revisions. */
  streams: number;
  /** Events that carry no revision (published before revisions were): their place is unknown, never a gap. */
  unrevisioned: number;
  /** The revisions missing, by stream and revision. */
  missing: MissingEvent[];
}

/** What the completeness of a history is computed from: an event of the ledger. */
export type RevisionedEvent = Pick<LedgerEvent, 'id' | 'subject' | 'source' | 'stream' | 'streamRevision' | 'streamPrevious'>;

/**
 * The revisions missing from the streams of these events (docs/architecture.md, "Completeness"):
 * each event names the revision of its stream's previous published event; one that none of
 * the events has is missing. The order of the events does not matter, and a redelivered event
 * (the same revision twice) changes nothing. Revisions in between belong to the publisher's
 * internal events and are not asked for. An event that carries no revision is unknown, never a
 * gap: where a subject has such events from the same publisher (published before revisions were),
 * the revision named by the first revisioned event of a stream may be one of them, and is not
 * reported.
 */
export function missingEvents(events: readonly RevisionedEvent[]): StreamsCompleteness {
  const streams = new Map<string, { source: string; stream: string; revisions: Set<number>; first: number; events: RevisionedEvent[] }>();
  const legacy = new Set<string>();
  let unrevisioned = 0;
  for (const event of events) {
    const source = event.source ?? '';
    if (event.stream === undefined || event.streamRevision === undefined) {
      unrevisioned++;
      legacy.add(`${event.subject}\u0000${source}`);
      continue;
    }
    const key = `${source}\u0000${event.stream}`;
    let stream = streams.get(key);
    if (!stream) streams.set(key, (stream = { source, stream: event.stream, revisions: new Set(), first: event.streamRevision, events: [] }));
    stream.revisions.add(event.streamRevision);
    stream.first = Math.min(stream.first, event.streamRevision);
    stream.events.push(event);
  }
  const missing: MissingEvent[] = [];
  for (const stream of streams.values()) {
    const named = new Map<number, RevisionedEvent>();
    for (const event of stream.events) {
      const previous = event.streamPrevious;
      if (previous === undefined || previous < 0 || stream.revisions.has(previous)) continue;
      if (previous < stream.first && legacy.has(`${event.subject}\u0000${stream.source}`)) continue;
      const known = named.get(previous);
      if (!known || event.streamRevision! < known.streamRevision!) named.set(previous, event);
    }
    for (const [revision, event] of named) {
      missing.push({ source: stream.source, stream: stream.stream, revision, followedBy: { revision: event.streamRevision!, eventId: event.id }, subject: event.subject });
    }
  }
  missing.sort((a, b) => a.subject.localeCompare(b.subject) || a.source.localeCompare(b.source) || a.stream.localeCompare(b.stream) || a.revision - b.revision);
  return { streams: streams.size, unrevisioned, missing };
}

/**
 * history-complete, of a person (`inmate/<id>`) or a facility (`facility/<id>`): no revision
 * missing from the streams whose events have the subject as theirs (a facility's events that
 * name a person belong to the facility's streams, checked there). A missing revision is an
 * EVENT_MISSING finding once it has been missing longer than the grace period from when the
 * ledger learnt of the event that names it: a message still in flight (another partition, a
 * consumer catching up) settles it before.
 */
export function checkHistoryComplete(subject: string, events: readonly CheckedEvent[], verdicts: Verdicts): void {
  const own = events.filter((event) => event.subject === subject);
  const byId = new Map(own.map((event) => [event.id, event]));
  const id = subject.slice(subject.indexOf('/') + 1);
  for (const gap of missingEvents(own).missing) {
    const learnt = learntAt(byId.get(gap.followedBy.eventId)!);
    verdicts.add(
      {
        key: `history-complete:${gap.source}:${gap.stream}:${gap.revision}`,
        invariant: 'history-complete',
        subject,
        ...(subject.startsWith('inmate/') ? { inmateId: id } : { facilityId: id }),
        description:
          `EVENT_MISSING: revision ${gap.revision} of stream ${gap.stream} (${gap.source}) never reached the ledger; ` +
          `revision ${gap.followedBy.revision} (event ${gap.followedBy.eventId}) names it as the stream's previous published event.`,
        evidenceEventIds: [gap.followedBy.eventId],
        since: learnt,
      },
      learnt,
    );
  }
}
