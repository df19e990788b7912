import { median, percentile } from './report';

/** Where a message came from and when, as the benchmark's client saw it. */
interface Seen {
  topic: string;
  /** Wall-clock milliseconds: when the client's read_committed fetch handed it over. */
  seenAt: number;
}

/** The parts of one hop, in milliseconds, each a list of samples. */
export interface HopSamples {
  /** The event recorded in its service's store (ce_recordedtime) → produced by the relay (the record's timestamp). */
  relay: Map<string, number[]>;
  /** Produced → handed to a read_committed consumer (the client's): the transaction's commit and the fetch. */
  delivery: Map<string, number[]>;
  /**
   * A message seen on one topic → the event it caused recorded by the next service (its
   * ce_causationid names the message): that service's consumer, handler and append.
   */
  reaction: Map<string, number[]>;
}

/**
 * The per-hop latency budget of the pipeline (append → relay → broker → consumer → effect), from
 * the timestamps the events carry, all taken on one machine's clock: each service's store's
 * recorded time, the relay's produce time on the Kafka record, and when the client's own
 * read_committed consumer got the message, which stands for any consumer's first chance to.
 */
export class HopRecorder {
  private readonly seen = new Map<string, Seen>();
  private samples: HopSamples = fresh();

  /** One message of an events topic, as the client's consumer handed it over at `seenAt` (Date.now()). */
  record(topic: string, headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined, timestamp: string, seenAt: number): void {
    const header = (name: string) => {
      const value = headers?.[name];
      return value === undefined ? undefined : (Array.isArray(value) ? value[0] : value).toString();
    };
    const id = header('ce_id');
    const recordedAt = Date.parse(header('ce_recordedtime') ?? '');
    const producedAt = Number(timestamp);
    if (!id || Number.isNaN(recordedAt) || !Number.isFinite(producedAt)) return;
    push(this.samples.relay, topic, producedAt - recordedAt);
    push(this.samples.delivery, topic, seenAt - producedAt);
    const cause = this.seen.get(header('ce_causationid') ?? '');
    if (cause && cause.topic !== topic) push(this.samples.reaction, `${cause.topic} → ${topic}`, recordedAt - cause.seenAt);
    this.seen.set(id, { topic, seenAt });
    if (this.seen.size > 200_000) this.seen.delete(this.seen.keys().next().value!);
  }

  /** The samples since the last call (a step's), and a fresh start. */
  take(): HopSamples {
    const taken = this.samples;
    this.samples = fresh();
    return taken;
  }
}

function fresh(): HopSamples {
  return { relay: new Map(), delivery: new Map(), reaction: new Map() };
}

function push(into: Map<string, number[]>, key: string, ms: number): void {
  const list = into.get(key) ?? [];
  into.set(key, list);
  list.push(ms);
}

/** p50 and p99 of each part, by topic or by topic pair. */
export function summarise(samples: HopSamples): Array<{ part: keyof HopSamples; key: string; p50: number; p99: number; count: number }> {
  const out: Array<{ part: keyof HopSamples; key: string; p50: number; p99: number; count: number }> = [];
  for (const part of ['relay', 'delivery', 'reaction'] as const) {
    for (const [key, list] of [...samples[part].entries()].sort(([a], [b]) => a.localeCompare(b))) {
      out.push({ part, key, p50: median(list), p99: percentile(list, 99), count: list.length });
    }
  }
  return out;
}
