import { Injectable } from '@nestjs/common';
import type { AppendOptions, AppendResult, NewEvent, RecordedEvent } from '@custody/event-store';
import { asRejection, commandResultStream, deterministicId, resultEvent, type CommandOutcome } from '@custody/event-sourcing';
import type { DecodedEvent } from '@custody/messaging';
import { signerStateOf } from '@custody/security';
import { withTraceparent } from '../command-context';
import { messageMetadata } from '../event-metadata';
import { AnsweredMeanwhile, CommandAnswers, commandIdentity, keyReused, scopeOf, type CommandIdentity, type Queryable } from './command-answers';

/** What the answers need of a consumer's transaction: SQL, and the command's result stream. */
export interface AnswerTransaction extends Queryable {
  appendToStream(stream: string, events: NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  readStream(stream: string): AsyncIterable<RecordedEvent>;
}

/** The identity of a command read from Kafka: its type and data as decoded, and the state that signed it. */
export const messageIdentity = (event: DecodedEvent): CommandIdentity => commandIdentity(event.type, event.data, scopeOf(signerStateOf(event)));

/** The id of the command's own result (CommandAccepted or CommandRejected): the one published again on a resend. */
export const ownResultId = (commandId: string) => deterministicId(`${commandId}/result`);

/** The id of the answer to a message that reused a command id: one per different content, so a copy of it is recognised. */
export const reusedResultId = (identity: CommandIdentity) => deterministicId(`${identity.commandId}/reused/${identity.scope}/${identity.fingerprint}`);

/** The CommandRejected IDEMPOTENCY_KEY_REUSED of a message that reused a command id. Never the command's own result. */
export function reusedResult(identity: CommandIdentity, event: DecodedEvent): NewEvent {
  const outcome = asRejection(keyReused(identity.commandId))!;
  return { ...resultEvent(identity.commandId, identity.commandType, outcome, withTraceparent(messageMetadata(event))), id: reusedResultId(identity) };
}

/** A command's stored result, read from `command-<id>` (the consumer's transaction sees its own writes). */
export async function findResult(on: { readStream(stream: string): AsyncIterable<RecordedEvent> }, commandId: string, id: string): Promise<RecordedEvent | undefined> {
  for await (const event of on.readStream(commandResultStream(commandId))) if (event.id === id) return event;
  return undefined;
}

/** The outcome a CommandAccepted or CommandRejected records. */
export function outcomeOfResult(result: RecordedEvent): CommandOutcome {
  const data = result.data as Record<string, unknown>;
  if (result.type === 'CommandAccepted') {
    return { accepted: true, eventIds: data.eventIds as string[], ...(typeof data.streamRevision === 'number' ? { streamRevision: data.streamRevision } : {}) };
  }
  return {
    accepted: false,
    code: data.code as string,
    message: data.message as string,
    errors: (data.errors ?? []) as Array<{ path: string; problem: string }>,
    details: (data.details ?? {}) as Record<string, unknown>,
  };
}

/**
 * The answers of the commands a service takes from Kafka, kept in the same record as HTTP's
 * (docs/architecture.md, "Idempotent commands"): a command processed on Kafka stores its outcome
 * with its fingerprint in the inbox transaction; a command whose id was answered already, over
 * HTTP or on Kafka, is not applied again: the same command is answered with the stored outcome as
 * its result, another one reusing the id with CommandRejected IDEMPOTENCY_KEY_REUSED.
 */
@Injectable()
export class KafkaCommandAnswers {
  constructor(private readonly answers: CommandAnswers) {}

  /** Runs `apply` (the port's handler) for a command read from Kafka, unless its id has an answer already. */
  async handle(event: DecodedEvent, tx: AnswerTransaction, apply: () => Promise<void>): Promise<void> {
    const identity = messageIdentity(event);
    const stored = await this.answers.find(identity.commandId, tx);
    if (stored) {
      const same = stored.scope === identity.scope && stored.fingerprint === identity.fingerprint;
      const answer = same
        ? { ...resultEvent(identity.commandId, identity.commandType, stored.outcome, withTraceparent(messageMetadata(event))), id: ownResultId(identity.commandId) }
        : reusedResult(identity, event);
      if (!(await findResult(tx, identity.commandId, answer.id))) await tx.appendToStream(commandResultStream(identity.commandId), [answer], { expectedRevision: 'any' });
      return;
    }
    await apply();
    // Refused before the rules (a signer without the right): the result has an id of its own, and the command id stays free.
    const result = await findResult(tx, identity.commandId, ownResultId(identity.commandId));
    if (!result) return;
    // Answered meanwhile over HTTP: the inbox transaction fails, and the consumer's retry finds that answer.
    if (!(await this.answers.insert({ ...identity, channel: 'kafka', outcome: outcomeOfResult(result) }, tx))) throw new AnsweredMeanwhile(identity.commandId);
  }

  /**
   * The answer to a copy of a processed command read again (the inbox knew its id): for other
   * content or another signer's state than the command answered, CommandRejected
   * IDEMPOTENCY_KEY_REUSED, stored in `command-<id>` beside the command's own result; undefined
   * for the same command, whose own result is published again.
   */
  async reused(event: DecodedEvent, store: { appendToStream: AnswerTransaction['appendToStream'] }): Promise<string | undefined> {
    const identity = messageIdentity(event);
    const stored = await this.answers.find(identity.commandId);
    if (!stored || (stored.scope === identity.scope && stored.fingerprint === identity.fingerprint)) return undefined;
    const answer = reusedResult(identity, event);
    await store.appendToStream(commandResultStream(identity.commandId), [answer], { expectedRevision: 'any' }).catch(async (error: unknown) => {
      // Recorded already by an earlier copy of the same message (with other metadata): that one stands.
      if ((error as { code?: string }).code !== 'DUPLICATE_EVENT_ID') throw error;
    });
    return answer.id;
  }
}
