import { Logger } from '@nestjs/common';
import { CommandRejection } from '@custody/contracts';
import { PermanentHandlerError, type DecodedEvent } from '@custody/messaging';
import { recordRefusedEffect } from './command-context';

const logger = new Logger('RefusedEffect');

export interface EffectOptions {
  /**
   * Rejection codes that are no answer but an inconsistency an operator must see (e.g. a person
   * this service never registered): the message is set aside in the dead-letter topic with the code.
   */
  deadLetter?: readonly string[];
  /** What the command would have changed, for the log line (e.g. `transfer <id>`). */
  target?: string;
}

/**
 * Applies another service's event here as one of this service's commands (`apply`, which writes
 * in the inbox transaction). A refusal of the rules is an answer, not retried: the message is
 * consumed, nothing is written, and the refusal is counted (custody_effects_refused_total) and
 * logged, never silent (docs/architecture.md, "Inbox"). A code of `deadLetter` sets the message
 * aside instead; any other failure is thrown as it is, for the transporter to handle by its kind.
 */
export async function applyEffect(event: DecodedEvent, command: { type: string }, apply: () => Promise<unknown>, options: EffectOptions = {}): Promise<void> {
  try {
    await apply();
  } catch (error) {
    if (!(error instanceof CommandRejection)) throw error;
    if (options.deadLetter?.includes(error.code)) throw new PermanentHandlerError(error.code, `${event.type} ${event.id}: ${error.message}`);
    recordRefusedEffect(event.type, command.type, error.code);
    logger.warn(`${event.type} ${event.id} left ${options.target ?? 'this service'} unchanged: ${command.type} refused ${error.code} (${error.message})`);
  }
}
