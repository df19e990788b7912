export { loadConfig, InvalidConfigurationError, WholeNumber } from './config';
export { HealthModule } from './health.module';
export { HealthController, SERVICE_NAME } from './health.controller';
export { runService } from './bootstrap';
export {
  commandDecoder, CommandRefusalRecorder, mayIssue, messageRights, parseSigners, recordRefusal, recordRejection, refuseCommand, signerRefusal, signerStateOf,
} from './command-signatures';
export type { CommandRight, SignerSources } from './command-signatures';
export { HttpErrorsFilter, contractValidationPipe } from './http-errors.filter';
export { ACTIONS, decide, POLICY, relationsOf, ROLES, visibleStates } from './security/policy';
export type { Action, Decision, Principal, Relation, ResourceJurisdiction, Role } from './security/policy';
export { AuthenticationError, Authenticator, loadIssuerKey, parseIssuers, TOKEN_ALGORITHMS } from './security/authenticator';
export type { AuthenticatorSettings, IssuerSettings } from './security/authenticator';
export { SecurityConfig } from './security/security.config';
export { kafkaSettingsOf, recordingClock, ServiceConfig, serviceTopics } from './service.config';
export type { ServiceDefaults } from './service.config';
export { DATABASE_POOL, ServiceModule } from './service.module';
export type { ServiceMessaging, ServiceModuleOptions } from './service.module';
export { createServiceApp } from './service-app';
export type { ServiceAppOptions } from './service-app';
export { BEARER_SCHEME, CurrentPrincipal, Public, RateLimitGuard, Requires, SecurityGuard } from './security/security.guard';
export type { JurisdictionResolver, SecureRequest } from './security/security.guard';
export { SecurityModule } from './security/security.module';
export { resourceIdOf } from './security/resource-id';
export { hardenHttp } from './security/harden';
export { useServiceHttp } from './service-http';
export { OPENAPI_PATHS, openApiDocument, useOpenApi } from './openapi';
export { TestIssuer } from './security/test-issuer';
export { observedCommand, withTraceparent } from './command-context';
export { callerOf, CommandCaller, commandMetadata, messageActor, messageMetadata, principalActor, UNAUTHENTICATED_ACTOR } from './event-metadata';
export type { Caller } from './event-metadata';
export {
  blindIndex, decryptField, encryptField, FIELD_ALGORITHM, generateDataKey, generateMasterKey, isEncryptedField, parseMasterKey,
  parseRetiredMasterKeys, PersonalDataDecryptionError, unwrapDataKey, wrapDataKey,
} from './personal-data/personal-data-crypto';
export type { EncryptedField, MasterKey, WrappedDataKey } from './personal-data/personal-data-crypto';
export { hasClearFields, MissingDataKeyError, openFields, sealFields } from './personal-data/personal-fields';
export type { DataKey, KeyAccess } from './personal-data/personal-fields';
export { PersonalDataKeys } from './personal-data/data-keys';
export type { Destruction, DestructionLogEntry, MasterKeyUsage, PersonalDataKeysConfig, RewrapRun } from './personal-data/data-keys';
export { BlindIndexKeyError } from './personal-data/index-keys';
export { MasterKeyRewrapJob } from './personal-data/rewrap.job';
export { PersonalDataConfig } from './personal-data/personal-data.config';
export {
  activeIds, addSpanProcessor, contextOf, currentObservation, currentTraceparent, exportSpansTo, installTracing, logLevelFor, MetricsController,
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
export type { PersonalDataReadOptions } from './access-log/personal-data-read';
export { NOT_STATED, PURPOSE_HEADER, RECIPIENT_HEADER, statedAccess } from './access-log/access-purpose';
export type { StatedAccess } from './access-log/access-purpose';
export { PeriodicJob } from './jobs/periodic-job';
export type { PeriodicJobOptions, PeriodicJobStatus } from './jobs/periodic-job';
export { CheckpointedProjector } from './projections/checkpointed-projector';
export type { CheckpointedProjectorOptions, Projection, ProjectorStatus } from './projections/checkpointed-projector';
export { checkPath, commandControllers, commandTableProblems, pathParameters } from './commands/command-table';
export type { CommandPort, CommandRoute, CommandRow, CommandTable } from './commands/command-table';
