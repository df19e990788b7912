import type { CommandRejection } from '@custody/contracts';
import type { EventMetadata, NewEvent, PostgresTransaction } from '@custody/event-store';
import type { DecodedEvent, HandlerContext } from '@custody/messaging';
import { recordCommandResult, type CommandOutcome } from '@custody/event-sourcing';
import { currentObservation, messageMetadata, refuseInHandler } from '@custody/platform';
import type { FacilityRights } from '../facility/facility.rights';

/**
 * Applies a command from `custody.facility.commands` in the consumer's transaction and records
 * its result (CommandAccepted, or CommandRejected with the code) in stream `command-<id>`: the
 * relay publishes it on `custody.command-results`. `refusal` turns recorded refusals (a place
 * refused) into a rejected result.
 */
export function applyWithResult(
  tx: PostgresTransaction,
  message: DecodedEvent,
  apply: (metadata: EventMetadata) => Promise<NewEvent[]>,
  refusal?: (events: NewEvent[]) => Error | undefined,
): Promise<CommandOutcome> {
  const metadata = messageMetadata(message);
  const observer = currentObservation()?.recorder;
  return recordCommandResult(
    { tx, commandId: message.id, commandType: message.type, metadata, ...(observer ? { observer } : {}) },
    async () => ({ events: await apply(metadata) }),
    refusal,
  );
}

/**
 * Applies a ministry's command from `custody.facility.commands` as {@link applyWithResult} does,
 * once the state that signed it is found to have the right to the facility it names
 * (facility.rights.ts). Otherwise the command is answered UNAUTHORISED_ACTOR, set aside in the
 * dead-letter topic, and nothing else is written.
 */
export async function applySignedWithResult(
  rights: FacilityRights,
  message: DecodedEvent,
  context: HandlerContext<PostgresTransaction>,
  apply: (metadata: EventMetadata) => Promise<NewEvent[]>,
  refusal?: (events: NewEvent[]) => Error | undefined,
): Promise<void> {
  const refused: CommandRejection | undefined = await rights.refusal(message);
  if (refused) {
    await refuseInHandler(context, message, message.type, refused);
    currentObservation()?.recorder?.command(message.type, 'rejected', refused.code);
    return;
  }
  await applyWithResult(context.tx, message, apply, refusal);
}
