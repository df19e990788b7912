import { createHash } from 'node:crypto';
import { CommandRejection, ContractViolation, type FieldProblem } from '@custody/contracts';
import type { EventMetadata, NewEvent } from '@custody/event-store';
import { handleCommand, withTraceparent, type Decider, type DomainEventOf, type StreamReader, type StreamStore } from './decider';

/** A deterministic UUID (v5-style, SHA-1) for a name: the same command yields the same event ids. */
export function deterministicId(name: string): string {
  const hash = createHash('sha1').update(name).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The stream that holds a command's result: the relay publishes it on custody.command-results. */
export const commandResultStream = (commandId: string) => `command-${commandId}`;

export type CommandOutcome =
  | { accepted: true; eventIds: string[]; streamRevision?: number }
  | { accepted: false; code: string; message: string; errors: FieldProblem[]; details: Record<string, unknown> };

/**
 * Applies a command that arrived on Kafka inside the consumer's inbox transaction, and records
 * its result (CommandAccepted with the event ids, or CommandRejected with the code and the
 * failing fields) in the same transaction, so the relay publishes the result exactly when the
 * effect is durable. A rejection is an answer, not a failure: nothing else is written.
 */
export async function applyCommandWithResult<Command, Event extends DomainEventOf, State>(args: {
  reader: StreamReader;
  tx: StreamStore;
  stream: string;
  decider: Decider<Command, Event, State>;
  command: Command;
  commandId: string;
  commandType: string;
  metadata: EventMetadata;
}): Promise<CommandOutcome> {
  let outcome: CommandOutcome;
  const metadata = withTraceparent(args.metadata);
  try {
    const result = await handleCommand(args.reader, args.stream, args.decider, args.command, {
      metadata,
      writer: args.tx,
      eventId: (index) => deterministicId(`${args.commandId}/${index}`),
    });
    outcome = { accepted: true, eventIds: result.events.map((e) => e.id), streamRevision: result.revision };
  } catch (error) {
    const rejection = asRejection(error);
    if (!rejection) throw error;
    outcome = rejection;
  }
  await args.tx.appendToStream(commandResultStream(args.commandId), [resultEvent(args.commandId, args.commandType, outcome, metadata)], {
    expectedRevision: 'any',
  });
  return outcome;
}

/** A CommandRejection or a ContractViolation as an outcome; undefined for anything else. */
export function asRejection(error: unknown): Extract<CommandOutcome, { accepted: false }> | undefined {
  if (error instanceof CommandRejection) {
    return { accepted: false, code: error.code, message: error.message, errors: [...error.errors], details: { ...error.details } };
  }
  if (error instanceof ContractViolation) {
    return { accepted: false, code: error.code, message: error.message, errors: [...error.errors], details: {} };
  }
  return undefined;
}

/** The CommandAccepted / CommandRejected event of an outcome. */
export function resultEvent(commandId: string, commandType: string, outcome: CommandOutcome, metadata: EventMetadata): NewEvent {
  const id = deterministicId(`${commandId}/result`);
  if (outcome.accepted) {
    return {
      id,
      type: 'CommandAccepted',
      schemaVersion: 1,
      data: { commandId, commandType, eventIds: outcome.eventIds, ...(outcome.streamRevision === undefined ? {} : { streamRevision: outcome.streamRevision }) },
      metadata: { ...metadata, causationId: commandId },
    };
  }
  return {
    id,
    type: 'CommandRejected',
    schemaVersion: 1,
    data: {
      commandId,
      commandType,
      code: outcome.code,
      message: outcome.message,
      errors: outcome.errors,
      ...(Object.keys(outcome.details).length > 0 ? { details: outcome.details } : {}),
    },
    metadata: { ...metadata, causationId: commandId },
  };
}
