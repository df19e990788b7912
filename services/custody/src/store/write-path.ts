import { randomInt } from 'node:crypto';
import type { EventMetadata, NewEvent, PostgresTransaction } from '@custody/event-store';

/** Waits a random time that grows with the attempt, so that writers who collided do not collide again. */
export function jitter(attempt: number): Promise<void> {
  const ceiling = Math.min(1_000, 20 * 2 ** Math.min(attempt, 6));
  return new Promise((resolve) => setTimeout(resolve, randomInt(1, ceiling + 1)));
}

/** Decided events as the store takes them. */
export function toNewEvents(
  decided: Array<{ type: string; schemaVersion?: number; data: unknown }>,
  metadata: EventMetadata,
  eventId: (index: number) => string,
  offset = 0,
): NewEvent[] {
  return decided.map((event, index) => ({
    id: eventId(offset + index),
    type: event.type,
    schemaVersion: event.schemaVersion ?? 1,
    data: event.data,
    metadata,
  }));
}

/**
 * Runs `work` inside an open transaction so that it can be undone alone: a retry after a
 * concurrency conflict starts from a clean slate while the transaction (and its inbox entry) goes on.
 */
export async function withSavepoint<T>(tx: PostgresTransaction, work: () => Promise<T>): Promise<T> {
  await tx.query('SAVEPOINT custody_write');
  try {
    const value = await work();
    await tx.query('RELEASE SAVEPOINT custody_write');
    return value;
  } catch (error) {
    await tx.query('ROLLBACK TO SAVEPOINT custody_write');
    throw error;
  }
}
