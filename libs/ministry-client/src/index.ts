/** custody-ministry: the reference client of a ministry's system (see the contracts README). */
export { run, EXIT, type CliIo } from './cli';
export {
  MinistryClient, prepareCommand, loadSigningKey, algorithmOf, ClientUsageError,
  type MinistryIdentity, type CommandFile, type PreparedCommand, type CommandResult,
} from './client';
