import { Injectable } from '@nestjs/common';
import { reject, type CommandRejection, type TransferCommand, type TransferEvent } from '@custody/contracts';
import { PostgresEventStore, type EventMetadata, type NewEvent, type PostgresTransaction } from '@custody/event-store';
import { applyCommandWithResult, deterministicId, handleCommand, signerRefusal, type CommandOutcome, type StreamStore } from '@custody/platform';
import { InmatesRepository } from '../inmates/inmates.repository';
import { TransferTables, type Queryable } from '../store/transfer-tables';
import { decide, evolve, initialState, type DecisionContext, type TransferState } from './transfer.decider';
import { caseSubject, TRANSFER_COMMAND_RIGHTS } from './transfer.rights';
import { isEndingEvent } from './transfer.state';

export const transferStream = (transferId: string) => `transfer-${transferId}`;

/**
 * The write path of a case: look up what the decider needs (the inmate's facts, the inmate's
 * open case), decide, append with the expected revision, and keep the one-open-case guard in
 * the same transaction. Event ids derive from the command id.
 */
@Injectable()
export class TransferCommands {
  constructor(
    private readonly store: PostgresEventStore,
    private readonly tables: TransferTables,
    private readonly inmates: InmatesRepository,
  ) {}

  /**
   * A command from HTTP (or the scheduler): a rejection is thrown. The reads (the inmate facts, the
   * open case, the stream) go through the pool before a transaction opens; the transaction holds
   * its connection only to append and to guard the one open case. (Reading inside an open
   * transaction took a second connection of the pool, so as many concurrent commands as the pool
   * has connections waited for each other for ever.)
   */
  async execute(command: TransferCommand, metadata: EventMetadata): Promise<{ events: NewEvent[]; state: TransferState; revision?: number }> {
    const decider = this.deciderFor(await this.contextOf(this.tables.pool, command));
    const writer: StreamStore = {
      appendToStream: (stream, events, options) =>
        this.store.transaction(async (tx) => {
          const appended = await tx.appendToStream(stream, events, options);
          await this.guardOpenCase(tx, command, decider.decided());
          return appended;
        }),
    };
    return handleCommand(this.store, transferStream(command.data.transferId), decider, command, {
      metadata,
      writer,
      eventId: (index) => deterministicId(`${command.data.commandId}/${index}`),
    });
  }

  /** A command from Kafka, in the inbox transaction, with its result recorded for custody.command-results. */
  async executeWithResult(tx: PostgresTransaction, command: TransferCommand, commandId: string, metadata: EventMetadata): Promise<CommandOutcome> {
    const decider = this.deciderFor(await this.contextOf(tx, command));
    const outcome = await applyCommandWithResult({
      reader: this.store, tx, stream: transferStream(command.data.transferId), decider, command, commandId, commandType: command.type, metadata,
    });
    if (outcome.accepted) await this.guardOpenCase(tx, command, decider.decided());
    return outcome;
  }

  /**
   * Whether the state that signed a command from Kafka may issue it for this case (the rights of
   * transfer.rights.ts): UNAUTHORISED_ACTOR when not; undefined when it may, when the command came
   * unsigned (COMMAND_SIGNATURES=off) or when the case is unknown (the decider answers). The
   * case's two states are those its request fixed, read from the first event of its stream.
   */
  async signerRefusal(command: TransferCommand, signerState: string | undefined): Promise<CommandRejection | undefined> {
    if (!signerState) return undefined;
    const data = command.data as unknown as Record<string, unknown>;
    let stored: TransferState | undefined;
    for await (const event of this.store.readStream(transferStream(command.data.transferId), { maxCount: 1 })) {
      stored = evolve(initialState(), { type: event.type, data: event.data, schemaVersion: event.schemaVersion } as TransferEvent);
    }
    const inmate = !stored && command.type === 'RequestTransfer' ? await this.inmates.find(command.data.inmateId) : undefined;
    return signerRefusal(signerState, command.type, caseSubject({ type: command.type, data }, stored, inmate?.sendingState), TRANSFER_COMMAND_RIGHTS[command.type]);
  }

  /** An effect of another service's event (no result is published), in the inbox transaction. */
  async executeInTransaction(tx: PostgresTransaction, command: TransferCommand, metadata: EventMetadata): Promise<NewEvent[]> {
    const decider = this.deciderFor(await this.contextOf(tx, command));
    const { events } = await handleCommand(this.store, transferStream(command.data.transferId), decider, command, {
      metadata,
      writer: tx,
      eventId: (index) => deterministicId(`${command.data.commandId}/${index}`),
    });
    await this.guardOpenCase(tx, command, decider.decided());
    return events;
  }

  private async contextOf(on: Queryable, command: TransferCommand): Promise<DecisionContext> {
    const { inmateId } = command.data;
    const [inmate, active] = await Promise.all([
      this.inmates.find(inmateId, on),
      on.query<{ transfer_id: string }>(`SELECT transfer_id FROM ${this.tables.s}.active_transfers WHERE inmate_id = $1`, [inmateId]),
    ]);
    return { inmate, activeTransferId: active.rows[0]?.transfer_id };
  }

  /** The decider with its context, remembering the events of its last decision (the one appended). */
  private deciderFor(context: DecisionContext) {
    let last: TransferEvent[] = [];
    return {
      initialState,
      evolve,
      decide: (command: TransferCommand, state: TransferState) => (last = decide(command, state, context)),
      decided: () => last,
    };
  }

  /**
   * Rule 6, race-free: the table's primary key lets one open case per inmate exist; a second
   * request that got past the decider's check (a concurrent one) rolls back here.
   */
  private async guardOpenCase(tx: Queryable, command: TransferCommand, events: TransferEvent[]): Promise<void> {
    const { inmateId, transferId } = command.data;
    for (const event of events) {
      if (event.type === 'TransferRequested') {
        const claimed = await tx.query(
          `INSERT INTO ${this.tables.s}.active_transfers (inmate_id, transfer_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
          [inmateId, transferId],
        );
        if (claimed.rowCount === 0) {
          const { rows } = await tx.query<{ transfer_id: string }>(`SELECT transfer_id FROM ${this.tables.s}.active_transfers WHERE inmate_id = $1`, [inmateId]);
          if (rows[0]?.transfer_id !== transferId) throw reject('TRANSFER_ALREADY_ACTIVE', { activeTransferId: rows[0]?.transfer_id ?? 'unknown' });
        }
      } else if (isEndingEvent(event)) {
        await tx.query(`DELETE FROM ${this.tables.s}.active_transfers WHERE transfer_id = $1`, [transferId]);
      }
    }
  }
}
