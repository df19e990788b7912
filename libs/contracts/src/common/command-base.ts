import { IsOptional } from 'class-validator';
import { IsId, IsInstant, IsText } from './formats';

/**
 * What every command carries: its own id (the sender's idempotency key, echoed in the result)
 * and when the act happened in the world. Deciders read no clock: the time comes in here.
 */
export abstract class CommandBase {
  /** The command's id, chosen by the sender (UUID). A re-sent command keeps its id. */
  @IsId()
  commandId!: string;

  /**
   * When the act happened (ISO 8601 with time zone); becomes the events' `occurredAt`. Never after
   * the service's clock plus the allowed skew (DATE_IN_FUTURE), never before a step the act follows
   * (DATE_BEFORE_PRECEDING_STEP): docs/domain.md, Rule 17.
   */
  @IsInstant()
  occurredAt!: string;

  /**
   * Why the act is recorded late: required when `occurredAt` lies more than the service's
   * COMMAND_LATE_RECORDING_DAYS (7 by default) before the command reaches it
   * (LATE_RECORDING_REASON_REQUIRED, Rule 17). Kept with the recorded events and in the audit
   * ledger, in clear, and quoted in the audit's `recorded-in-time` finding: it names no one
   * (docs/personal-data.md).
   */
  @IsOptional()
  @IsText(2000)
  lateRecordingReason?: string;
}
