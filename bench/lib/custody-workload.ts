import { randomUUID } from 'node:crypto';
import type { GlobalEvent, NewEvent } from '@custody/event-store';
import { inmateRegistered, inmateStream, residenceStatusRecorded } from '../../libs/messaging/src/testing/events';

/** A mix of custody events: a registration, then follow-ups for the same person. */
export function workload(count: number): NewEvent[] {
  const events: NewEvent[] = [];
  while (events.length < count) {
    const inmateId = randomUUID();
    events.push(inmateRegistered(inmateId));
    for (let i = 0; i < 4 && events.length < count; i++) events.push(residenceStatusRecorded(inmateId));
  }
  return events;
}

/**
 * The workload as a store would hand it out (streams, revisions, positions, checkpoints), without a
 * store: for benchmarks of what happens after the read.
 */
export function asStored(events: NewEvent[]): GlobalEvent[] {
  const revisions = new Map<string, number>();
  const recordedAt = new Date().toISOString();
  return events.map((event, i) => {
    const streamName = inmateStream((event.data as { inmateId: string }).inmateId);
    const revision = revisions.get(streamName) ?? 0;
    revisions.set(streamName, revision + 1);
    return { ...event, streamName, revision, position: BigInt(i + 1), recordedAt, checkpoint: String(i + 1) };
  });
}
