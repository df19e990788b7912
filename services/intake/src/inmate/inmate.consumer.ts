import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  type CustodyReceivedPayload, type InmateDiedInCustodyPayload, type InmateEscapedPayload,
  type InmateRecapturedPayload, type PardonOrAmnestyGrantedPayload, type PlacementDecidedPayload, type ReceivingStateDecisionRecordedPayload, type ReturnRequestedPayload, type TransferRequestedPayload, type ReportKind,
} from '@custody/contracts';
import type { PostgresTransaction } from '@custody/event-store';
import { PermanentHandlerError, type DecodedEvent, type HandlerContext } from '@custody/messaging';
import { applyEffect, causedBy, messageMetadata } from '@custody/platform';
import { InmateCommands } from './inmate.commands';
import { TransferCases } from './transfer-cases';
import type { InmateCommand } from './inmate.decider';

type Context = HandlerContext<PostgresTransaction>;

/**
 * Kafka in, other services' facts: the transfer and custody events that change the sending
 * state's enforcement (Rule 12) and the receiving state's reports (Rule 13) become the inmate's
 * events. (Commands on custody.intake.commands are handled from inmate.command-table.ts.)
 * Everything runs in the inbox transaction: a redelivered message changes nothing.
 */
@Controller()
export class InmateConsumer {
  constructor(
    private readonly commands: InmateCommands,
    private readonly cases: TransferCases,
  ) {}

  /** A case requested for one of the persons: kept to corroborate its hand-over. */
  @EventPattern('TransferRequested')
  async transferRequested(@Payload() event: DecodedEvent, @Ctx() { tx }: Context): Promise<void> {
    await this.cases.requested(tx, event.data as TransferRequestedPayload);
  }

  /** The receiving state's decision on a case: a hand-over is believed only for a recognised case. */
  @EventPattern('ReceivingStateDecisionRecorded')
  async decisionRecorded(@Payload() event: DecodedEvent, @Ctx() { tx }: Context): Promise<void> {
    await this.cases.decided(tx, event.data as ReceivingStateDecisionRecordedPayload);
  }

  /** Rule 18: the lessee's placement decision on a lease case: its hand-over is believed as a recognised case's. */
  @EventPattern('PlacementDecided')
  async placementDecided(@Payload() event: DecodedEvent, @Ctx() { tx }: Context): Promise<void> {
    await this.cases.placed(tx, event.data as PlacementDecidedPayload);
  }

  /** Rule 19: a return of one of the persons to this state was decided: kept to corroborate its hand-over. */
  @EventPattern('ReturnRequested')
  async returnRequested(@Payload() event: DecodedEvent, @Ctx() { tx }: Context): Promise<void> {
    await this.cases.returnRequested(tx, event.data as ReturnRequestedPayload);
  }

  /**
   * Rule 12: the receiving state took the person into charge; the sending state's enforcement is
   * suspended. Only for a case intake saw requested by the person's sending state and recognised
   * by the state that now says it holds them: anything else is not applied but set aside in the
   * dead-letter topic (FACT_NOT_CORROBORATED), since it would hand another state the person's
   * record.
   */
  @EventPattern('CustodyReceived')
  async custodyReceived(@Payload() event: DecodedEvent, @Ctx() context: Context): Promise<void> {
    const received = event.data as CustodyReceivedPayload;
    const { inmateId, transferId, receivedBy } = received;
    const { state } = await this.commands.load(inmateId, context.tx);
    const problem = await this.cases.uncorroborated(context.tx, received, state.status === 'unregistered' ? undefined : state.sendingState);
    if (problem) throw new PermanentHandlerError('FACT_NOT_CORROBORATED', `CustodyReceived ${event.id} ${problem}; not applied`);
    if (await this.cases.isReturn(context.tx, transferId)) {
      // Rules 12 and 19: the person is back in the state that sentenced them, which enforces the sentence again.
      await this.effect(event, context, {
        type: 'ResumeEnforcement',
        data: { commandId: event.id, occurredAt: event.occurredAt, inmateId, reason: 'returned-to-sending-state', explanation: `Received back by ${receivedBy.organisation} (return ${transferId}).` },
      });
      return;
    }
    await this.effect(event, context, {
      type: 'SuspendEnforcement',
      data: { commandId: event.id, occurredAt: event.occurredAt, inmateId, transferId, receivingState: receivedBy.state },
    });
  }

  /** Rule 12: enforcement resumes when the person is found back in the sending state. */
  @EventPattern('InmateRecaptured')
  async recaptured(@Payload() event: DecodedEvent, @Ctx() context: Context): Promise<void> {
    const { inmateId, stateFoundIn } = event.data as InmateRecapturedPayload;
    const { state } = await this.commands.load(inmateId, context.tx);
    if (state.status === 'unregistered' || state.sendingState !== stateFoundIn || state.enforcement.status !== 'suspended') return;
    await this.effect(event, context, {
      type: 'ResumeEnforcement',
      data: { commandId: event.id, occurredAt: event.occurredAt, inmateId, reason: 'escape-to-sending-state', explanation: 'Recaptured in the sending state.' },
    });
  }

  // Rule 13: the receiving state's reports; completion, death and a full pardon end enforcement, an escape home resumes it.
  @EventPattern('SentenceCompleted') sentenceCompleted(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.report('sentence-completed', e, c); }
  @EventPattern('InmateEscaped')
  escaped(@Payload() e: DecodedEvent, @Ctx() c: Context) {
    return this.report('escape', e, c, { believedWhereabouts: (e.data as InmateEscapedPayload).believedWhereabouts });
  }
  @EventPattern('ConditionalReleaseGranted') conditionalRelease(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.report('conditional-release', e, c); }
  @EventPattern('PardonOrAmnestyGranted')
  pardoned(@Payload() e: DecodedEvent, @Ctx() c: Context) {
    return this.report('pardon-or-amnesty', e, c, { isFull: (e.data as PardonOrAmnestyGrantedPayload).isFull });
  }
  @EventPattern('InmateCannotBeFound') cannotBeFound(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.report('cannot-be-found', e, c); }
  @EventPattern('InmateDiedInCustody') died(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.report('death', e, c); }

  private report(report: ReportKind, event: DecodedEvent, context: Context, facts: { believedWhereabouts?: InmateEscapedPayload['believedWhereabouts']; isFull?: boolean } = {}) {
    const { inmateId } = event.data as InmateDiedInCustodyPayload;
    return this.effect(event, context, {
      type: 'ReceiveReport',
      data: {
        inmateId, reportEventId: event.id, report, occurredAt: event.occurredAt,
        ...(facts.believedWhereabouts ? { believedWhereabouts: facts.believedWhereabouts } : {}),
        ...(facts.isFull !== undefined ? { isFull: facts.isFull } : {}),
      },
    });
  }

  /**
   * Applies the effect in the inbox transaction (read through it too). A person this service never
   * registered is an inconsistency an operator must see (dead-letter); another refusal (e.g.
   * enforcement already ended) means the fact is already reflected: counted and logged (applyEffect).
   */
  private effect(event: DecodedEvent, { tx }: Context, command: InmateCommand): Promise<void> {
    const apply = () => this.commands.applyEffect(tx, command, { ...causedBy(event), cause: `${event.id}/${command.type}` }, messageMetadata(event));
    return applyEffect(event, command, apply, { deadLetter: ['INMATE_NOT_FOUND'], target: `inmate ${command.data.inmateId}` });
  }
}
