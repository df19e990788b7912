import { CommandRejection } from '@custody/contracts';
import type { EventMetadata, NewEvent } from '@custody/event-store';
import type { Decider, DomainEventOf } from './decider';
import { datedBy, handleCommand, toNewEvents, type StreamStore, type UnitOfWork } from './handle-command';
import { KeptStates } from './kept-states';
import { catchUp, type LoadedState, type StreamReader } from './load-state';
import { retryPolicy, type RetryPolicy } from './retry';

export interface BatchingOptions {
  /** Most commands decided together and appended in one write. */
  batchSize: number;
  retry?: RetryPolicy;
  /**
   * Where each batch is appended: a unit of work (e.g. a database transaction) opened per attempt,
   * in which each command's `onApplied` runs too. By default the writer, one append per batch.
   */
  unitOfWork?: UnitOfWork;
}

/** Runs in the batch's unit of work with a command's own events (what must commit with them, e.g. its answer). */
export type AppliedHook = (unit: StreamStore, events: NewEvent[]) => Promise<void>;

interface Pending<Command> {
  command: Command;
  metadata: EventMetadata;
  eventId: (index: number) => string;
  onApplied?: AppliedHook;
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
 * - The stream's state is kept in memory, and a batch is decided on it without reading the
 *   stream (docs/adr/0021-commands-decided-on-kept-state.md): the append's expected revision
 *   guards it. On a conflict (another process appended) only the events after the kept revision
 *   are read and the batch is decided again; a batch of which every command was refused on the
 *   kept state is decided again on the stream as read.
 */
export class StreamBatcher<Command, Event extends DomainEventOf, State> {
  private readonly queues = new Map<string, Array<Pending<Command>>>();
  private readonly states = new KeptStates<State>();
  private readonly retry: RetryPolicy;

  constructor(
    private readonly reader: StreamReader,
    private readonly writer: StreamStore,
    private readonly decider: Decider<Command, Event, State>,
    private readonly options: BatchingOptions,
  ) {
    this.retry = options.retry ?? retryPolicy();
  }

  /**
   * Queues a command; resolves with its events (none when nothing changed) or rejects with its
   * rejection. `onApplied` runs in the batch's unit of work when the command decided events.
   */
  execute(stream: string, command: Command, metadata: EventMetadata, eventId: (index: number) => string, onApplied?: AppliedHook): Promise<NewEvent[]> {
    return new Promise<NewEvent[]>((resolve, reject) => {
      const pending: Pending<Command> = { command, metadata, eventId, ...(onApplied ? { onApplied } : {}), resolve, reject };
      const queue = this.queues.get(stream);
      if (queue) {
        queue.push(pending);
        return;
      }
      this.queues.set(stream, [pending]);
      void this.drain(stream);
    });
  }

  /** The states kept of the streams (the last committed that this process saw). */
  get kept(): KeptStates<State> {
    return this.states;
  }

  /** The stream's current state, reading only the events after the last one seen. */
  async load(stream: string): Promise<LoadedState<State>> {
    const known = this.states.get(stream) ?? { state: this.decider.initialState(), revision: undefined };
    const loaded = await catchUp(this.reader, stream, this.decider, known);
    this.states.keep(stream, loaded);
    return loaded;
  }

  private async drain(stream: string): Promise<void> {
    const queue = this.queues.get(stream)!;
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, this.options.batchSize);
        await this.applyBatch(stream, batch).catch(async (error: unknown) => {
          // A conflict that outlasted the retries is the whole batch's: each command hears it.
          if (batch.length === 1 || error instanceof CommandRejection) return batch.forEach((p) => p.reject(error));
          // Any other failure may be one command's (e.g. its events or its answer stored meanwhile
          // by another instance), and must not be the others': each is applied again alone.
          for (const pending of batch) await this.applyBatch(stream, [pending]).catch((own: unknown) => pending.reject(own));
        });
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
    await handleCommand(this.reader, stream, batchDecider, batch, {
      metadata: batch[0].metadata,
      ...(this.options.unitOfWork ? { unitOfWork: this.options.unitOfWork } : { writer: this.writer }),
      retry: this.retry,
      kept: this.states,
      prepare: async () => ({ events: outcomes.flatMap((o) => ('events' in o ? o.events : [])) }),
      onApplied: async (unit) => {
        for (const [index, pending] of batch.entries()) {
          const outcome = outcomes[index];
          if (pending.onApplied && 'events' in outcome && outcome.events.length > 0) await pending.onApplied(unit, outcome.events);
        }
      },
    });
    batch.forEach((pending, index) => {
      const outcome = outcomes[index];
      if ('events' in outcome) pending.resolve(outcome.events);
      else pending.reject(outcome.error);
    });
  }
}
