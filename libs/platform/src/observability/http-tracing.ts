import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { runObserved, type CommandRecorder } from './context';
import type { ObservedRequest } from './logging';
import { tracer } from './tracing';

const CORRELATION = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Express middleware: one SERVER span per request, continuing the caller's `traceparent` if it
 * sent one; the correlation id from `x-correlation-id` (or a new one), echoed with the trace id
 * in the response headers; both in the context of everything the request does. The request's time,
 * from its arrival here to the last byte of the answer, goes to the recorder by route pattern
 * (custody_http_request_duration_seconds, docs/operations.md), the paths' ids left out.
 */
export function httpObservation(service: string, recorder: CommandRecorder) {
  return (req: ObservedRequest & { route?: { path?: string }; originalUrl?: string }, res: ServerResponse, next: () => void): void => {
    const arrived = performance.now();
    const parent = propagation.extract(context.active(), req.headers);
    const method = req.method ?? 'GET';
    const path = (req.originalUrl ?? req.url ?? '').split('?')[0];
    const span = tracer().startSpan(
      `${method} ${path}`,
      { kind: SpanKind.SERVER, attributes: { 'service.name': service, 'http.request.method': method, 'url.path': path } },
      parent,
    );
    const header = req.headers['x-correlation-id'];
    const correlationId = typeof header === 'string' && CORRELATION.test(header) ? header : randomUUID();
    const { traceId, spanId } = span.spanContext();
    req.observation = { correlationId, traceId, spanId };
    res.setHeader('x-correlation-id', correlationId);
    res.setHeader('x-trace-id', traceId);
    res.once('finish', () => {
      if (req.route?.path) span.updateName(`${method} ${req.route.path}`);
      recorder.httpRequest?.(method, req.route?.path ?? 'unmatched', res.statusCode, (performance.now() - arrived) / 1000);
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), () => runObserved({ service, correlationId, recorder }, next));
  };
}
