import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { Command, CustodyCommandType } from '@custody/contracts';
import type { PostgresTransaction } from '@custody/event-store';
import { type DecodedEvent, type HandlerContext } from '@custody/messaging';
import { deterministicId } from '@custody/event-sourcing';
import { FacilityRights } from '../facility/facility.rights';
import { applySignedWithResult } from '../store/kafka-commands';
import { CustodyCommands } from './custody.commands';

type Context = HandlerContext<PostgresTransaction>;

/** Kafka in: the commands about persons in custody on `custody.facility.commands`, with their results. */
@Controller()
export class CustodyConsumer {
  constructor(
    private readonly commands: CustodyCommands,
    private readonly rights: FacilityRights,
  ) {}

  @EventPattern('AdmitInmate') onAdmit(@Payload() m: DecodedEvent, @Ctx() c: Context) { return this.apply(m, c); }
  @EventPattern('AssignCell') onAssignCell(@Payload() m: DecodedEvent, @Ctx() c: Context) { return this.apply(m, c); }
  @EventPattern('StartAbsence') onStartAbsence(@Payload() m: DecodedEvent, @Ctx() c: Context) { return this.apply(m, c); }
  @EventPattern('EndAbsence') onEndAbsence(@Payload() m: DecodedEvent, @Ctx() c: Context) { return this.apply(m, c); }
  @EventPattern('RecordEscape') onEscape(@Payload() m: DecodedEvent, @Ctx() c: Context) { return this.apply(m, c); }
  @EventPattern('RecordRecapture') onRecapture(@Payload() m: DecodedEvent, @Ctx() c: Context) { return this.apply(m, c); }
  @EventPattern('ReportInmateNotFound') onNotFound(@Payload() m: DecodedEvent, @Ctx() c: Context) { return this.apply(m, c); }
  @EventPattern('RecordDeathInCustody') onDeath(@Payload() m: DecodedEvent, @Ctx() c: Context) { return this.apply(m, c); }
  @EventPattern('GrantConditionalRelease') onConditionalRelease(@Payload() m: DecodedEvent, @Ctx() c: Context) { return this.apply(m, c); }
  @EventPattern('GrantPardonOrAmnesty') onClemency(@Payload() m: DecodedEvent, @Ctx() c: Context) { return this.apply(m, c); }
  @EventPattern('RecordSentenceCompleted') onSentenceCompleted(@Payload() m: DecodedEvent, @Ctx() c: Context) { return this.apply(m, c); }
  @EventPattern('ReleaseInmate') onRelease(@Payload() m: DecodedEvent, @Ctx() c: Context) { return this.apply(m, c); }

  private async apply(message: DecodedEvent, context: Context): Promise<void> {
    const command = { type: message.type, data: message.data } as Command<CustodyCommandType>;
    await applySignedWithResult(this.rights, message, context, (metadata) =>
      this.commands.executeIn(context.tx, command, metadata, (i) => deterministicId(`${message.id}/${i}`)),
    );
  }
}
