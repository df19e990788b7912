import { TOPICS } from '@custody/contracts';
import { commandTableProblems } from '@custody/platform';
import { CUSTODY_COMMANDS } from './custody/custody.command-table';
import { FACILITY_COMMANDS } from './facility/facility.command-table';

describe('the custody service\'s command tables', () => {
  it('declare every command of custody.facility.commands once, with the contract\'s class and an HTTP route', () => {
    expect(commandTableProblems(TOPICS.facilityCommands, [CUSTODY_COMMANDS, FACILITY_COMMANDS])).toEqual([]);
    for (const row of [...CUSTODY_COMMANDS.rows, ...FACILITY_COMMANDS.rows]) expect([row.type, row.http?.path]).toEqual([row.type, expect.any(String)]);
  });
});
