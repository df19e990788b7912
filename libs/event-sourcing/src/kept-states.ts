import type { LoadedState } from './load-state';

/** Raised when kept states are given a capacity that makes no sense. */
export class InvalidKeptStatesError extends Error {
  readonly code = 'INVALID_KEPT_STATES';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidKeptStatesError';
  }
}

/**
 * The states of streams as this process last saw them committed, so that a command is decided
 * without reading its stream first (docs/adr/0021-commands-decided-on-kept-state.md).
 *
 * - A state is kept only once what made it has committed, and only if it is newer than the one
 *   held: two commands of one stream that commit out of order leave the later revision.
 * - A kept state may be stale (another instance, or a transaction still open, appended since):
 *   the handler's append with the kept revision is what guards the decision, and a rejection or
 *   a decision of nothing taken on kept state is taken again on the stream as read.
 * - The least recently used stream is forgotten first beyond `capacity`.
 */
export class KeptStates<State> {
  private readonly states = new Map<string, LoadedState<State>>();

  constructor(readonly capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new InvalidKeptStatesError(`capacity must be a positive integer, got ${capacity}`);
  }

  /** The state kept for `stream`, if any (it becomes the most recently used). */
  get(stream: string): LoadedState<State> | undefined {
    const kept = this.states.get(stream);
    if (kept) {
      this.states.delete(stream);
      this.states.set(stream, kept);
    }
    return kept;
  }

  /** Keeps a committed state of `stream`, unless the one held is as new or newer; a stream that does not exist is not kept. */
  keep(stream: string, loaded: LoadedState<State>): void {
    if (loaded.revision === undefined) return;
    const held = this.states.get(stream);
    if (held?.revision !== undefined && held.revision >= loaded.revision) return;
    this.states.delete(stream);
    this.states.set(stream, loaded);
    if (this.states.size > this.capacity) this.states.delete(this.states.keys().next().value as string);
  }

  /** Forgets what is kept of `stream`. */
  forget(stream: string): void {
    this.states.delete(stream);
  }

  get size(): number {
    return this.states.size;
  }
}
