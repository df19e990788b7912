import { CommandRejection, type RejectionCode } from '@custody/contracts';

/** The pure part of a decider, as its specifications see it. */
interface SpecifiedDecider<Command, Event, State> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Event[];
}

/**
 * Decider specifications a lawyer can read:
 *   given([registered, reserved]).when(release).then([released]);
 *   given([registered]).when(reserveBeyondCapacity).thenRejects('CAPACITY_EXHAUSTED');
 */
export function specify<Command, Event, State>(decider: SpecifiedDecider<Command, Event, State>) {
  return function given(history: Event[]) {
    const state = history.reduce(decider.evolve, decider.initialState());
    return {
      state,
      when(command: Command) {
        const run = () => decider.decide(command, state);
        return {
          then(expected: Event[]): Event[] {
            const events = run();
            expect(events).toEqual(expected);
            return events;
          },
          /** The events, for assertions on parts of them. */
          events: (): Event[] => run(),
          thenRejects(code: RejectionCode, details?: Record<string, unknown>): CommandRejection {
            let rejection: unknown;
            try {
              run();
            } catch (error) {
              rejection = error;
            }
            expect(rejection).toBeInstanceOf(CommandRejection);
            expect((rejection as CommandRejection).code).toBe(code);
            if (details) expect((rejection as CommandRejection).details).toMatchObject(details);
            return rejection as CommandRejection;
          },
        };
      },
    };
  };
}
