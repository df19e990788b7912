import { Injectable } from '@nestjs/common';
import {
  applyCommandWithResult, asRejection, commandResultStream, commandScope, handleCommand, loadState, resultEvent, retryPolicy, type IdScope,
  type CommandOutcome, type Handled, type RetryPolicy, type StreamReader, type StreamStore,
} from '@custody/event-sourcing';
import { PostgresEventStore, type EventMetadata, type PostgresTransaction } from '@custody/event-store';
import { observedCommand, recordingClock, type CommandAnswer } from '@custody/platform';
import { PersonalDataKeys } from '@custody/personal-data';
import { IntakeConfig } from '../config';
import { PersonalDataStore } from '../personal-data/personal-data.store';
import { documentsOf } from '../personal-data/personal-fields';
import { retentionPolicyOf, type RetentionPolicy } from '../personal-data/retention-period';
import { DocumentRegistry, type DocumentPlan } from './document-registry';
import { inmateDecider, inmateDeciderAt, type Inmate, type InmateCommand, type InmateEvent } from './inmate.decider';
import { intakeEventIds, SERVICE } from '../ids';

/** A command as it arrives (HTTP or Kafka): ErasePersonalData without what the handler adds. */
export type IncomingCommand = Exclude<InmateCommand, { type: 'ErasePersonalData' }> | {
  type: 'ErasePersonalData';
  data: Omit<Extract<InmateCommand, { type: 'ErasePersonalData' }>['data'], 'retention' | 'keyId' | 'asOf'>;
};

export const inmateStream = (inmateId: string) => `inmate-${inmateId}`;

/** A writer of the personal data store inside a transaction, and the transaction itself. */
type SealingWriter = StreamStore & { tx: PostgresTransaction };

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
  /** COMMAND_MAX_ATTEMPTS attempts in all, whatever path the command takes. */
  private readonly retry: RetryPolicy;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly documents: DocumentRegistry,
    private readonly config: IntakeConfig,
    private readonly personalData: PersonalDataStore,
    private readonly keys: PersonalDataKeys,
  ) {
    this.retention = retentionPolicyOf(config);
    this.retry = retryPolicy({ maxAttempts: config.COMMAND_MAX_ATTEMPTS });
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
   * concurrent commands as the pool has connections waited for each other for ever.) `answer`, the
   * route's, is recorded in the transaction of the events (docs/adr/0010-http-idempotency-by-command-id.md).
   */
  async execute(incoming: IncomingCommand, metadata: EventMetadata, commandId: string, answer?: CommandAnswer): Promise<Accepted> {
    const command = await this.complete(incoming);
    const accepted = (handled: Handled<InmateEvent, Inmate>): Accepted => ({
      inmateId: command.data.inmateId, commandId, eventIds: handled.events.map((e) => e.id), revision: handled.revision,
    });
    let plan: DocumentPlan | undefined;
    // Rule 17: a ministry's act, on the service's clock.
    const result = await handleCommand(this.personalData, inmateStream(command.data.inmateId), inmateDeciderAt(recordingClock(this.config)), command, {
      ...observedCommand(metadata),
      retry: this.retry,
      eventId: intakeEventIds(commandScope(commandId, metadata.actor)),
      prepare: async ({ events }) => {
        // Planned at each attempt: a registration that lost a race for a document is then told which.
        plan = await this.planDocuments(command);
        // Sealed through the pool before the transaction opens (the key may have to be created).
        return { events: await this.personalData.seal(events) };
      },
      unitOfWork: (work) => this.store.transaction((tx) => work(this.writerIn(tx))),
      afterAppend: async ({ tx }: SealingWriter) => {
        if (plan) await this.documents.hold(tx, plan, commandId, metadata);
      },
      ...(answer ? { onApplied: answer.whenApplied(accepted, ({ tx }: SealingWriter) => tx) } : {}),
    });
    return accepted(result);
  }

  /**
   * Kafka: applies the command inside the consumer's inbox transaction and records its result
   * (CommandAccepted / CommandRejected) there, for the relay to publish on custody.command-results.
   * Everything is read through that transaction (the inmate's stream, the documents): a consumer
   * applies many messages in one, and a second command for a person in the same batch must see
   * the first. A document taken by a concurrent registration fails the transaction: the consumer
   * retries, and the retry answers INMATE_ALREADY_REGISTERED.
   */
  async applyWithResult(tx: PostgresTransaction, incoming: IncomingCommand, commandId: string, metadata: EventMetadata): Promise<CommandOutcome> {
    let plan: DocumentPlan | undefined;
    let command: InmateCommand;
    const reader = this.personalData.readerIn(tx);
    try {
      command = await this.complete(incoming);
      plan = await this.planDocuments(command, reader);
    } catch (error) {
      const rejection = asRejection(error);
      if (!rejection) throw error;
      await this.recordResult(tx, commandId, incoming.type, rejection, metadata);
      return rejection;
    }
    const held = plan;
    const observed = observedCommand(metadata);
    return applyCommandWithResult({
      reader, tx, writer: this.writerIn(tx), stream: inmateStream(command.data.inmateId),
      service: SERVICE, decider: inmateDeciderAt(recordingClock(this.config)), command, commandId, commandType: command.type, metadata: observed.metadata,
      options: {
        retry: this.retry,
        ...(observed.observer ? { observer: observed.observer } : {}),
        // A document taken meanwhile fails the inbox transaction: the handler cannot undo the append it made in it.
        afterAppend: async (unit) => {
          if (held) await this.documents.hold(unit.tx, held, commandId, metadata);
        },
      },
    });
  }

  /** Records the result of a command that never reached the decider (e.g. a body that breaks the contract). */
  async recordResult(tx: PostgresTransaction, commandId: string, commandType: string, outcome: CommandOutcome, metadata: EventMetadata): Promise<void> {
    await tx.appendToStream(commandResultStream(commandId), [resultEvent(commandId, commandType, outcome, metadata)], { expectedRevision: 'any' });
  }

  /**
   * Effects of other services' events (a taking into charge, a report): read, decided and
   * appended in the consumer's transaction, with ids derived from the event's id.
   */
  async applyEffect(tx: PostgresTransaction, command: InmateCommand, cause: IdScope, metadata: EventMetadata) {
    return this.decideAndAppend(tx, command, metadata, cause);
  }

  /** The current state of an inmate, and the revision it was built at: as committed, or as the consumer's transaction `tx` sees it. */
  load(inmateId: string, tx?: PostgresTransaction): Promise<{ state: Inmate; revision: number | undefined }> {
    return loadState<InmateEvent, Inmate>(tx ? this.personalData.readerIn(tx) : this.personalData, inmateStream(inmateId), inmateDecider);
  }

  private decideAndAppend(tx: PostgresTransaction, command: InmateCommand, metadata: EventMetadata, cause: IdScope) {
    return handleCommand(this.personalData.readerIn(tx), inmateStream(command.data.inmateId), inmateDecider, command, {
      ...observedCommand(metadata),
      writer: this.personalData.writer(tx),
      retry: this.retry,
      eventId: intakeEventIds(cause),
    });
  }

  /** Appends through the personal data store (sealing), with the transaction for the documents. */
  private writerIn(tx: PostgresTransaction): SealingWriter {
    return { ...this.personalData.writer(tx), tx };
  }

  /**
   * The documents a registration or an identity correction must hold, or an erasure let go;
   * undefined for other commands. Read through `reader` (the pool's, or a consumer's transaction).
   */
  private async planDocuments(command: InmateCommand, reader: StreamReader = this.personalData): Promise<DocumentPlan | undefined> {
    if (command.type === 'RegisterInmate') {
      const { inmateId, sendingState, identity } = command.data;
      return this.documents.plan(inmateId, sendingState, identity.documents, [], reader);
    }
    if (command.type === 'CorrectInmateRecord' && command.data.identity) {
      const { state } = await loadState<InmateEvent, Inmate>(reader, inmateStream(command.data.inmateId), inmateDecider);
      // An erased record keeps no documents; the decider refuses the correction.
      if (state.status === 'unregistered' || state.isPersonalDataErased) return undefined;
      return this.documents.plan(state.inmateId, state.sendingState, command.data.identity.documents, documentsOf(state.identity), reader);
    }
    if (command.type === 'ErasePersonalData') {
      // Rule 16: an erased person holds no document any more (written only if the erasure is decided).
      const { state } = await loadState<InmateEvent, Inmate>(reader, inmateStream(command.data.inmateId), inmateDecider);
      if (state.status === 'unregistered' || state.isPersonalDataErased) return undefined;
      return this.documents.plan(state.inmateId, state.sendingState, [], documentsOf(state.identity), reader);
    }
    return undefined;
  }
}
