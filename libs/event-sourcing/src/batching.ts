import type { EventMetadata, NewEvent } from '@custody/event-store';
import type { Decider, DomainEventOf } from './decider';
import { datedBy, handleCommand, toNewEvents, type StreamStore } from './handle-command';
import { catchUp, type LoadedState, type StreamReader } from './load-state';
import { retryPolicy, type RetryPolicy } from './retry';

export interface BatchingOptions {
  /** Most commands decided together and appended in one write. */
  batchSize: number;
  retry?: RetryPolicy;
}

interface Pending<Command> {
  command: Command;
  metadata: EventMetadata;
  eventId: (index: number) => string;
  resolve: (events: NewEvent[]) => void;
  reject: (error: unknown) => void;
}

/**
 * The write path for a hot stream (e.g. a facility that hundreds of transfers reserve places in
 * at once): the handler's load → decide → append with the expected revision, with two additions.
 *
 * - Group commit: within one process, commands for the same stream queue up and are decided
 *   together, in order, against the same state, and appended in one write; each command gets its
 *   own events or its own rejection. 250 simultaneous reservations make a handful of appends
 *   instead of 250 racing ones.
 * - The stream's state is kept in memory and only the events after its revision are read, at
 *   each batch as on a conflict (another process appended): the batch is then decided again as
 *   the retry policy says.
 */
export class StreamBatcher<Command, Event extends DomainEventOf, State> {
  private readonly queues = new Map<string, Array<Pending<Command>>>();
  private readonly states = new Map<string, LoadedState<State>>();
  private readonly retry: RetryPolicy;

  constructor(
    private readonly reader: StreamReader,
    private readonly writer: StreamStore,
    private readonly decider: Decider<Command, Event, State>,
    private readonly options: BatchingOptions,
  ) {
    this.retry = options.retry ?? retryPolicy();
  }

  /** Queues a command; resolves with its events (none when nothing changed) or rejects with its rejection. */
  execute(stream: string, command: Command, metadata: EventMetadata, eventId: (index: number) => string): Promise<NewEvent[]> {
    return new Promise<NewEvent[]>((resolve, reject) => {
      const pending = { command, metadata, eventId, resolve, reject };
      const queue = this.queues.get(stream);
      if (queue) {
        queue.push(pending);
        return;
      }
      this.queues.set(stream, [pending]);
      void this.drain(stream);
    });
  }

  /** The state last seen of the stream, without reading (undefined when never read). */
  known(stream: string): LoadedState<State> | undefined {
    return this.states.get(stream);
  }

  /** The stream's current state, reading only the events after the last one seen. */
  async load(stream: string): Promise<LoadedState<State>> {
    const known = this.states.get(stream) ?? { state: this.decider.initialState(), revision: undefined };
    const loaded = await catchUp(this.reader, stream, this.decider, known);
    this.states.set(stream, loaded);
    return loaded;
  }

  private async drain(stream: string): Promise<void> {
    const queue = this.queues.get(stream)!;
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, this.options.batchSize);
        await this.applyBatch(stream, batch).catch((error: unknown) => batch.forEach((p) => p.reject(error)));
      }
    } finally {
      this.queues.delete(stream);
    }
  }

  /**
   * One append for the batch through {@link handleCommand}: its decider decides each command in
   * turn on the state the previous ones left, keeping each one's events or rejection; the events
   * carry each command's own ids and metadata.
   */
  private async applyBatch(stream: string, batch: Array<Pending<Command>>): Promise<void> {
    let outcomes: Array<{ events: NewEvent[] } | { error: unknown }> = [];
    const decider = this.decider;
    const batchDecider: Decider<Array<Pending<Command>>, Event, State> = {
      initialState: () => decider.initialState(),
      evolve: (state, event) => decider.evolve(state, event),
      decide: (pendings, state) => {
        outcomes = [];
        const all: Event[] = [];
        let current = state;
        for (const pending of pendings) {
          try {
            const decided = decider.decide(pending.command, current).map((e) => datedBy(e, pending.metadata));
            current = decided.reduce((s, e) => decider.evolve(s, e), current);
            all.push(...decided);
            outcomes.push({ events: toNewEvents(decided, pending.metadata, pending.eventId) });
          } catch (error) {
            outcomes.push({ error });
          }
        }
        return all;
      },
    };
    const known = this.states.get(stream);
    const handled = await handleCommand(this.reader, stream, batchDecider, batch, {
      metadata: batch[0].metadata,
      writer: this.writer,
      retry: this.retry,
      ...(known ? { known } : {}),
      prepare: async () => ({ events: outcomes.flatMap((o) => ('events' in o ? o.events : [])) }),
    });
    this.states.set(stream, { state: handled.state, revision: handled.revision });
    batch.forEach((pending, index) => {
      const outcome = outcomes[index];
      if ('events' in outcome) pending.resolve(outcome.events);
      else pending.reject(outcome.error);
    });
  }
}
