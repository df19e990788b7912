import { Injectable } from '@nestjs/common';
import type { TransferEvent } from '@custody/contracts';
import { PostgresEventStore } from '@custody/event-store';
import { resourceIdOf, type JurisdictionResolver, type ResourceJurisdiction, type SecureRequest } from '@custody/security';
import { InmatesRepository } from '../inmates/inmates.repository';
import { answeringSide } from './transfer.rights';
import { transferStream } from './transfer.commands';
import { evolve, initialState } from './transfer.state';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The states of the case of `:id`: its sending and receiving states, which the request fixed
 * once for all. Read from the case's stream (its first event), not from the read model, which
 * may lag behind a request just made. Undefined for an id that names no case.
 */
@Injectable()
export class CaseJurisdiction implements JurisdictionResolver {
  constructor(private readonly store: PostgresEventStore) {}

  async resolve(request: SecureRequest): Promise<ResourceJurisdiction | undefined> {
    const id = resourceIdOf(request, 'transferId', 'id');
    if (!id) return undefined;
    for await (const event of this.store.readStream(transferStream(id), { maxCount: 1 })) {
      const { sendingState, receivingState } = evolve(initialState(), { type: event.type, data: event.data, schemaVersion: event.schemaVersion } as TransferEvent);
      return { kind: 'case', sendingState, receivingState };
    }
    return undefined;
  }
}

/**
 * The states of a case being requested: the body's sending and receiving states. When this
 * service knows the inmate (from intake's events), a request naming another sending state than
 * the inmate's has no sending state at all: a state requests the transfer of the persons it
 * holds only, and in its own name.
 */
@Injectable()
export class RequestJurisdiction implements JurisdictionResolver {
  constructor(private readonly inmates: InmatesRepository) {}

  async resolve(request: SecureRequest): Promise<ResourceJurisdiction | undefined> {
    const { sendingState, receivingState, inmateId } = (request.body ?? {}) as { sendingState?: unknown; receivingState?: unknown; inmateId?: unknown };
    if (typeof sendingState !== 'string') return undefined;
    const inmate = typeof inmateId === 'string' && UUID.test(inmateId) ? await this.inmates.find(inmateId.toLowerCase()) : undefined;
    const isInmateOfAnotherState = inmate?.sendingState !== undefined && inmate.sendingState !== sendingState;
    return {
      kind: 'case',
      ...(isInmateOfAnotherState ? {} : { sendingState }),
      ...(typeof receivingState === 'string' ? { receivingState } : {}),
    };
  }
}

/**
 * Rule 3, a two-sided command (RecordStateAgreement): the case's side of the state the body names as
 * answering (`agreedBy.state`), so that `transfer:act` lets the sending state record its own answer
 * and the receiving state its own, and neither the other's.
 */
@Injectable()
export class AgreementJurisdiction implements JurisdictionResolver {
  constructor(private readonly cases: CaseJurisdiction) {}

  async resolve(request: SecureRequest): Promise<ResourceJurisdiction | undefined> {
    const subject = await this.cases.resolve(request);
    if (!subject || subject.kind !== 'case') return subject;
    return answeringSide({ ...subject, kind: 'case' }, (request.body ?? {}) as Record<string, unknown>);
  }
}

/**
 * Rule 19, a return: the states its body names, the state responsible for the person (sending) and
 * the state they go back to (receiving). The caller must be the state it names as responsible; the
 * decider checks both states against the case returned from (RETURN_NOT_BY_RESPONSIBLE_STATE).
 */
@Injectable()
export class ReturnJurisdiction implements JurisdictionResolver {
  async resolve(request: SecureRequest): Promise<ResourceJurisdiction | undefined> {
    const { sendingState, receivingState } = (request.body ?? {}) as { sendingState?: unknown; receivingState?: unknown };
    if (typeof sendingState !== 'string') return undefined;
    return { kind: 'case', sendingState, ...(typeof receivingState === 'string' ? { receivingState } : {}) };
  }
}
