import { randomUUID } from 'node:crypto';
import type { EventStore } from '@custody/event-store';
import type { Checkpoint } from './checkpoint';

/** The stream of the service's own event store that holds every signed checkpoint. */
export const CHECKPOINT_STREAM = 'checkpoint-ledger';

/** Every checkpoint signed so far, oldest first. */
export async function readCheckpoints(store: EventStore): Promise<Checkpoint[]> {
  const checkpoints: Checkpoint[] = [];
  for await (const event of store.readStream(CHECKPOINT_STREAM)) checkpoints.push(event.data as Checkpoint);
  return checkpoints;
}

/** Records a signed checkpoint; the relay publishes it on `custody.audit.checkpoints`. */
export async function recordCheckpoint(store: EventStore, checkpoint: Checkpoint, at: string): Promise<void> {
  await store.appendToStream(CHECKPOINT_STREAM, [
    {
      id: checkpoint.checkpointId,
      type: 'LedgerCheckpointSigned',
      schemaVersion: 1,
      data: checkpoint,
      metadata: { correlationId: randomUUID(), occurredAt: at, actor: { system: 'audit' } },
    },
  ]);
}
