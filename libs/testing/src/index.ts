export {
  canConnect,
  dockerAnswers,
  resolveInfrastructure,
  MissingInfrastructureError,
  DEFAULT_DATABASE_URL,
  DEFAULT_KAFKA_BROKERS,
} from './infrastructure';
export type { Infrastructure } from './infrastructure';
export { testRunId, uniqueName, uniqueSchemaName } from './names';
export {
  kafkaBrokers,
  databaseUrl,
  testKafka,
  createTestTopics,
  createTestSchema,
  eventually,
} from './real-services';
export type { TestSchema } from './real-services';
export { NOT_IN_OPENAPI, registeredRoutes, undocumentedRoutes } from './openapi-coverage';
export type { HttpRoute } from './openapi-coverage';
export { OwnKafka } from './own-kafka';
export { sendUntilKnownHere } from './not-yet-known';
