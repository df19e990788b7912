import { TOPICS } from '@custody/contracts';
import { commandTableProblems } from '@custody/platform';
import { INMATE_COMMANDS } from './inmate.command-table';

describe('the inmate command table', () => {
  it('declares every command of custody.intake.commands once, with the contract\'s class and an HTTP route', () => {
    expect(commandTableProblems(TOPICS.intakeCommands, [INMATE_COMMANDS])).toEqual([]);
    for (const row of INMATE_COMMANDS.rows) expect([row.type, row.http?.path]).toEqual([row.type, expect.any(String)]);
  });
});
