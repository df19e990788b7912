import { CommandRejection, type RejectionCode } from '@custody/contracts';
import type { Decider, DomainEventOf } from './decider';
import { upcast } from './upcast';

/** What a rejection must show: its details (a subset), the paths of its failing fields, its message. */
export interface ExpectedRejection {
  details?: Record<string, unknown>;
  paths?: string[];
  message?: RegExp | string;
}

/** An expected event for {@link When.thenMatches}: its type, and a subset of its data. */
export interface EventLike {
  type: string;
  data?: object;
}

export interface When<Event> {
  /** The decided events equal these exactly (types, versions, data). */
  then(expected: Event[]): Event[];
  /** The decided events have these types in this order, and each one's data contains the expected data. */
  thenMatches(expected: EventLike[]): Event[];
  /** The command is accepted and decides nothing. */
  thenNothing(): void;
  /** The command is refused with this code (and, when given, these details, failing fields and message). */
  thenRejects(code: RejectionCode, expected?: ExpectedRejection): CommandRejection;
  /** The decided events, for assertions on parts of them. */
  events(): Event[];
}

export interface Given<Command, State, Event> {
  /** The state the history folds into. */
  state: State;
  when(command: Command): When<Event>;
}

/**
 * Decider specifications a lawyer can read, the same for every service:
 *
 *     const given = specify(facilityDecider);
 *     given([registered, reserved]).when(release).then([released]);
 *     given([registered]).when(reserveBeyondCapacity).thenRejects('CAPACITY_EXHAUSTED');
 *
 * The history is folded as the write path folds a stream: each event lifted to the catalogue's
 * current version by the contracts' upcasters before `evolve`.
 */
export function specify<Command, Event extends DomainEventOf, State>(decider: Decider<Command, Event, State>) {
  return function given(history: readonly Event[] = []): Given<Command, State, Event> {
    const state = history.reduce((s, event) => decider.evolve(s, upcast(event)), decider.initialState());
    return {
      state,
      when(command: Command): When<Event> {
        const run = () => decider.decide(command, state);
        return {
          then(expected) {
            const events = run();
            expect(events).toEqual(expected);
            return events;
          },
          thenMatches(expected) {
            const events = run();
            expect(events.map((e) => e.type)).toEqual(expected.map((e) => e.type));
            expected.forEach((e, i) => {
              if (e.data) expect(events[i].data).toMatchObject(e.data);
            });
            return events;
          },
          thenNothing() {
            expect(run()).toEqual([]);
          },
          thenRejects(code, expected = {}) {
            let caught: unknown;
            try {
              run();
            } catch (error) {
              caught = error;
            }
            expect(caught).toBeInstanceOf(CommandRejection);
            const rejection = caught as CommandRejection;
            expect(rejection.code).toBe(code);
            if (expected.details) expect(rejection.details).toMatchObject(expected.details);
            if (expected.paths) expect(rejection.errors.map((e) => e.path)).toEqual(expected.paths);
            if (expected.message !== undefined) expect(rejection.message).toMatch(expected.message);
            return rejection;
          },
          events: run,
        };
      },
    };
  };
}
