import { IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';

/** Observability settings every service reads from its environment (all optional). */
export class ObservabilityConfig {
  /** pino level: trace, debug, info, warn, error, fatal or silent. */
  @IsIn(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
  LOG_LEVEL = 'info';

  /** OTLP/HTTP traces URL (e.g. http://otel-collector:4318/v1/traces); empty: spans are not exported. */
  @IsString()
  @Matches(/^(https?:\/\/\S+)?$/, { message: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be an http(s) URL or empty' })
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = '';

  /** /health/ready fails when the relay's oldest unpublished event is older than this. */
  @IsInt()
  @Min(1)
  READY_MAX_RELAY_LAG_SECONDS = 60;

  /**
   * /health/ready fails when the consumer has waited longer than this on one message whose handler
   * keeps failing for a transient reason (docs/operations.md, "A consumer waiting on a message").
   */
  @IsInt()
  @Min(1)
  READY_MAX_CONSUMER_BLOCKED_SECONDS = 60;

  /** How long one readiness check (the database ping) may take. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  READY_CHECK_TIMEOUT_MS = 3_000;
}
