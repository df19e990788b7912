export { loadConfig, InvalidConfigurationError } from './config';
export { HealthModule } from './health.module';
export { HealthController, SERVICE_NAME } from './health.controller';
export { bootstrapService } from './bootstrap';
export { concurrencyConflict, handleCommand, loadState } from './decider';
export type { Decider, DomainEventOf, HandleOptions, StreamStore, StreamReader } from './decider';
export { applyCommandWithResult, asRejection, commandResultStream, deterministicId, resultEvent } from './command-results';
export type { CommandOutcome } from './command-results';
export { HttpErrorsFilter, contractValidationPipe } from './http-errors.filter';
