import { Controller, type DynamicModule, Get, Header, Inject, Injectable, type INestApplication, Module, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Logger, LoggerModule, PinoLogger } from 'nestjs-pino';
import { PostgresEventStore } from '@custody/event-store';
import { MessagingHost } from '@custody/messaging';
import { loadConfig } from '@custody/config';
import { Public } from '@custody/security';
import { ObservabilityConfig } from './config';
import { handlerObservation } from './consumer-tracing';
import { httpObservation } from './http-tracing';
import { pinoSettings } from './logging';
import { ServiceMetrics, type DatabaseGauge, type Query } from './metrics';
import { exportSpansTo, installTracing } from './tracing';

export const OBSERVABILITY = Symbol('OBSERVABILITY');

export interface ObservabilityOptions {
  service: string;
  config: ObservabilityConfig;
  /** The service's own figures read from its database at each scrape. */
  databaseGauges: DatabaseGauge[];
}

/** Finds a provider anywhere in the application, or undefined. */
export function lookUp<T>(moduleRef: ModuleRef, token: abstract new (...args: never[]) => T): T | undefined {
  try {
    return moduleRef.get(token, { strict: false });
  } catch {
    return undefined;
  }
}

/** Runs SQL through the service's event store (its pool), for database gauges and readiness. */
export function storeQuery(store: PostgresEventStore | undefined): Query | undefined {
  if (!store) return undefined;
  return (sql) => store.transaction(async (tx) => (await tx.query(sql)).rows);
}

/** GET /metrics: the application's registry in the Prometheus text format. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: ServiceMetrics) {}

  @Public() // scraped by Prometheus on the internal network; do not route /metrics from outside
  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

/** Connects the messaging host (outcomes, handler context, lags) and the exporter when the application starts. */
@Injectable()
export class ObservabilityHost implements OnModuleInit {
  constructor(
    @Inject(OBSERVABILITY) private readonly options: ObservabilityOptions,
    private readonly metrics: ServiceMetrics,
    private readonly moduleRef: ModuleRef,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext('Observability');
  }

  onModuleInit(): void {
    installTracing();
    if (this.options.config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) exportSpansTo(this.options.config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
    const store = lookUp(this.moduleRef, PostgresEventStore);
    for (const gauge of this.options.databaseGauges) this.metrics.addDatabaseGauge(gauge, () => storeQuery(store));
    const host = lookUp(this.moduleRef, MessagingHost);
    if (!host) return;
    this.metrics.watchMessaging(host);
    host.addOutcomeListener((outcome) => {
      this.metrics.outcome(outcome);
      if (outcome.kind === 'dead-lettered') {
        const { topic, partition, offset } = outcome.message;
        this.logger.warn({ topic, partition, offset, code: outcome.code, reason: outcome.reason }, 'message dead-lettered');
      }
    });
    host.addRevisionGapListener((gap) => this.metrics.revisionGap(gap));
    host.addHandlerInterceptor(
      handlerObservation(this.options.service, this.metrics, (level, fields, message) => this.logger[level](fields, message)),
    );
  }
}

/**
 * Logs, metrics and tracing of one service (health is HealthModule's): JSON logs through
 * nestjs-pino with the correlation and trace ids, GET /metrics from a registry of the
 * application's own, the trace continued from HTTP requests and Kafka events. Use it with
 * `observe(name, AppModule.forRoot(config))` and `useObservability(app)` in the app factory.
 */
@Module({})
export class ObservabilityModule {
  static forService(service: string, options: { logLevel?: string; databaseGauges?: DatabaseGauge[]; env?: Record<string, string | undefined> } = {}): DynamicModule {
    const config = loadConfig(ObservabilityConfig, options.env ?? process.env);
    const value: ObservabilityOptions = { service, config, databaseGauges: options.databaseGauges ?? [] };
    return {
      module: ObservabilityModule,
      global: true,
      imports: [LoggerModule.forRoot(pinoSettings(service, options.logLevel ?? config.LOG_LEVEL))],
      controllers: [MetricsController],
      providers: [{ provide: OBSERVABILITY, useValue: value }, { provide: ServiceMetrics, useValue: new ServiceMetrics(service) }, ObservabilityHost],
      exports: [OBSERVABILITY, ServiceMetrics],
    };
  }
}

/** A service's root module with observability beside it. */
export function observe(observability: DynamicModule, appModule: DynamicModule): DynamicModule {
  @Module({})
  class ObservedApplication {}
  return { module: ObservedApplication, imports: [observability, appModule] };
}

/** In the app factory, before init: pino as Nest's logger, and the HTTP context and span of each request. */
export function useObservability(app: INestApplication): void {
  const options = app.get<ObservabilityOptions>(OBSERVABILITY);
  app.useLogger(app.get(Logger));
  app.use(httpObservation(options.service, app.get(ServiceMetrics)));
  app.flushLogs();
}

/** pino's level for an app factory's `logger` option (tests pass a few Nest levels, or false). */
export function logLevelFor(nestLevels: readonly string[] | false | undefined, configured: string): string {
  if (nestLevels === false) return 'silent';
  if (!nestLevels) return configured;
  for (const [nest, pino] of [['verbose', 'trace'], ['debug', 'debug'], ['log', 'info'], ['warn', 'warn'], ['error', 'error'], ['fatal', 'fatal']]) {
    if (nestLevels.includes(nest)) return pino;
  }
  return 'silent';
}
