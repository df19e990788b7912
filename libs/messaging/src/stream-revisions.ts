import { streamPositionOf, type StreamPosition } from '@custody/contracts';
import type { ReadStreamOptions, RecordedEvent } from '@custody/event-store';
import type { IHeaders } from 'kafkajs';

/** What the relay's side reads of the store: a stream, backwards from a revision. */
export interface StreamReader {
  readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
}

/** What is known of a stream from the last of its events the relay routed. */
interface Known {
  revision: number;
  /** Whether that event's type is one the contract publishes (sent, or refused by the contract). */
  published: boolean;
  /** The revision of the stream's published event before it (-1: none); undefined when unknown. */
  previous: number | undefined;
}

/** How many reads of the store run at once when a batch needs several. */
const LOOKUP_CONCURRENCY = 8;
/** Events read per step when looking back through a stream: the event just before first (usually published), then pages. */
const LOOKBACK_PAGES = [1, 16];

/**
 * The relay's side of completeness (docs/adr/0011-stream-revisions-on-the-wire.md): for each event
 * it publishes, the revision of the stream's previous event of a type the contract publishes, so
 * that a reader can tell a skipped revision from one of the service's internal events (e.g.
 * custody's SentenceToServeNoted), which never leave it.
 *
 * The relay reads the global log in order, and each stream's events in revision order within it:
 * for a stream whose event just before was routed in this process, the answer follows from what it
 * remembers (no read). For the others (the first event of a stream after the relay started, or one
 * it no longer remembers) `prepare` looks back through the stream in the store before the batch is
 * encoded: usually the one event before, read once per stream and process. An event the contract refuses
 * (relay_rejected) counts as published: the readers see it missing, as it is.
 */
export class PublishedRevisions {
  private readonly known = new Map<string, Known>();
  /** Answers of the store for events `prepare` found no memory for, by stream and revision; taken by positionOf. */
  private readonly lookedUp = new Map<string, number>();

  constructor(
    /** Whether the contract publishes events of this type. */
    private readonly isPublished: (type: string) => boolean,
    /** The store, to look back through a stream; without it an event whose stream the relay does not remember goes out with its previous revision unknown. */
    private readonly reader?: StreamReader,
    /** Streams remembered at most (the least recently routed are forgotten first). */
    private readonly capacity = 100_000,
  ) {}

  /** Before a batch is routed: looks back in the store for the streams whose previous event is not remembered. */
  async prepare(batch: readonly RecordedEvent[]): Promise<void> {
    if (!this.reader) return;
    const seen = new Map<string, Known>();
    const wanted: RecordedEvent[] = [];
    for (const event of batch) {
      const before = seen.get(event.streamName) ?? this.known.get(event.streamName);
      let previous = follow(before, event.revision);
      if (previous === undefined && !this.lookedUp.has(keyOf(event))) {
        wanted.push(event);
        previous = -2; // to be looked up: known by the time the batch is routed
      }
      seen.set(event.streamName, { revision: event.revision, published: this.isPublished(event.type), previous });
    }
    let next = 0;
    const worker = async () => {
      while (next < wanted.length) {
        const event = wanted[next++];
        const previous = await this.previousPublished(event.streamName, event.revision);
        if (previous !== undefined) this.lookedUp.set(keyOf(event), previous);
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, wanted.length) }, worker));
  }

  /** Where an event lies in its stream, for its headers; called for every event the relay reads, in order (published or not). */
  positionOf(event: Pick<RecordedEvent, 'streamName' | 'revision' | 'type'>): StreamPosition {
    let previous = follow(this.known.get(event.streamName), event.revision);
    if (this.lookedUp.size > 0) {
      const key = keyOf(event);
      previous ??= this.lookedUp.get(key);
      this.lookedUp.delete(key);
    }
    this.remember(event.streamName, { revision: event.revision, published: this.isPublished(event.type), previous });
    return previous === undefined ? { name: event.streamName, revision: event.revision } : { name: event.streamName, revision: event.revision, previous };
  }

  private remember(stream: string, known: Known): void {
    this.known.delete(stream);
    this.known.set(stream, known);
    if (this.known.size > this.capacity) this.known.delete(this.known.keys().next().value!);
    // Answers never taken (a batch that failed before it was routed) are not kept for ever.
    if (this.lookedUp.size > this.capacity) this.lookedUp.clear();
  }

  /** The revision of the last event before `revision` whose type the contract publishes: -1 if none; undefined if the stream does not say. */
  private async previousPublished(stream: string, revision: number): Promise<number | undefined> {
    let from = revision - 1;
    for (let step = 0; from >= 0; step++) {
      const page = LOOKBACK_PAGES[Math.min(step, LOOKBACK_PAGES.length - 1)];
      let read = 0;
      for await (const event of this.reader!.readStream(stream, { from, direction: 'backwards', maxCount: page })) {
        read++;
        if (this.isPublished(event.type)) return event.revision;
        from = event.revision - 1;
      }
      if (read === 0) return undefined;
      if (read < page) return from < 0 ? -1 : undefined;
    }
    return -1;
  }
}

/** The previous published revision of event `revision`, from what is known of the stream's event before it; undefined when unknown. */
function follow(before: Known | undefined, revision: number): number | undefined {
  if (revision === 0) return -1;
  if (!before) return undefined;
  if (before.revision === revision - 1) return before.published ? revision - 1 : before.previous;
  // The same event read again (a new term starts from the checkpoint): the same answer.
  if (before.revision === revision) return before.previous;
  return undefined;
}

const keyOf = (event: Pick<RecordedEvent, 'streamName' | 'revision'>) => `${event.revision} ${event.streamName}`;

/** A revision a consumer saw skipped: the stream went from `lastSeen` to `revision`, and `missing` (at least) never came. */
export interface RevisionGap {
  /** The stream's publisher (ce_source) and name (ce_stream). */
  source: string;
  stream: string;
  /** The last revision seen of the stream before. */
  lastSeen: number;
  /** The revision that arrived. */
  revision: number;
  /** The revision of the stream's previous published event, which never arrived (others between it and lastSeen may be missing too). */
  missing: number;
}

/**
 * A consumer's watch for skipped revisions (docs/architecture.md, "Completeness"): per partition,
 * the last revision seen of each stream, in memory. A revision at or below it is a redelivery
 * (at-least-once) and no gap; an event whose previous published revision lies beyond it is one.
 * Cheap by design, and forgetful: after a start or a rebalance the first event of each stream
 * only sets the baseline, and a stream's events are assumed to share one key (one partition), as
 * the contract keys them. The durable check is the audit ledger's, computed from its own rows.
 */
export class RevisionWatch {
  private readonly lastSeen = new Map<string, number>();

  constructor(private readonly capacity = 200_000) {}

  /** An arriving message: its gap, if it reveals one. `partition` is `<topic>/<partition>`. */
  observe(partition: string, headers: IHeaders): RevisionGap | undefined {
    const position = streamPositionOf(headers);
    const source = headerText(headers, 'ce_source');
    if (!position || !source) return undefined;
    const key = `${partition}\u0000${source}\u0000${position.name}`;
    const last = this.lastSeen.get(key);
    if (last !== undefined && position.revision <= last) return undefined;
    this.lastSeen.delete(key);
    this.lastSeen.set(key, position.revision);
    if (this.lastSeen.size > this.capacity) this.lastSeen.delete(this.lastSeen.keys().next().value!);
    if (last === undefined || position.previous === undefined || position.previous <= last) return undefined;
    return { source, stream: position.name, lastSeen: last, revision: position.revision, missing: position.previous };
  }

  /** Forgets everything (the partitions this member reads changed): the next event of each stream sets a new baseline. */
  forget(): void {
    this.lastSeen.clear();
  }
}

function headerText(headers: IHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
}
