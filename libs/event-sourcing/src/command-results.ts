import { CommandRejection, ContractViolation, type FieldProblem } from '@custody/contracts';
import type { EventMetadata, NewEvent } from '@custody/event-store';
import type { Decider, DomainEventOf } from './decider';
import { handleCommand, type CommandObserver, type HandleOptions, type StreamStore, type UnitOfWork } from './handle-command';
import { commandScope, deterministicId, eventIds } from './ids';
import type { StreamReader } from './load-state';

/** The stream that holds a command's result: the relay publishes it on custody.command-results. */
export const commandResultStream = (commandId: string) => `command-${commandId}`;

export type CommandOutcome =
  | { accepted: true; eventIds: string[]; streamRevision?: number }
  | { accepted: false; code: string; message: string; errors: FieldProblem[]; details: Record<string, unknown> };

/** What a command that arrived on Kafka is, for its result. */
export interface ResultOf {
  tx: StreamStore;
  commandId: string;
  commandType: string;
  /** The metadata of the result event (its causation becomes the command id). */
  metadata: EventMetadata;
  /** Told the outcome once it is recorded, when the apply step does not report it itself. */
  observer?: CommandObserver;
}

/**
 * Runs `apply` and records its result in the same unit of work (`tx`): CommandAccepted with the
 * event ids, or CommandRejected with the code and the failing fields, so the relay publishes the
 * result exactly when the effect is durable. A rejection is an answer, not a failure: nothing
 * else is written; any other error is thrown and the unit of work is rolled back. `refusal` turns
 * events that record a refusal into a rejected result.
 *
 * CONCURRENCY_CONFLICT is no answer: it says that another writer won a race, not what the command
 * deserves, and the result recorded is the command's one result, published again when the command
 * is resent (docs/architecture.md, "Exactly one result per command"). It is thrown, so that the
 * consumer retries the command as a transient failure (docs/adr/0008-transient-failures-block-the-partition.md).
 */
export async function recordCommandResult(
  result: ResultOf,
  apply: () => Promise<{ events: NewEvent[]; revision?: number }>,
  refusal: (events: NewEvent[]) => Error | undefined = () => undefined,
): Promise<CommandOutcome> {
  let outcome: CommandOutcome;
  try {
    const { events, revision } = await apply();
    const refused = refusal(events);
    const rejection = refused ? asRejection(refused) : undefined;
    if (refused && !rejection) throw refused;
    outcome = rejection ?? { accepted: true, eventIds: events.map((e) => e.id), ...(revision === undefined ? {} : { streamRevision: revision }) };
  } catch (error) {
    const rejection = asRejection(error);
    if (!rejection || rejection.code === 'CONCURRENCY_CONFLICT') throw error;
    outcome = rejection;
  }
  await result.tx.appendToStream(commandResultStream(result.commandId), [resultEvent(result.commandId, result.commandType, outcome, result.metadata)], {
    expectedRevision: 'any',
  });
  result.observer?.command(result.commandType, outcome.accepted ? 'accepted' : 'rejected', outcome.accepted ? '' : outcome.code);
  return outcome;
}

/**
 * Applies a command that arrived on Kafka inside the consumer's inbox transaction with
 * {@link handleCommand} (event ids derived from the service, the acting state and the command id) and records its result there
 * ({@link recordCommandResult}). `options` are the handler's (hooks, retry, observer).
 */
export async function applyCommandWithResult<Command, Event extends DomainEventOf, State, Unit extends StreamStore = StreamStore>(args: {
  /** The service that applies it: its events' ids are namespaced by it (docs/adr/0014-namespaced-event-ids.md). */
  service: string;
  reader: StreamReader;
  /** The consumer's transaction: the result is recorded there. */
  tx: StreamStore;
  /** Where the events go when not straight into `tx` (e.g. {@link inSavepoint}(tx), or a writer that seals). */
  unitOfWork?: UnitOfWork<Unit>;
  writer?: Unit;
  stream: string;
  decider: Decider<Command, Event, State>;
  command: Command;
  commandId: string;
  commandType: string;
  metadata: EventMetadata;
  options?: Omit<HandleOptions<Event, State, Unit>, 'metadata' | 'eventId' | 'writer' | 'unitOfWork'>;
}): Promise<CommandOutcome> {
  return recordCommandResult({ tx: args.tx, commandId: args.commandId, commandType: args.commandType, metadata: args.metadata }, () =>
    handleCommand(args.reader, args.stream, args.decider, args.command, {
      ...args.options,
      metadata: args.metadata,
      ...(args.unitOfWork ? { unitOfWork: args.unitOfWork } : { writer: args.writer ?? (args.tx as Unit) }),
      eventId: eventIds(args.service, commandScope(args.commandId, args.metadata.actor)),
    }),
  );
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
      // Absent only for a message too broken to name its type (the contract allows it).
      ...(commandType ? { commandType } : {}),
      code: outcome.code,
      message: outcome.message,
      errors: outcome.errors,
      ...(Object.keys(outcome.details).length > 0 ? { details: outcome.details } : {}),
    },
    metadata: { ...metadata, causationId: commandId },
  };
}
