export { loadConfig, InvalidConfigurationError } from './config';
export { HealthModule } from './health.module';
export { HealthController, SERVICE_NAME } from './health.controller';
export { bootstrapService } from './bootstrap';
export { DomainRejection, ConcurrencyConflictError, handleCommand, loadState } from './decider';
export type { Decider, DomainEventOf, HandleOptions, StreamStore, StreamReader } from './decider';
