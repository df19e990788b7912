import type { Context } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { AlwaysOnSampler, BatchSpanProcessor, ParentBasedSampler, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/**
 * The span processors of the process. OpenTelemetry's tracer provider, context manager and
 * propagator are process-wide globals that can be set once; applications (two in one test
 * process) add and remove their processors here instead.
 */
const processors = new Set<SpanProcessor>();

const fanOut: SpanProcessor = {
  onStart: (span: Span, parent: Context) => processors.forEach((p) => p.onStart(span, parent)),
  onEnd: (span: ReadableSpan) => processors.forEach((p) => p.onEnd(span)),
  forceFlush: async () => {
    await Promise.all([...processors].map((p) => p.forceFlush()));
  },
  shutdown: async () => {
    await Promise.all([...processors].map((p) => p.shutdown()));
  },
};

let installed = false;
const exporters = new Map<string, SpanProcessor>();

/**
 * Installs tracing once per process: W3C trace context propagation, context kept across
 * awaits (AsyncLocalStorage), every root sampled. Spans go nowhere until an exporter or a
 * processor is added: ids still flow (into logs and Kafka headers) at almost no cost.
 */
export function installTracing(): void {
  if (installed) return;
  installed = true;
  const provider = new NodeTracerProvider({ sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }), spanProcessors: [fanOut] });
  provider.register();
}

/** Sends spans to an OTLP/HTTP collector (e.g. `http://collector:4318/v1/traces`); once per URL. */
export function exportSpansTo(url: string): void {
  if (exporters.has(url)) return;
  const processor = new BatchSpanProcessor(new OTLPTraceExporter({ url }));
  exporters.set(url, processor);
  processors.add(processor);
}

/** Adds a span processor (tests: an in-memory exporter); returns its removal. */
export function addSpanProcessor(processor: SpanProcessor): () => void {
  installTracing();
  processors.add(processor);
  return () => processors.delete(processor);
}

export { activeIds, contextOf, currentTraceparent, tracer } from './trace-context';
