import { Injectable } from '@nestjs/common';
import { ADMISSION_PERSONAL_FIELDS, type Command, type CustodyCommandType } from '@custody/contracts';
import { PostgresEventStore, WrongExpectedRevisionError, type EventMetadata, type NewEvent, type PostgresTransaction } from '@custody/event-store';
import { concurrencyConflict, deterministicId, loadState, PersonalDataKeys, sealFields } from '@custody/platform';
import { FacilityCommands, facilityStream } from '../facility/facility.commands';
import { facilityDecider, type FacilityCommand } from '../facility/facility.decider';
import { jitter, toNewEvents, withSavepoint } from '../store/write-path';
import { TransferKnowledge } from '../transfer-knowledge/transfer-knowledge';
import { custodyDecider, type CustodyCommand, type CustodyEvent } from './custody.decider';

export const custodyStream = (inmateId: string) => `custody-${inmateId}`;

const MAX_ATTEMPTS = 20;

interface Prepared {
  stream: string;
  revision: number | undefined;
  events: NewEvent[];
  /** The place the person takes or frees in the facility, written in the same transaction. */
  facility?: { stream: string; revision: number | undefined; events: NewEvent[] };
}

/**
 * The custody write path. An admission takes a place in the facility and a final release or a
 * death frees it: the person's stream and the facility's stream are appended in one
 * transaction, each with its expected revision, so occupancy and custody never disagree.
 */
@Injectable()
export class CustodyCommands {
  constructor(
    private readonly store: PostgresEventStore,
    private readonly facilities: FacilityCommands,
    private readonly knowledge: TransferKnowledge,
    private readonly keys: PersonalDataKeys,
  ) {}

  /** Applies a command from HTTP; event ids derive from the command id, so a re-sent command writes nothing twice. */
  async execute(command: Command<CustodyCommandType>, metadata: EventMetadata): Promise<NewEvent[]> {
    const eventId = (index: number) => deterministicId(`${command.data.commandId}/${index}`);
    return this.retrying(command, metadata, eventId, (write) => this.store.transaction(write));
  }

  /** Applies a command inside a consumer's transaction (Kafka). */
  async executeIn(tx: PostgresTransaction, command: Command<CustodyCommandType>, metadata: EventMetadata, eventId: (index: number) => string): Promise<NewEvent[]> {
    return this.retrying(command, metadata, eventId, (write) => withSavepoint(tx, () => write(tx)));
  }

  private async retrying(
    command: Command<CustodyCommandType>,
    metadata: EventMetadata,
    eventId: (index: number) => string,
    run: (write: (tx: PostgresTransaction) => Promise<void>) => Promise<void>,
  ): Promise<NewEvent[]> {
    for (let attempt = 1; ; attempt++) {
      const prepared = await this.prepare(command, metadata, eventId);
      if (prepared.events.length === 0) return [];
      try {
        await run(async (tx) => {
          await tx.appendToStream(prepared.stream, prepared.events, { expectedRevision: prepared.revision ?? 'no_stream' });
          if (prepared.facility) {
            await tx.appendToStream(prepared.facility.stream, prepared.facility.events, { expectedRevision: prepared.facility.revision ?? 'no_stream' });
          }
        });
        return [...prepared.events, ...(prepared.facility?.events ?? [])];
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (attempt >= MAX_ATTEMPTS) throw concurrencyConflict(prepared.stream, attempt);
        await jitter(attempt);
      }
    }
  }

  private async prepare(command: Command<CustodyCommandType>, metadata: EventMetadata, eventId: (index: number) => string): Promise<Prepared> {
    const { inmateId, facilityId, occurredAt } = command.data;
    const stream = custodyStream(inmateId);
    const { state, revision } = await loadState(this.store, stream, custodyDecider);
    let decided: CustodyCommand = command as CustodyCommand;
    if (command.type === 'AdmitInmate') {
      const { state: facility } = await this.facilities.load(facilityStream(facilityId));
      const registered = facility.status === 'registered' ? facility : undefined;
      const isLeased = registered?.jurisdiction === 'leased';
      decided = {
        ...command,
        facts: {
          ...(registered
            ? { facility: { jurisdiction: registered.jurisdiction, operatingState: registered.operatingState, country: registered.country, ...(registered.lease ? { lease: registered.lease } : {}) } }
            : {}),
          ...(await this.knowledge.admissionFacts(command.data.transferId, inmateId, isLeased)),
        },
      };
    }
    const custodyEvents = custodyDecider.decide(decided, state);
    const prepared: Prepared = { stream, revision, events: toNewEvents(await this.seal(custodyEvents), metadata, eventId) };
    const effect = placeEffect(custodyEvents, occurredAt);
    if (effect) {
      const placeStream = facilityStream(facilityId);
      const loaded = await this.facilities.load(placeStream);
      const facilityEvents = facilityDecider.decide(effect, loaded.state);
      prepared.facility = { stream: placeStream, revision: loaded.revision, events: toNewEvents(facilityEvents, metadata, eventId, prepared.events.length) };
    }
    return prepared;
  }

  /**
   * Rule 16: the admission record's identity and health facts encrypted with the person's data key
   * (created on the admission), so that the store, the topic and the audit ledger never hold them
   * in clear. Refused with PERSONAL_DATA_ERASED once the key was destroyed.
   */
  private async seal(events: CustodyEvent[]): Promise<CustodyEvent[]> {
    const sealed: CustodyEvent[] = [];
    for (const event of events) {
      if (event.type !== 'InmateAdmitted') sealed.push(event);
      else {
        const key = await this.keys.forWriting(event.data.inmateId);
        sealed.push({ ...event, data: sealFields(event.data, ADMISSION_PERSONAL_FIELDS, event.data.inmateId, key) as typeof event.data });
      }
    }
    return sealed;
  }
}

/** What a custody event means for the facility's places. */
export function placeEffect(events: CustodyEvent[], occurredAt: string): FacilityCommand | undefined {
  for (const event of events) {
    switch (event.type) {
      case 'InmateAdmitted': {
        const { facilityId, inmateId, reservationId } = event.data;
        return { type: 'OccupyPlace', data: { facilityId, inmateId, occurredAt, ...(reservationId ? { reservationId } : {}) } };
      }
      case 'InmateReleased':
        return { type: 'VacatePlace', data: { facilityId: event.data.facilityId, inmateId: event.data.inmateId, occurredAt, reason: `Released (${event.data.disposition}).` } };
      case 'InmateDiedInCustody':
        return { type: 'VacatePlace', data: { facilityId: event.data.facilityId, inmateId: event.data.inmateId, occurredAt, reason: 'Died in custody.' } };
    }
  }
  return undefined;
}
