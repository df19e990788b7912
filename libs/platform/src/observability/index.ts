export { ObservabilityConfig } from './config';
export { currentObservation, runObserved } from './context';
export type { CommandRecorder, Observation } from './context';
export { REDACTED_PATHS, pinoSettings } from './logging';
export { ServiceMetrics, relayLagSeconds } from './metrics';
export type { DatabaseGauge } from './metrics';
export { logLevelFor, lookUp, MetricsController, observe, OBSERVABILITY, ObservabilityModule, useObservability } from './observability.module';
export type { ObservabilityOptions } from './observability.module';
export { activeIds, addSpanProcessor, contextOf, currentTraceparent, exportSpansTo, installTracing, tracer } from './tracing';
