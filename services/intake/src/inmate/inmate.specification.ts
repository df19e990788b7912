import { CommandRejection, type RejectionCode } from '@custody/contracts';
import { decide, evolve, initialState, type Inmate, type InmateCommand, type InmateEvent } from './inmate.decider';

/**
 * Given events / when a command / then events or a rejection: the inmate decider's
 * specifications read as the rules they check. Used by the unit tests only.
 */
export function given(...events: InmateEvent[]) {
  const state = events.reduce<Inmate>(evolve, initialState());
  return {
    state,
    when(command: InmateCommand) {
      const attempt = (): InmateEvent[] => decide(command, state);
      return {
        then(expected: InmateEvent[]): void {
          expect(attempt()).toEqual(expected);
        },
        thenNothingHappens(): void {
          expect(attempt()).toEqual([]);
        },
        thenRejects(code: RejectionCode, match: { details?: Record<string, unknown>; paths?: string[] } = {}): CommandRejection {
          let rejection: unknown;
          try {
            attempt();
          } catch (error) {
            rejection = error;
          }
          expect(rejection).toBeInstanceOf(CommandRejection);
          const thrown = rejection as CommandRejection;
          expect(thrown.code).toBe(code);
          if (match.details) expect(thrown.details).toMatchObject(match.details);
          if (match.paths) expect(thrown.errors.map((e) => e.path)).toEqual(match.paths);
          return thrown;
        },
      };
    },
  };
}
