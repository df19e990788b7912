import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  CommandRejection, type CustodyReceivedPayload, type InmateDiedInCustodyPayload, type InmateEscapedPayload,
  type InmateRecapturedPayload, type IntakeCommandType, type PardonOrAmnestyGrantedPayload, type ReportKind,
} from '@custody/contracts';
import type { PostgresTransaction } from '@custody/event-store';
import { PermanentHandlerError, type DecodedEvent, type HandlerContext } from '@custody/messaging';
import { deterministicId } from '@custody/event-sourcing';
import { messageMetadata, recordRefusedEffect, refuseCommand, signerStateOf } from '@custody/platform';
import { type IncomingCommand, InmateCommands } from './inmate.commands';
import type { InmateCommand } from './inmate.decider';
import { InmateRights } from './inmate.rights';

type Context = HandlerContext<PostgresTransaction>;

/**
 * Kafka in. Commands on custody.intake.commands are applied with their result recorded for
 * custody.command-results. The transfer and custody events that change the sending state's
 * enforcement (Rule 12) and the receiving state's reports (Rule 13) become the inmate's events.
 * Everything runs in the inbox transaction: a redelivered message changes nothing.
 */
@Controller()
export class InmateConsumer {
  private readonly logger = new Logger('InmateConsumer');

  constructor(
    private readonly commands: InmateCommands,
    private readonly rights: InmateRights,
  ) {}

  /**
   * A command of a ministry. Signed (COMMAND_SIGNATURES=required), it must come from the inmate's
   * sending state (inmate.rights.ts): otherwise it is answered UNAUTHORISED_ACTOR and set aside in
   * the dead-letter topic, and nothing else is written. (A command whose body breaks the contract
   * is answered by the decoder's refusal, CommandRefusalRecorder.)
   */
  private async command(type: IntakeCommandType, event: DecodedEvent, context: Context): Promise<void> {
    const refusal = await this.rights.refusal(type, event.data as { inmateId: string }, signerStateOf(event), context.tx);
    if (await refuseCommand(context, event, type, refusal)) return;
    const command = { type, data: event.data } as IncomingCommand;
    await this.commands.applyWithResult(context.tx, command, event.id, messageMetadata(event));
  }

  @EventPattern('RegisterInmate') registerInmate(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('RegisterInmate', e, c); }
  @EventPattern('RecordSentence') recordSentence(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('RecordSentence', e, c); }
  @EventPattern('AdjustSentence') adjustSentence(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('AdjustSentence', e, c); }
  @EventPattern('RecordResidenceStatus') recordResidenceStatus(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('RecordResidenceStatus', e, c); }
  @EventPattern('RecordExpulsionOrder') recordExpulsionOrder(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('RecordExpulsionOrder', e, c); }
  @EventPattern('RecordHealthAssessment') recordHealthAssessment(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('RecordHealthAssessment', e, c); }
  @EventPattern('CorrectInmateRecord') correctInmateRecord(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('CorrectInmateRecord', e, c); }
  @EventPattern('RecordDomesticRelease') recordDomesticRelease(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('RecordDomesticRelease', e, c); }
  @EventPattern('SuspendEnforcement') suspendEnforcement(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('SuspendEnforcement', e, c); }
  @EventPattern('ResumeEnforcement') resumeEnforcement(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('ResumeEnforcement', e, c); }
  @EventPattern('EndEnforcement') endEnforcement(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('EndEnforcement', e, c); }
  @EventPattern('AcknowledgeReport') acknowledgeReport(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('AcknowledgeReport', e, c); }
  @EventPattern('ErasePersonalData') erasePersonalData(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('ErasePersonalData', e, c); }
  @EventPattern('PlaceLegalHold') placeLegalHold(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('PlaceLegalHold', e, c); }
  @EventPattern('LiftLegalHold') liftLegalHold(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('LiftLegalHold', e, c); }

  /** Rule 12: the receiving state took the person into charge; the sending state's enforcement is suspended. */
  @EventPattern('CustodyReceived')
  async custodyReceived(@Payload() event: DecodedEvent, @Ctx() context: Context): Promise<void> {
    const { inmateId, transferId, receivedBy } = event.data as CustodyReceivedPayload;
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
   * enforcement already ended) means the fact is already reflected: counted
   * (custody_effects_refused_total) and logged.
   */
  private async effect(event: DecodedEvent, { tx }: Context, command: InmateCommand): Promise<void> {
    try {
      await this.commands.applyEffect(tx, command, deterministicId(`${event.id}/${command.type}`), messageMetadata(event));
    } catch (error) {
      if (!(error instanceof CommandRejection)) throw error;
      if (error.code === 'INMATE_NOT_FOUND') throw new PermanentHandlerError(error.code, `${event.type} ${event.id}: ${error.message}`);
      recordRefusedEffect(event.type, command.type, error.code);
      this.logger.warn(`${event.type} ${event.id} changed nothing: ${command.type} refused ${error.code} ${error.message}`);
    }
  }
}
