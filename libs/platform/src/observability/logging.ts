import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { currentObservation } from './context';
import { activeIds } from './tracing';

/** Fields of personal data: never logged, at whatever depth up to three levels. */
const PERSONAL = [
  'identity', 'names', 'name', 'givenNames', 'familyName', 'familyNames', 'surname', 'dateOfBirth', 'birthDate', 'placeOfBirth',
  'documents', 'document', 'documentNumber', 'nationality', 'nationalities', 'health', 'medical', 'address', 'photo', 'biometrics',
];
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  ...PERSONAL,
  ...PERSONAL.map((field) => `*.${field}`),
  ...PERSONAL.map((field) => `*.*.${field}`),
];

/** What a request carries once the tracing middleware saw it. */
export interface ObservedRequest extends IncomingMessage {
  observation?: { correlationId: string; traceId?: string; spanId?: string };
}

/**
 * nestjs-pino settings: JSON lines, the service on each, the correlation id and the trace id
 * on every line (from the request or the Kafka handler's context), personal data redacted, the
 * request line without its query string (a search may carry a name), probes and scrapes not logged.
 */
export function pinoSettings(service: string, level: string): Params {
  return {
    pinoHttp: {
      level,
      base: { service },
      formatters: { level: (label: string) => ({ level: label }) },
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      mixin: () => {
        const observation = currentObservation();
        return { ...(observation?.correlationId ? { correlation_id: observation.correlationId } : {}), ...activeIds() };
      },
      genReqId: (req: IncomingMessage) => (req as ObservedRequest).observation?.correlationId ?? '',
      customProps: (req: IncomingMessage) => {
        const seen = (req as ObservedRequest).observation;
        return seen ? { correlation_id: seen.correlationId, trace_id: seen.traceId, span_id: seen.spanId } : {};
      },
      serializers: {
        req: (req: { id?: unknown; method?: string; url?: string }) => ({ id: req.id, method: req.method, path: (req.url ?? '').split('?')[0] }),
        res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req: IncomingMessage) => /^\/(health|metrics)(\/|\?|$)/.test(req.url ?? '') },
      quietReqLogger: true,
    },
  };
}
