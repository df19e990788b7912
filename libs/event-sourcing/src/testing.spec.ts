import { CommandRejection } from '@custody/contracts';
import type { Decider } from './decider';
import { specify } from './testing';

type Event = { type: 'Counted'; schemaVersion: number; data: { by: number; note?: string } };
type Command = { type: 'Count'; by: number };
const counter: Decider<Command, Event, { total: number }> = {
  initialState: () => ({ total: 0 }),
  evolve: (state, event) => ({ total: state.total + event.data.by }),
  decide: (command, state) => {
    if (command.by === 0) return [];
    if (state.total + command.by > 3) throw new CommandRejection('CAPACITY_EXHAUSTED', 'Over the limit of 3.', { total: state.total });
    return [{ type: 'Counted', schemaVersion: 1, data: { by: command.by, note: 'n' } }];
  },
};
const given = specify(counter);
const counted = (by: number): Event => ({ type: 'Counted', schemaVersion: 1, data: { by } });

describe('given / when / then', () => {
  it('folds the history and checks the decided events exactly', () => {
    expect(given([counted(1), counted(1)]).state).toEqual({ total: 2 });
    given([counted(1)]).when({ type: 'Count', by: 1 }).then([{ type: 'Counted', schemaVersion: 1, data: { by: 1, note: 'n' } }]);
    expect(() => given([]).when({ type: 'Count', by: 1 }).then([counted(1)])).toThrow();
  });

  it('matches types in order and a part of the data', () => {
    given().when({ type: 'Count', by: 2 }).thenMatches([{ type: 'Counted', data: { by: 2 } }]);
    expect(() => given().when({ type: 'Count', by: 2 }).thenMatches([{ type: 'Counted', data: { by: 3 } }])).toThrow();
    expect(() => given().when({ type: 'Count', by: 2 }).thenMatches([])).toThrow();
  });

  it('checks that nothing is decided', () => {
    given().when({ type: 'Count', by: 0 }).thenNothing();
    expect(() => given().when({ type: 'Count', by: 1 }).thenNothing()).toThrow();
  });

  it('checks the code, the details and the message of a rejection, and fails when the command is accepted', () => {
    const rejection = given([counted(3)]).when({ type: 'Count', by: 1 }).thenRejects('CAPACITY_EXHAUSTED', { details: { total: 3 }, message: /limit of 3/ });
    expect(rejection).toBeInstanceOf(CommandRejection);
    expect(() => given([counted(3)]).when({ type: 'Count', by: 1 }).thenRejects('CAPACITY_EXHAUSTED', { details: { total: 2 } })).toThrow();
    expect(() => given([counted(3)]).when({ type: 'Count', by: 1 }).thenRejects('CAPACITY_EXHAUSTED', { message: /other/ })).toThrow();
    expect(() => given([counted(3)]).when({ type: 'Count', by: 1 }).thenRejects('TRANSFER_ALREADY_ACTIVE')).toThrow();
    expect(() => given().when({ type: 'Count', by: 1 }).thenRejects('CAPACITY_EXHAUSTED')).toThrow();
  });
});
