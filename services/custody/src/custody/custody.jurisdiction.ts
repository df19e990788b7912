import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { PostgresEventStore } from '@custody/event-store';
import { loadState } from '@custody/event-sourcing';
import { type JurisdictionResolver, type ResourceJurisdiction, type SecureRequest } from '@custody/security';
import { FacilityCommands } from '../facility/facility.commands';
import { registeredFacility } from '../facility/facility.jurisdiction';
import { TransferKnowledge } from '../transfer-knowledge/transfer-knowledge';
import { custodyStream } from './custody.commands';
import { custodyDecider, type Custody } from './custody.decider';

/**
 * The states a person's custody belongs to. After a transfer of enforcement: the sending state
 * of the case and the receiving state, whose facility holds the person and whose law governs.
 * Under a lease the sending state keeps jurisdiction and the host only runs the building, so
 * the record is the lessee's alone: the host state sees the facility's occupancy, not this file.
 */
export function custodyJurisdiction(custody: { governingState: string; isLeased: boolean }, caseSendingState: string | undefined): ResourceJurisdiction {
  if (custody.isLeased) return { kind: 'inmate', sendingState: caseSendingState ?? custody.governingState, receivingState: custody.governingState };
  return { kind: 'inmate', ...(caseSendingState ? { sendingState: caseSendingState } : {}), receivingState: custody.governingState };
}

/** Resolves the custody of `:inmateId` from its stream, and the case's sending state from what the transfer service told. */
abstract class CustodyRecords {
  constructor(
    protected readonly store: PostgresEventStore,
    protected readonly knowledge: TransferKnowledge,
  ) {}

  /** The custody of `inmateId` as its stream has it (the read model may lag behind a command). */
  protected async custodyOf(inmateId: unknown): Promise<Custody | undefined> {
    if (typeof inmateId !== 'string' || !isUUID(inmateId)) return undefined;
    const { state } = await loadState(this.store, custodyStream(inmateId.toLowerCase()), custodyDecider);
    return state.status === 'none' ? undefined : state;
  }

  protected async sendingStateOf(transferId: unknown): Promise<string | undefined> {
    if (typeof transferId !== 'string' || !isUUID(transferId)) return undefined;
    return (await this.knowledge.statesOf(transferId.toLowerCase())).sendingState;
  }

  protected async jurisdictionOf(custody: Custody): Promise<ResourceJurisdiction | undefined> {
    if (!custody.governingState) return undefined;
    return custodyJurisdiction({ governingState: custody.governingState, isLeased: custody.isLeased }, await this.sendingStateOf(custody.transferId));
  }
}

/** The states of the custody of `:inmateId`; undefined when the person was never admitted here. */
@Injectable()
export class CustodyJurisdiction extends CustodyRecords implements JurisdictionResolver {
  constructor(store: PostgresEventStore, knowledge: TransferKnowledge) {
    super(store, knowledge);
  }

  async resolve(request: SecureRequest): Promise<ResourceJurisdiction | undefined> {
    const custody = await this.custodyOf(request.params.inmateId);
    return custody ? this.jurisdictionOf(custody) : undefined;
  }
}

/**
 * The states of an admission: the body's facility (its operator, or its lessee under a lease) and
 * the case's sending state. A person held (or who died) in custody here answers for the existing
 * record instead, so that only its states learn where the person is.
 */
@Injectable()
export class AdmissionJurisdiction extends CustodyRecords implements JurisdictionResolver {
  constructor(
    store: PostgresEventStore,
    knowledge: TransferKnowledge,
    private readonly facilities: FacilityCommands,
  ) {
    super(store, knowledge);
  }

  async resolve(request: SecureRequest): Promise<ResourceJurisdiction | undefined> {
    const existing = await this.custodyOf(request.params.inmateId);
    if (existing && existing.status !== 'released') return this.jurisdictionOf(existing);
    const body = (request.body ?? {}) as { facilityId?: unknown; transferId?: unknown };
    const facility = await registeredFacility(this.facilities, body.facilityId);
    if (!facility) return undefined;
    const isLeased = facility.jurisdiction === 'leased' && facility.lease !== undefined;
    const governingState = isLeased ? facility.lease!.lesseeState : facility.operatingState;
    return custodyJurisdiction({ governingState, isLeased }, await this.sendingStateOf(body.transferId));
  }
}
