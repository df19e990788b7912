import type { NewEvent, ReadStreamOptions, RecordedEvent } from '@custody/event-store';
import type { Decider, DomainEventOf } from './decider';
import { upcast } from './upcast';

/** What the handler reads of a store. */
export interface StreamReader {
  readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
}

/** A state and the revision of the last event folded into it (undefined: the stream does not exist). */
export interface LoadedState<State> {
  state: State;
  revision: number | undefined;
}

/**
 * Folds the events of a stream after `from`'s revision onto `from`'s state (the whole stream
 * when `from` is absent). Each event is lifted to the catalogue's current version first.
 */
export async function catchUp<Event extends DomainEventOf, State>(
  reader: StreamReader,
  stream: string,
  decider: Pick<Decider<unknown, Event, State>, 'evolve'>,
  from: LoadedState<State>,
): Promise<LoadedState<State>> {
  let { state, revision } = from;
  const events = reader.readStream(stream, revision === undefined ? undefined : { from: revision + 1 });
  for await (const recorded of events) {
    state = foldOne(decider, state, recorded);
    revision = recorded.revision;
  }
  return { state, revision };
}

/**
 * Folds events just appended onto the state they were decided on, as a read of the stream would
 * give them back: their data as stored (JSON), lifted and dated as {@link catchUp} does.
 * `revision` is the stream's revision after them.
 */
export function foldStored<Event extends DomainEventOf, State>(
  decider: Pick<Decider<unknown, Event, State>, 'evolve'>,
  from: State,
  events: readonly NewEvent[],
  revision: number,
): LoadedState<State> {
  let state = from;
  for (const event of events) state = foldOne(decider, state, { ...event, data: JSON.parse(JSON.stringify(event.data)) as unknown });
  return { state, revision };
}

function foldOne<Event extends DomainEventOf, State>(
  decider: Pick<Decider<unknown, Event, State>, 'evolve'>,
  state: State,
  stored: Pick<RecordedEvent, 'type' | 'data' | 'schemaVersion' | 'metadata'>,
): State {
  const event = upcast({ type: stored.type, data: stored.data, schemaVersion: stored.schemaVersion, occurredAt: stored.metadata.occurredAt });
  return decider.evolve(state, event as Event);
}

/** Rebuilds a state by folding a whole stream; returns it with the revision it was built at. */
export function loadState<Event extends DomainEventOf, State>(
  reader: StreamReader,
  stream: string,
  decider: Pick<Decider<unknown, Event, State>, 'initialState' | 'evolve'>,
): Promise<LoadedState<State>> {
  return catchUp(reader, stream, decider, { state: decider.initialState(), revision: undefined });
}
