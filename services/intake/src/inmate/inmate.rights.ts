import { Injectable } from '@nestjs/common';
import { messagesOnTopic, TOPICS, type CommandRejection, type IntakeCommandType } from '@custody/contracts';
import { messageRights, signerRefusal, type CommandRight } from '@custody/security';
import { InmateCommands } from './inmate.commands';

/**
 * Which state may issue each command on custody.intake.commands, with its ministry's signature:
 * every one is the inmate's sending state's, whose record it is (the same as over HTTP,
 * inmate:register and inmate:write). A registration names its sending state; any other command
 * is about a person already registered, whose sending state the record holds. The receiving
 * state's reports reach the record as events of the other services, not as commands.
 */
export const INTAKE_COMMAND_RIGHTS: Readonly<Record<string, CommandRight>> = Object.fromEntries(
  messagesOnTopic(TOPICS.intakeCommands).map((type) => [type, ['sending'] as const]),
);

/** What the decoder checks from the message alone: a registration is the sending state's it names. */
export const INTAKE_MESSAGE_RIGHTS = messageRights(INTAKE_COMMAND_RIGHTS, {
  RegisterInmate: (data) => ({ kind: 'inmate', sendingState: data.sendingState as string }),
});

/** The check of a signer's right against the inmate's record, as its stream has it. */
@Injectable()
export class InmateRights {
  constructor(private readonly commands: InmateCommands) {}

  /**
   * UNAUTHORISED_ACTOR when the state that signed the command is not the sending state of the
   * inmate it is about; undefined when it is, when the command came unsigned
   * (COMMAND_SIGNATURES=off), for a registration (checked by the decoder from the state it names),
   * or when no inmate has this id (the decider answers INMATE_NOT_FOUND). An inmate's sending
   * state never changes once registered.
   */
  async refusal(type: IntakeCommandType, data: { inmateId: string }, signerState: string | undefined): Promise<CommandRejection | undefined> {
    if (!signerState || type === 'RegisterInmate') return undefined;
    const { state } = await this.commands.load(data.inmateId);
    if (state.status === 'unregistered') return undefined;
    return signerRefusal(signerState, type, { kind: 'inmate', sendingState: state.sendingState }, INTAKE_COMMAND_RIGHTS[type]);
  }
}
