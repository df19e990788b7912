import { Injectable } from '@nestjs/common';
import { CommandRejection } from '@custody/contracts';
import { PostgresEventStore, type EventMetadata, type PostgresTransaction } from '@custody/event-store';
import {
  applyCommandWithResult, asRejection, commandResultStream, deterministicId, handleCommand, loadState,
  resultEvent, type CommandOutcome, type StreamStore,
} from '@custody/platform';
import { IntakeConfig } from '../config';
import { PersonalDataKeys } from '@custody/platform';
import { PersonalDataStore } from '../personal-data/personal-data.store';
import { documentsOf } from '../personal-data/personal-fields';
import { retentionPolicyOf, type RetentionPolicy } from '../personal-data/retention-period';
import { DocumentRegistry, type DocumentPlan } from './document-registry';
import { inmateDecider, type Inmate, type InmateCommand, type InmateEvent } from './inmate.decider';

/** A command as it arrives (HTTP or Kafka): ErasePersonalData without what the handler adds. */
export type IncomingCommand = Exclude<InmateCommand, { type: 'ErasePersonalData' }> | {
  type: 'ErasePersonalData';
  data: Omit<Extract<InmateCommand, { type: 'ErasePersonalData' }>['data'], 'retention' | 'keyId' | 'asOf'>;
};

export const inmateStream = (inmateId: string) => `inmate-${inmateId}`;

/** What an accepted command produced. */
export interface Accepted {
  inmateId: string;
  commandId: string;
  eventIds: string[];
  /** The revision of the inmate's stream after the command. */
  revision: number | undefined;
}

/**
 * The write path of the inmate record, the same for HTTP and Kafka: plan the identity documents
 * (one person, one record), load the stream, decide, append the events and the documents in one
 * transaction. Event ids derive from the command id, so a command applied twice is recognised.
 * Events go through the personal data store: personal fields are encrypted before they are
 * stored and decrypted (or shown erased) when the stream is loaded.
 */
@Injectable()
export class InmateCommands {
  private readonly retention: RetentionPolicy;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly documents: DocumentRegistry,
    private readonly config: IntakeConfig,
    private readonly personalData: PersonalDataStore,
    private readonly keys: PersonalDataKeys,
  ) {
    this.retention = retentionPolicyOf(config);
  }

  /** The command as the decider takes it: an erasure gets the retention policy, the person's key id and the service's clock. */
  private async complete(command: IncomingCommand): Promise<InmateCommand> {
    if (command.type !== 'ErasePersonalData') return command;
    const keyId = await this.keys.keyId(command.data.inmateId);
    return { type: 'ErasePersonalData', data: { ...command.data, retention: this.retention, asOf: new Date().toISOString(), ...(keyId ? { keyId } : {}) } };
  }

  /**
   * HTTP: applies the command or throws its CommandRejection (409 CONCURRENCY_CONFLICT when retries
   * ran out). The reads (the documents, the stream) go through the pool before a transaction opens;
   * the transaction holds its connection only to append the events and hold the documents. (Loading
   * the stream inside an open transaction took a second connection of the pool, so as many
   * concurrent commands as the pool has connections waited for each other for ever.)
   */
  async execute(incoming: IncomingCommand, metadata: EventMetadata, commandId: string): Promise<Accepted> {
    const command = await this.complete(incoming);
    const writer: StreamStore = {
      appendToStream: async (stream, events, options) => {
        // Planned at each attempt: a registration that lost a race for a document is then told which.
        const plan = await this.planDocuments(command);
        // Sealed through the pool before the transaction opens (the key may have to be created).
        const sealed = await this.personalData.seal(events);
        return this.store.transaction(async (tx) => {
          const appended = await this.personalData.writer(tx).appendToStream(stream, sealed, options);
          if (events.length > 0 && plan) await this.documents.hold(tx, plan, commandId, metadata);
          return appended;
        });
      },
    };
    for (let round = 1; ; round++) {
      try {
        const result = await handleCommand(this.personalData, inmateStream(command.data.inmateId), inmateDecider, command, {
          metadata,
          writer,
          maxAttempts: this.config.COMMAND_MAX_ATTEMPTS,
          eventId: (index) => deterministicId(`${commandId}/${index}`),
        });
        return { inmateId: command.data.inmateId, commandId, eventIds: result.events.map((e) => e.id), revision: result.revision };
      } catch (error) {
        const isConflict = error instanceof CommandRejection && error.code === 'CONCURRENCY_CONFLICT';
        if (!isConflict || round >= this.config.COMMAND_MAX_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * round));
      }
    }
  }

  /**
   * Kafka: applies the command inside the consumer's inbox transaction and records its result
   * (CommandAccepted / CommandRejected) there, for the relay to publish on custody.command-results.
   * A document taken by a concurrent registration fails the transaction: the consumer retries,
   * and the retry answers INMATE_ALREADY_REGISTERED.
   */
  async applyWithResult(tx: PostgresTransaction, incoming: IncomingCommand, commandId: string, metadata: EventMetadata): Promise<CommandOutcome> {
    let plan: DocumentPlan | undefined;
    let command: InmateCommand;
    try {
      command = await this.complete(incoming);
      plan = await this.planDocuments(command);
    } catch (error) {
      const rejection = asRejection(error);
      if (!rejection) throw error;
      await this.recordResult(tx, commandId, incoming.type, rejection, metadata);
      return rejection;
    }
    const outcome = await applyCommandWithResult({
      reader: this.personalData, tx: this.personalData.writer(tx), stream: inmateStream(command.data.inmateId), decider: inmateDecider, command,
      commandId, commandType: command.type, metadata,
    });
    if (outcome.accepted && outcome.eventIds.length > 0 && plan) await this.documents.hold(tx, plan, commandId, metadata);
    return outcome;
  }

  /** Records the result of a command that never reached the decider (e.g. a body that breaks the contract). */
  async recordResult(tx: PostgresTransaction, commandId: string, commandType: string, outcome: CommandOutcome, metadata: EventMetadata): Promise<void> {
    await tx.appendToStream(commandResultStream(commandId), [resultEvent(commandId, commandType, outcome, metadata)], { expectedRevision: 'any' });
  }

  /**
   * Effects of other services' events (a taking into charge, a report): decided and appended in
   * the consumer's transaction, with ids derived from the event's id.
   */
  async applyEffect(tx: PostgresTransaction, command: InmateCommand, causationId: string, metadata: EventMetadata) {
    return this.decideAndAppend(tx, command, metadata, causationId);
  }

  /** The current state of an inmate, and the revision it was built at. */
  load(inmateId: string): Promise<{ state: Inmate; revision: number | undefined }> {
    return loadState<InmateEvent, Inmate>(this.personalData, inmateStream(inmateId), inmateDecider);
  }

  private decideAndAppend(tx: PostgresTransaction, command: InmateCommand, metadata: EventMetadata, idSeed: string) {
    return handleCommand(this.personalData, inmateStream(command.data.inmateId), inmateDecider, command, {
      metadata,
      writer: this.personalData.writer(tx),
      maxAttempts: this.config.COMMAND_MAX_ATTEMPTS,
      eventId: (index) => deterministicId(`${idSeed}/${index}`),
    });
  }

  /** The documents a registration or an identity correction must hold, or an erasure let go; undefined for other commands. */
  private async planDocuments(command: InmateCommand): Promise<DocumentPlan | undefined> {
    if (command.type === 'RegisterInmate') {
      const { inmateId, sendingState, identity } = command.data;
      return this.documents.plan(inmateId, sendingState, identity.documents);
    }
    if (command.type === 'CorrectInmateRecord' && command.data.identity) {
      const { state } = await this.load(command.data.inmateId);
      // An erased record keeps no documents; the decider refuses the correction.
      if (state.status === 'unregistered' || state.isPersonalDataErased) return undefined;
      return this.documents.plan(state.inmateId, state.sendingState, command.data.identity.documents, documentsOf(state.identity));
    }
    if (command.type === 'ErasePersonalData') {
      // Rule 16: an erased person holds no document any more (written only if the erasure is decided).
      const { state } = await this.load(command.data.inmateId);
      if (state.status === 'unregistered' || state.isPersonalDataErased) return undefined;
      return this.documents.plan(state.inmateId, state.sendingState, [], documentsOf(state.identity));
    }
    return undefined;
  }
}
