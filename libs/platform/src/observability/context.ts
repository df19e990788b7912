import { AsyncLocalStorage } from 'node:async_hooks';

/** What the observability of one application records into (its own metrics registry). */
export interface CommandRecorder {
  command(type: string, outcome: 'accepted' | 'rejected', code: string): void;
  appendSeconds(category: string, seconds: number): void;
  /** Another service's event whose effect here the rules refused (custody_effects_refused_total). */
  effectRefused?(eventType: string, commandType: string, code: string): void;
  /** One HTTP request answered: its method, route pattern, status and time from arrival to the last byte sent (custody_http_request_duration_seconds). */
  httpRequest?(method: string, route: string, status: number, seconds: number): void;
}

/**
 * The context of the work in progress — an HTTP request or a Kafka handler: the service, the
 * correlation id, and the application's recorder. Set by the HTTP middleware and by the consumer
 * interceptor around each handler; read by log lines and by the write path.
 */
export interface Observation {
  service: string;
  correlationId?: string;
  recorder?: CommandRecorder;
}

const storage = new AsyncLocalStorage<Observation>();

export function runObserved<T>(observation: Observation, work: () => T): T {
  return storage.run(observation, work);
}

export function currentObservation(): Observation | undefined {
  return storage.getStore();
}
