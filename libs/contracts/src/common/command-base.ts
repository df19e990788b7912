import { IsId, IsInstant } from './formats';

/**
 * What every command carries: its own id (the sender's idempotency key, echoed in the result)
 * and when the act happened in the world. Deciders read no clock: the time comes in here.
 */
export abstract class CommandBase {
  /** The command's id, chosen by the sender (UUID). A re-sent command keeps its id. */
  @IsId()
  commandId!: string;

  /** When the act happened (ISO 8601 with time zone); becomes the events' `occurredAt`. */
  @IsInstant()
  occurredAt!: string;
}
