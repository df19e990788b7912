/** custody-ministry: the reference client of a ministry's system (see the contracts README). */
export { run, EXIT, type CliIo } from './cli';
export {
  MinistryClient, prepareCommand, loadSigningKey, algorithmOf, ClientUsageError, ResultSignatureError, RESULT_PUBLISHERS,
  type MinistryIdentity, type CommandFile, type PreparedCommand, type CommandResult, type ResultVerification,
} from './client';
