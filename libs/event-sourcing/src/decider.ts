/** An event as a decider sees it: a type and its data (the store adds the rest). */
export interface DomainEventOf<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
  /** The schema version written; 1 when absent. Events read back are at the catalogue's current version. */
  schemaVersion?: number;
  /** When it happened (the metadata's `occurredAt`), for events read back from a stream; absent on events just decided. */
  occurredAt?: string;
}

/**
 * The law in pure functions: `decide` returns the events a command causes, or throws a
 * CommandRejection (`reject('CODE')` from the contracts); `evolve` folds an event into the state.
 * No I/O, no clock, no random ids.
 */
export interface Decider<Command, Event extends DomainEventOf, State> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Event[];
}
