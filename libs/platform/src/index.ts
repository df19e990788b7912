export { HealthModule } from './health.module';
export { HealthController, SERVICE_NAME } from './health.controller';
export { runService } from './bootstrap';
export { CommandRefusalRecorder, recordRefusal, recordRejection, refuseInHandler } from './command-refusals';
export { storedCommandResults } from './command-results';
export { HttpErrorsFilter, contractValidationPipe } from './http-errors.filter';
export { commandResultRouting, kafkaSettingsOf, recordingClock, ServiceConfig, serviceTopics } from './service.config';
export type { ServiceDefaults } from './service.config';
export { DATABASE_POOL, ServiceModule } from './service.module';
export { Arrivals } from './arrivals';
export type { ServiceMessaging, ServiceModuleOptions } from './service.module';
export { createServiceApp } from './service-app';
export type { ServiceAppOptions } from './service-app';
export { useServiceHttp } from './service-http';
export { OPENAPI_PATHS, openApiDocument, useOpenApi } from './openapi';
export { observedCommand, withTraceparent } from './command-context';
export { applyEffect } from './effects';
export type { EffectOptions } from './effects';
export { callerOf, causedBy, CommandCaller, commandMetadata, messageActor, messageMetadata, principalActor, UNAUTHENTICATED_ACTOR } from './event-metadata';
export type { Caller } from './event-metadata';
export {
  activeIds, addSpanProcessor, contextOf, currentObservation, currentTraceparent, exportSpansTo, installTracing, logLevelFor, lookUp, MetricsController,
  OBSERVABILITY, ObservabilityConfig, ObservabilityModule, observe, pinoSettings, REDACTED_PATHS, relayLagSeconds, runObserved, ServiceMetrics,
  tracer, useObservability,
} from './observability';
export type { CommandRecorder, DatabaseGauge, Observation, ObservabilityOptions } from './observability';
export { AccessLogModule } from './access-log/access-log.module';
export type { AccessLogOptions } from './access-log/access-log.module';
export { AccessLogController, AccessLogQuery } from './access-log/access-log.controller';
export { AccessLogInterceptor } from './access-log/access-log.interceptor';
export { PostgresAccessLog } from './access-log/access-log.store';
export type { AccessLogEntry, AccessLogFilter, Disclosure } from './access-log/access-log.store';
export { PersonalDataRead } from './access-log/personal-data-read';
export { ReadRoute } from './http/read-route';
export type { ReadRouteOptions } from './http/read-route';
export type { PersonalDataReadOptions } from './access-log/personal-data-read';
export { NOT_STATED, PURPOSE_HEADER, RECIPIENT_HEADER, statedAccess } from './access-log/access-purpose';
export type { StatedAccess } from './access-log/access-purpose';
export { PeriodicJob } from './jobs/periodic-job';
export type { PeriodicJobOptions, PeriodicJobStatus } from './jobs/periodic-job';
export { CheckpointedProjector } from './projections/checkpointed-projector';
export type { CheckpointedProjectorOptions, Projection, ProjectorStatus } from './projections/checkpointed-projector';
export { checkPath, commandControllers, commandTableProblems, IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, pathParameters } from './commands/command-table';
export {
  acceptedOutcome, AnsweredMeanwhile, COMMAND_ANSWER_MIGRATIONS, CommandAnswers, commandIdentity, handledOutcome, keyReused, scopeOf, UNVERIFIED_SCOPE,
} from './commands/command-answers';
export type { CommandIdentity, Queryable, StoredAnswer } from './commands/command-answers';
export { HttpCommandAnswers } from './commands/http-answers';
export type { CommandAnswer, HttpAnswer } from './commands/http-answers';
export { KafkaCommandAnswers } from './commands/kafka-answers';
export type { CommandPort, CommandRoute, CommandRow, CommandTable } from './commands/command-table';
