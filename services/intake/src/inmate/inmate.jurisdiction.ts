import { Injectable } from '@nestjs/common';
import { resourceIdOf, type JurisdictionResolver, type ResourceJurisdiction, type SecureRequest } from '@custody/security';
import { InmateCommands } from './inmate.commands';

/** The states of the inmate of `:id`: the sending state, and the receiving state while enforcement is transferred. */
@Injectable()
export class InmateJurisdiction implements JurisdictionResolver {
  constructor(private readonly commands: InmateCommands) {}

  async resolve(request: SecureRequest): Promise<ResourceJurisdiction | undefined> {
    const id = resourceIdOf(request, 'inmateId', 'id');
    if (!id) return undefined;
    const { state } = await this.commands.load(id.toLowerCase());
    if (state.status === 'unregistered') return undefined;
    const receivingState = state.enforcement.status === 'suspended' ? state.enforcement.receivingState : undefined;
    return { kind: 'inmate', sendingState: state.sendingState, ...(receivingState ? { receivingState } : {}) };
  }
}

/** The state a registration is for: the body's sending state. */
@Injectable()
export class RegistrationJurisdiction implements JurisdictionResolver {
  resolve(request: SecureRequest): ResourceJurisdiction | undefined {
    const sendingState = (request.body as { sendingState?: unknown } | undefined)?.sendingState;
    return typeof sendingState === 'string' ? { kind: 'inmate', sendingState } : undefined;
  }
}
