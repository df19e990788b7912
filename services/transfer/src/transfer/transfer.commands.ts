import { Injectable } from '@nestjs/common';
import { reject, TOPICS, type CommandRejection, type TransferCommand, type TransferEvent } from '@custody/contracts';
import { PostgresEventStore, type EventMetadata, type NewEvent, type PostgresTransaction } from '@custody/event-store';
import {
  applyCommandWithResult, commandScope, handleCommand, inSavepoint, KeptStates, upcast, type CommandOutcome, type Decider, type Decision, type Handled, type HandleOptions, type IdScope,
} from '@custody/event-sourcing';
import { Arrivals, observedCommand, recordingClock } from '@custody/platform';
import { signerRefusal } from '@custody/security';
import { TransferConfig } from '../config';
import { Clock } from '../deadlines/clock';
import type { InmateRecord } from '../inmates/inmate-record';
import { PersonalOpinions } from '../personal-data/opinion';
import { InmatesRepository } from '../inmates/inmates.repository';
import { TransferTables, type Queryable } from '../store/transfer-tables';
import { decide, evolve, initialState, type DecisionContext, type TransferState } from './transfer.decider';
import { caseSubject, RECORDED_BY_THE_SERVICE, TRANSFER_COMMAND_RIGHTS } from './transfer.rights';
import { isEndingEvent, type DatedTransferEvent } from './transfer.state';
import { SERVICE, transferEventIds } from '../ids';

export const transferStream = (transferId: string) => `transfer-${transferId}`;

/**
 * The write path of a case: look up what the decider needs (the inmate's facts, the inmate's
 * open case), decide, append with the expected revision, and keep the one-open-case guard in
 * the same transaction. Event ids derive from the command id.
 */
@Injectable()
export class TransferCommands {
  /** The cases as last committed here: a command is decided without reading its stream first (docs/adr/0021-commands-decided-on-kept-state.md). */
  private readonly kept = new KeptStates<TransferState>();

  constructor(
    private readonly store: PostgresEventStore,
    private readonly tables: TransferTables,
    private readonly inmates: InmatesRepository,
    private readonly config: TransferConfig,
    private readonly clock: Clock,
    private readonly arrivals: Arrivals,
    private readonly opinions: PersonalOpinions,
  ) {}

  /**
   * A command from HTTP (or the scheduler): a rejection is thrown. The reads (the inmate facts, the
   * open case, the stream) go through the pool before a transaction opens; the transaction holds
   * its connection only to append and to guard the one open case. (Reading inside an open
   * transaction took a second connection of the pool, so as many concurrent commands as the pool
   * has connections waited for each other for ever.)
   */
  async execute(
    command: TransferCommand,
    metadata: EventMetadata,
    onApplied?: HandleOptions<TransferEvent, TransferState, PostgresTransaction>['onApplied'],
  ): Promise<Handled<TransferEvent, TransferState>> {
    const decider = this.deciderFor(await this.contextOf(this.tables.pool, command, this.clockFor(command), { wait: true }));
    return handleCommand(this.store, transferStream(command.data.transferId), decider, command, {
      ...this.options(command, metadata),
      kept: this.kept,
      unitOfWork: (work) => this.store.transaction(work),
      // What must commit with the events (the route's answer: docs/adr/0010-http-idempotency-by-command-id.md).
      ...(onApplied ? { onApplied } : {}),
    });
  }

  /**
   * A command from Kafka, in the inbox transaction, with its result recorded for custody.command-results.
   * Everything is read through that transaction (the case's stream included): a consumer applies
   * many messages in one, and a second command for a case in the same batch must see the first.
   * The events and the guard run in a savepoint: a second open case refused by the guard is
   * rolled back alone and answered TRANSFER_ALREADY_ACTIVE.
   */
  async executeWithResult(tx: PostgresTransaction, command: TransferCommand, commandId: string, metadata: EventMetadata): Promise<CommandOutcome> {
    const decider = this.deciderFor(await this.contextOf(tx, command, this.clockFor(command)));
    const { metadata: traced, ...options } = this.options(command, metadata);
    return applyCommandWithResult({
      service: SERVICE, reader: tx, tx, unitOfWork: inSavepoint(tx), stream: transferStream(command.data.transferId), decider, command, commandId,
      commandType: command.type, metadata: traced,
      options: {
        prepare: options.prepare, afterAppend: options.afterAppend, kept: this.kept, afterCommit: (keep) => tx.afterCommit(keep),
        ...(options.observer ? { observer: options.observer } : {}),
      },
    });
  }

  /**
   * Whether the state that signed a command from Kafka may issue it for this case (the rights of
   * transfer.rights.ts): UNAUTHORISED_ACTOR when not; undefined when it may, when the command came
   * unsigned (COMMAND_SIGNATURES=off) or when the case is unknown (the decider answers). The
   * case's two states are those its request fixed, read from the first event of its stream,
   * through the inbox transaction `tx` (a case requested earlier in the same batch is known).
   */
  async signerRefusal(tx: PostgresTransaction, command: TransferCommand, signerState: string | undefined): Promise<CommandRejection | undefined> {
    if (!signerState) return undefined;
    const data = command.data as unknown as Record<string, unknown>;
    const stream = transferStream(command.data.transferId);
    // The two states are fixed by the request: a kept case has them, committed.
    let stored = this.kept.get(stream)?.state;
    if (!stored) {
      for await (const event of tx.readStream(stream, { maxCount: 1 })) {
        stored = evolve(initialState(), upcast({ type: event.type, data: event.data, schemaVersion: event.schemaVersion }) as TransferEvent);
      }
    }
    const inmate = !stored && command.type === 'RequestTransfer' ? await this.inmates.find(command.data.inmateId, tx) : undefined;
    return signerRefusal(signerState, command.type, caseSubject({ type: command.type, data }, stored, inmate?.sendingState), TRANSFER_COMMAND_RIGHTS[command.type]);
  }

  /** An effect of another service's event (no result is published), read and written in the inbox transaction. */
  async executeInTransaction(tx: PostgresTransaction, command: TransferCommand, metadata: EventMetadata, scope: IdScope): Promise<NewEvent[]> {
    const decider = this.deciderFor(await this.contextOf(tx, command));
    const { events } = await handleCommand(tx, transferStream(command.data.transferId), decider, command, {
      ...this.options(command, metadata, scope),
      kept: this.kept,
      afterCommit: (keep) => tx.afterCommit(keep),
      unitOfWork: inSavepoint(tx),
    });
    return events;
  }

  /**
   * What every path gives the handler: ids derived from this service, who caused the command (its
   * acting state, or the event it is the effect of) and its id (docs/adr/0014-namespaced-event-ids.md),
   * and the one-open-case guard in the unit of work.
   */
  private options(
    command: TransferCommand,
    metadata: EventMetadata,
    scope: IdScope = commandScope(command.data.commandId, metadata.actor),
  ): HandleOptions<TransferEvent, TransferState, PostgresTransaction> {
    return {
      ...observedCommand(metadata),
      eventId: transferEventIds(scope),
      // Rule 16: the opinion sealed under the person's key before anything is stored (docs/personal-data.md).
      prepare: async ({ events }) => ({ events: await this.opinions.seal(events) }),
      afterAppend: (tx: Queryable, { decided }: Decision<TransferEvent, TransferState>) => this.guardOpenCase(tx, command, decided),
    };
  }

  /** `wait`: outside any transaction (HTTP, the scheduler), intake's events still on their way may be waited for (NOT_YET_KNOWN_WAIT_MS). */
  private async contextOf(on: Queryable, command: TransferCommand, clock?: DecisionContext['clock'], { wait = false }: { wait?: boolean } = {}): Promise<DecisionContext> {
    const { inmateId } = command.data;
    const { record: found, activeTransferId } = await this.inmates.findWithOpenCase(inmateId, on);
    const { inmate, intakeInFlight } = await this.inmateFacts(on, inmateId, found, wait);
    // Rule 19: a return is decided on the case it undoes.
    const returnOf = command.type === 'RequestReturn' ? await this.caseOf(on, command.data.returnOf) : undefined;
    return {
      inmate, activeTransferId, ...(intakeInFlight ? { intakeInFlight } : {}), ...(clock ? { clock } : {}), ...(returnOf ? { returnOf } : {}),
    };
  }

  /** Rule 19: the person's open return from `facilityId`, if any (its case id). */
  async openReturnFrom(tx: PostgresTransaction, inmateId: string, facilityId: string): Promise<string | undefined> {
    const { rows } = await tx.query<{ transfer_id: string }>(`SELECT transfer_id FROM ${this.tables.s}.active_transfers WHERE inmate_id = $1`, [inmateId]);
    const open = rows[0]?.transfer_id;
    if (!open) return undefined;
    const state = await this.caseOf(tx, open);
    return state?.returnOf?.fromFacilityId === facilityId ? open : undefined;
  }

  /** A case as its stream folds, with the dates of its steps; read through the transaction when there is one. */
  private async caseOf(on: Queryable, transferId: string): Promise<TransferState | undefined> {
    const reader = 'readStream' in on ? (on as PostgresTransaction) : this.store;
    let state: TransferState | undefined;
    for await (const recorded of reader.readStream(transferStream(transferId))) {
      const folded = upcast({ type: recorded.type, data: recorded.data, schemaVersion: recorded.schemaVersion }) as TransferEvent;
      state = evolve(state ?? initialState(), { ...folded, occurredAt: recorded.metadata.occurredAt } as DatedTransferEvent);
    }
    return state;
  }

  /**
   * The person's facts from intake, and whether more may be on their way (docs/adr/0012-not-yet-known-here.md):
   * without a registration or a sentence here, the partition of the person on intake's events
   * topic is asked (and, with `wait`, waited for); while it holds unconsumed messages, the decider
   * answers NOT_YET_KNOWN_HERE where it would answer INMATE_NOT_FOUND or SENTENCE_NOT_RECORDED.
   * Consumed, the facts are read again (an event applied meanwhile is seen) and the decider's
   * answer stands.
   */
  private async inmateFacts(on: Queryable, inmateId: string, found: InmateRecord | undefined, wait: boolean): Promise<Pick<DecisionContext, 'inmate' | 'intakeInFlight'>> {
    if (found?.sendingState && found.sentence) return { inmate: found };
    const pending = await this.arrivals.pending(TOPICS.intakeEvents, inmateId, { wait });
    if (pending) return { inmate: found, intakeInFlight: { retryAfterSeconds: pending.retryAfterSeconds, unconsumed: pending.unconsumed } };
    return { inmate: await this.inmates.find(inmateId, on) };
  }

  /**
   * Rule 17: a ministry's act is checked against the service's clock (never in the future, not late
   * without a reason); the facts the service records itself carry the date of the fact that
   * settles them (custody's event, the passing of a deadline) and are not.
   */
  private clockFor(command: TransferCommand): DecisionContext['clock'] {
    return RECORDED_BY_THE_SERVICE[command.type] ? undefined : recordingClock(this.config, this.clock.now());
  }

  /** The decider with the facts it decides on (the inmate, the inmate's open case). */
  private deciderFor(context: DecisionContext): Decider<TransferCommand, TransferEvent, TransferState> {
    return { initialState, evolve, decide: (command, state) => decide(command, state, context) };
  }

  /**
   * Rule 6, race-free: the table's primary key lets one open case per inmate exist; a second
   * request that got past the decider's check (a concurrent one) rolls back here.
   */
  private async guardOpenCase(tx: Queryable, command: TransferCommand, events: TransferEvent[]): Promise<void> {
    const { inmateId, transferId } = command.data;
    for (const event of events) {
      if (event.type === 'TransferRequested' || event.type === 'ReturnRequested') {
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
