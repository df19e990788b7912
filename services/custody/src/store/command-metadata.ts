import { CommandRejection } from '@custody/contracts';
import type { EventMetadata } from '@custody/event-store';
import { withTraceparent } from '@custody/platform';

/** The metadata of events caused by an HTTP command: correlated by the caller's header or the command id, in the request's trace. */
export function httpMetadata(command: { commandId: string; occurredAt: string }, headers: Record<string, unknown>): EventMetadata {
  const correlation = headers['x-correlation-id'];
  return withTraceparent({
    correlationId: typeof correlation === 'string' && correlation.length > 0 ? correlation : command.commandId,
    causationId: command.commandId,
    occurredAt: command.occurredAt,
  });
}

/** The path's id and the body's must name the same thing (400 VALIDATION_FAILED otherwise). */
export function samePath(field: string, fromPath: string, fromBody: string): void {
  if (fromPath !== fromBody) {
    throw new CommandRejection('VALIDATION_FAILED', undefined, {}, [{ path: field, problem: `${field} differs from the path (${fromPath})` }]);
  }
}
