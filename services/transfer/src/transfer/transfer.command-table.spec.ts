import { TOPICS } from '@custody/contracts';
import { commandTableProblems } from '@custody/platform';
import { TRANSFER_COMMANDS } from './transfer.command-table';
import { RECORDED_BY_THE_SERVICE } from './transfer.rights';

describe('the transfer command table', () => {
  it('declares every command of custody.transfer.commands once, with the contract\'s class', () => {
    expect(commandTableProblems(TOPICS.transferCommands, [TRANSFER_COMMANDS])).toEqual([]);
  });

  it('gives no HTTP route to the facts the service records itself, and one to every other command', () => {
    for (const row of TRANSFER_COMMANDS.rows) expect([row.type, row.http === undefined]).toEqual([row.type, row.type in RECORDED_BY_THE_SERVICE]);
  });
});
