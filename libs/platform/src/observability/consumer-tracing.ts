import { ROOT_CONTEXT, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { HandlerInterceptor } from '@custody/messaging';
import { runObserved, type CommandRecorder } from './context';
import { contextOf, tracer } from './tracing';

/**
 * Around each Kafka handler: a CONSUMER span that continues the trace of the event's
 * `traceparent` (the HTTP request that caused it, in another service), and the event's
 * correlation id in the log context. One line per handled event.
 */
export function handlerObservation(service: string, recorder: CommandRecorder, log: (level: 'info' | 'warn', fields: object, message: string) => void): HandlerInterceptor {
  return (event, { message, attempt }, next) =>
    tracer().startActiveSpan(
      `consume ${event.type}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'service.name': service,
          'messaging.system': 'kafka',
          'messaging.destination.name': message.topic,
          'messaging.kafka.destination.partition': message.partition,
          'messaging.kafka.message.offset': Number(message.offset),
          'messaging.message.id': event.id,
          'custody.event.type': event.type,
        },
      },
      contextOf(event.traceparent, ROOT_CONTEXT),
      (span) =>
        runObserved({ service, correlationId: event.correlationId ?? event.id, recorder }, async () => {
          const fields = { event_id: event.id, event_type: event.type, topic: message.topic, partition: message.partition, offset: message.offset, attempt };
          try {
            await next();
            log('info', fields, 'event handled');
          } catch (error) {
            span.recordException(error as Error);
            span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
            log('warn', { ...fields, error: (error as Error).message }, 'event handler failed');
            throw error;
          } finally {
            span.end();
          }
        }),
    );
}
