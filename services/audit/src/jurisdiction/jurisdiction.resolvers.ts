import { Injectable } from '@nestjs/common';
import { relationsOf, type JurisdictionResolver, type ResourceJurisdiction, type SecureRequest } from '@custody/security';
import { resourceOf } from './jurisdiction';
import { isUuid, LedgerJurisdictions } from './ledger-jurisdictions';

/** The states of the person of `:id`: the states that sent them and those their transfers were requested to. */
@Injectable()
export class InmateJurisdiction implements JurisdictionResolver {
  constructor(private readonly jurisdictions: LedgerJurisdictions) {}

  async resolve(request: SecureRequest): Promise<ResourceJurisdiction | undefined> {
    const id = request.params.id;
    if (!isUuid(id)) return undefined;
    const states = await this.jurisdictions.ofInmate(id);
    return states && resourceOf(states, request.principal?.state);
  }
}

/** The states of the facility of `:id`: its operator and, when leased, the lessee. */
@Injectable()
export class FacilityJurisdiction implements JurisdictionResolver {
  constructor(private readonly jurisdictions: LedgerJurisdictions) {}

  async resolve(request: SecureRequest): Promise<ResourceJurisdiction | undefined> {
    const id = request.params.id;
    if (!isUuid(id)) return undefined;
    const states = await this.jurisdictions.ofFacility(id);
    return states && resourceOf(states, request.principal?.state);
  }
}

/**
 * The states of what a check names in its body (`inmateId`, `facilityId`): the caller must be of
 * the states of each. When one of them is foreign to the caller, that one is the resource (and
 * the policy refuses it); when the body names nothing, there is no single resource and the
 * route checks only the caller's subjects.
 */
@Injectable()
export class CheckTargetJurisdiction implements JurisdictionResolver {
  constructor(private readonly jurisdictions: LedgerJurisdictions) {}

  async resolve(request: SecureRequest): Promise<ResourceJurisdiction | undefined> {
    const body = (request.body ?? {}) as { inmateId?: unknown; facilityId?: unknown };
    const subjects = [
      ...(isUuid(body.inmateId) ? [`inmate/${body.inmateId.toLowerCase()}`] : []),
      ...(isUuid(body.facilityId) ? [`facility/${body.facilityId.toLowerCase()}`] : []),
    ];
    if (subjects.length === 0) return undefined;
    const states = await this.jurisdictions.ofSubjects(subjects);
    const caller = request.principal?.state;
    const resources = subjects.flatMap((subject) => {
      const found = states.get(subject);
      return found ? [resourceOf(found, caller)] : [];
    });
    return resources.find((resource) => !caller || relationsOf(caller, resource).length === 0) ?? resources[0];
  }
}
