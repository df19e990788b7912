import { Injectable } from '@nestjs/common';
import type { Command, CustodyCommandType } from '@custody/contracts';
import type { PostgresTransaction } from '@custody/event-store';
import { OnEvent, type DecodedEvent, type HandlerContext } from '@custody/messaging';
import { deterministicId } from '@custody/event-sourcing';
import { FacilityRights } from '../facility/facility.rights';
import { applySignedWithResult } from '../store/kafka-commands';
import { CustodyCommands } from './custody.commands';

type Context = HandlerContext<PostgresTransaction>;

/** Kafka in: the commands about persons in custody on `custody.facility.commands`, with their results. */
@Injectable()
export class CustodyConsumer {
  constructor(
    private readonly commands: CustodyCommands,
    private readonly rights: FacilityRights,
  ) {}

  @OnEvent('AdmitInmate') onAdmit(m: DecodedEvent, c: Context) { return this.apply(m, c); }
  @OnEvent('AssignCell') onAssignCell(m: DecodedEvent, c: Context) { return this.apply(m, c); }
  @OnEvent('StartAbsence') onStartAbsence(m: DecodedEvent, c: Context) { return this.apply(m, c); }
  @OnEvent('EndAbsence') onEndAbsence(m: DecodedEvent, c: Context) { return this.apply(m, c); }
  @OnEvent('RecordEscape') onEscape(m: DecodedEvent, c: Context) { return this.apply(m, c); }
  @OnEvent('RecordRecapture') onRecapture(m: DecodedEvent, c: Context) { return this.apply(m, c); }
  @OnEvent('ReportInmateNotFound') onNotFound(m: DecodedEvent, c: Context) { return this.apply(m, c); }
  @OnEvent('RecordDeathInCustody') onDeath(m: DecodedEvent, c: Context) { return this.apply(m, c); }
  @OnEvent('GrantConditionalRelease') onConditionalRelease(m: DecodedEvent, c: Context) { return this.apply(m, c); }
  @OnEvent('GrantPardonOrAmnesty') onClemency(m: DecodedEvent, c: Context) { return this.apply(m, c); }
  @OnEvent('RecordSentenceCompleted') onSentenceCompleted(m: DecodedEvent, c: Context) { return this.apply(m, c); }
  @OnEvent('ReleaseInmate') onRelease(m: DecodedEvent, c: Context) { return this.apply(m, c); }

  private async apply(message: DecodedEvent, context: Context): Promise<void> {
    const command = { type: message.type, data: message.data } as Command<CustodyCommandType>;
    await applySignedWithResult(this.rights, message, context, (metadata) =>
      this.commands.executeIn(context.tx, command, metadata, (i) => deterministicId(`${message.id}/${i}`)),
    );
  }
}
