import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { JurisdictionResolver, ResourceJurisdiction, SecureRequest } from '@custody/security';
import { FacilityCommands, facilityStream } from './facility.commands';
import type { RegisteredFacility } from './facility.decider';

/** The states a facility belongs to: the state that operates it and, under a lease, the lessee. */
export function facilityJurisdiction(facility: Pick<RegisteredFacility, 'operatingState' | 'jurisdiction' | 'lease'>): ResourceJurisdiction {
  const lesseeState = facility.jurisdiction === 'leased' ? facility.lease?.lesseeState : undefined;
  return { kind: 'facility', operatorState: facility.operatingState, ...(lesseeState ? { lesseeState } : {}) };
}

/**
 * The facility as its stream has it (not the read model, which may lag behind a registration),
 * or undefined when no facility has this id.
 */
export async function registeredFacility(commands: FacilityCommands, facilityId: unknown): Promise<RegisteredFacility | undefined> {
  if (typeof facilityId !== 'string' || !isUUID(facilityId)) return undefined;
  const state = await commands.registration(facilityStream(facilityId.toLowerCase()));
  return state.status === 'registered' ? state : undefined;
}

/** The states of the facility of `:facilityId`. */
@Injectable()
export class FacilityJurisdiction implements JurisdictionResolver {
  constructor(private readonly commands: FacilityCommands) {}

  async resolve(request: SecureRequest): Promise<ResourceJurisdiction | undefined> {
    const facility = await registeredFacility(this.commands, request.params.facilityId);
    return facility ? facilityJurisdiction(facility) : undefined;
  }
}

/**
 * The states of a facility being registered: those of the body, or those of the facility already
 * registered under this id (only its own states learn that the id is taken).
 */
@Injectable()
export class RegistrationJurisdiction implements JurisdictionResolver {
  constructor(private readonly commands: FacilityCommands) {}

  async resolve(request: SecureRequest): Promise<ResourceJurisdiction | undefined> {
    const body = (request.body ?? {}) as { facilityId?: unknown; operatingState?: unknown; jurisdiction?: unknown; lease?: { lesseeState?: unknown } };
    const existing = await registeredFacility(this.commands, body.facilityId);
    if (existing) return facilityJurisdiction(existing);
    if (typeof body.operatingState !== 'string') return undefined;
    const lesseeState = body.jurisdiction === 'leased' && typeof body.lease?.lesseeState === 'string' ? body.lease.lesseeState : undefined;
    return { kind: 'facility', operatorState: body.operatingState, ...(lesseeState ? { lesseeState } : {}) };
  }
}
