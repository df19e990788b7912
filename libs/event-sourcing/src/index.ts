export type { Decider, DomainEventOf } from './decider';
export { catchUp, foldStored, loadState } from './load-state';
export { InvalidKeptStatesError, KeptStates } from './kept-states';
export type { LoadedState, StreamReader } from './load-state';
export { concurrencyConflict, datedBy, handleCommand, inSavepoint, NoWriterError, toNewEvents } from './handle-command';
export type {
  CommandObserver, Decision, Handled, HandleOptions, Prepared, SavepointCapable, StreamAppend, StreamStore, UnitOfWork,
} from './handle-command';
export { InvalidRetryPolicyError, retryPolicy } from './retry';
export type { RetryPolicy, RetryPolicyOptions } from './retry';
export { StreamBatcher } from './batching';
export type { AppliedHook, BatchingOptions } from './batching';
export { commandScope, deterministicId, eventIds, messageScope, type IdScope } from './ids';
export { KeyedTurns } from './turns';
export { upcast, writtenVersion } from './upcast';
export { applyCommandWithResult, asRejection, commandResultStream, recordCommandResult, resultEvent } from './command-results';
export type { CommandOutcome, ResultOf } from './command-results';
