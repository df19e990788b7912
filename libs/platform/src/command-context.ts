import type { CommandObserver } from '@custody/event-sourcing';
import type { EventMetadata } from '@custody/event-store';
import { currentObservation } from './observability/context';
import { currentTraceparent } from './observability/trace-context';

/**
 * The metadata with the active trace's `traceparent` when it has none: the relay writes it in
 * the Kafka headers, so consumers in other services continue the trace of the request.
 */
export function withTraceparent(metadata: EventMetadata): EventMetadata {
  if (metadata.traceparent) return metadata;
  const traceparent = currentTraceparent();
  return traceparent ? { ...metadata, traceparent } : metadata;
}

/**
 * What the kernel's handler takes from the work in progress (an HTTP request, a Kafka handler):
 * the metadata in the active trace, and the recorder of the command metrics
 * (custody_commands_total, the append durations) when the service observes itself.
 */
export function observedCommand(metadata: EventMetadata): { metadata: EventMetadata; observer?: CommandObserver } {
  const observer = currentObservation()?.recorder;
  return { metadata: withTraceparent(metadata), ...(observer ? { observer } : {}) };
}

/**
 * Counts, in custody_effects_refused_total, another service's event whose effect the rules
 * refused here (a consumer that answers it by changing nothing): never silent, so that a gap
 * between what two services know shows on the dashboards.
 */
export function recordRefusedEffect(eventType: string, commandType: string, code: string): void {
  currentObservation()?.recorder?.effectRefused?.(eventType, commandType, code);
}
