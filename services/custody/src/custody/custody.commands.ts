import { Inject, Injectable } from '@nestjs/common';
import { ADMISSION_PERSONAL_FIELDS, TOPICS, type Command, type CustodyCommandType } from '@custody/contracts';
import {
  commandScope, handleCommand, inSavepoint, KeptStates, KeyedTurns, retryPolicy, toNewEvents, type Decision, type HandleOptions, type Prepared,
} from '@custody/event-sourcing';
import { PostgresEventStore, type EventMetadata, type NewEvent, type PostgresTransaction } from '@custody/event-store';
import { Arrivals, observedCommand, recordingClock } from '@custody/platform';
import { PersonalDataKeys, sealFields } from '@custody/personal-data';
import type { CustodyConfig } from '../config';
import { CUSTODY_CONFIG } from '../store/store.module';
import { FacilityCommands, facilityStream } from '../facility/facility.commands';
import { facilityDecider, type FacilityCommand } from '../facility/facility.decider';
import { TransferKnowledge } from '../transfer-knowledge/transfer-knowledge';
import { custodyDecider, type AdmissionFacts, type Custody, type CustodyCommand, type CustodyEvent } from './custody.decider';
import { custodyEventIds } from '../ids';

export const custodyStream = (inmateId: string) => `custody-${inmateId}`;

/** Attempts in all when another writer changed the person's or the facility's stream meanwhile. */
const RETRY = retryPolicy({ maxAttempts: 20 });

/** The commands that may take or free a place, so append to the facility's stream too. */
const PLACE_COMMANDS: ReadonlySet<string> = new Set(['AdmitInmate', 'ReleaseInmate', 'RecordDeathInCustody']);

/**
 * The custody write path. An admission takes a place in the facility and a final release or a
 * death frees it: the person's stream and the facility's stream are appended in one
 * transaction, each with its expected revision, so occupancy and custody never disagree.
 */
@Injectable()
export class CustodyCommands {
  /**
   * HTTP commands that append to a facility's stream take turns per facility: after an outage,
   * hundreds of admissions to one facility arrive at once, and racing for its revision they would
   * run out of attempts (409 CONCURRENCY_CONFLICT) while none of them was wrong.
   */
  private readonly facilityTurns = new KeyedTurns();
  /** Each person's custody as last committed here: a command is decided without reading the stream first (docs/adr/0021-commands-decided-on-kept-state.md). */
  private readonly kept = new KeptStates<Custody>();

  constructor(
    private readonly store: PostgresEventStore,
    private readonly facilities: FacilityCommands,
    private readonly knowledge: TransferKnowledge,
    private readonly keys: PersonalDataKeys,
    @Inject(CUSTODY_CONFIG) private readonly config: CustodyConfig,
    private readonly arrivals: Arrivals,
  ) {}

  /**
   * Applies a command from HTTP; event ids derive from the command id, so a re-sent command writes
   * nothing twice. `onApplied` runs in the transaction of the events (the route's answer:
   * docs/adr/0010-http-idempotency-by-command-id.md).
   */
  async execute(
    command: Command<CustodyCommandType>,
    metadata: EventMetadata,
    onApplied?: HandleOptions<CustodyEvent, Custody, PostgresTransaction>['onApplied'],
  ): Promise<NewEvent[]> {
    const eventId = custodyEventIds(commandScope(command.data.commandId, metadata.actor));
    // The facts before the facility's turn: an admission whose hand-over is on its way waits for it
    // (docs/adr/0012-not-yet-known-here.md) without holding up the admissions behind it.
    const decided = await this.withFacts(command, { wait: true });
    const write = () => this.write(command, decided, {
      ...observedCommand(metadata), eventId, unitOfWork: (work) => this.store.transaction(work), ...(onApplied ? { onApplied } : {}),
    });
    return PLACE_COMMANDS.has(command.type) ? this.facilityTurns.run(command.data.facilityId, write) : write();
  }

  /** Applies a command inside a consumer's transaction (Kafka), each attempt in a savepoint. */
  async executeIn(tx: PostgresTransaction, command: Command<CustodyCommandType>, metadata: EventMetadata, eventId: (index: number) => string): Promise<NewEvent[]> {
    return this.write(command, await this.withFacts(command), { metadata, eventId, unitOfWork: inSavepoint(tx), afterCommit: (keep) => tx.afterCommit(keep) });
  }

  /** `decided`: the command with the facts the decider takes (withFacts). */
  private async write(command: Command<CustodyCommandType>, decided: CustodyCommand, options: HandleOptions<CustodyEvent, Custody, PostgresTransaction>): Promise<NewEvent[]> {
    const eventId = options.eventId!;
    const handled = await handleCommand(this.store, custodyStream(command.data.inmateId), custodyDecider, decided, {
      ...options,
      kept: this.kept,
      retry: RETRY,
      prepare: (decision) => this.prepare(command, decision, options.metadata, eventId),
    });
    return [...handled.events, ...handled.also.flatMap((a) => a.events)];
  }

  /**
   * A command as the decider takes it: with the service's clock (every custody command is a
   * ministry's act, Rule 17) and, for an admission, the facts of the facility and of the transfer.
   * `wait`: outside any transaction (HTTP), a hand-over still on its way may be waited for.
   */
  private async withFacts(incoming: Command<CustodyCommandType>, { wait = false }: { wait?: boolean } = {}): Promise<CustodyCommand> {
    const command = { ...incoming, clock: recordingClock(this.config) } as Command<CustodyCommandType> & { clock: CustodyCommand['clock'] };
    if (command.type !== 'AdmitInmate') return command as CustodyCommand;
    const { inmateId, facilityId } = command.data;
    const facility = await this.facilities.registration(facilityStream(facilityId));
    const registered = facility.status === 'registered' ? facility : undefined;
    const isLeased = registered?.jurisdiction === 'leased';
    return {
      ...command,
      facts: {
        ...(registered
          ? { facility: { jurisdiction: registered.jurisdiction, operatingState: registered.operatingState, country: registered.country, ...(registered.lease ? { lease: registered.lease } : {}) } }
          : {}),
        ...(await this.handOverFacts(command.data.transferId, inmateId, isLeased, wait)),
      },
    } as CustodyCommand;
  }

  /**
   * The hand-over and sentence facts from the transfer and intake services' events, and whether
   * more may be on their way (docs/adr/0012-not-yet-known-here.md): without both sides of the
   * hand-over here, the person's partition on transfer's events topic is asked (and, with `wait`,
   * waited for, up to NOT_YET_KNOWN_WAIT_MS); while it holds unconsumed messages the decider
   * answers NOT_YET_KNOWN_HERE. Consumed, the facts are read again (an event applied meanwhile is
   * seen) and the decider's answer stands.
   */
  private async handOverFacts(transferId: string, inmateId: string, isLeased: boolean, wait: boolean): Promise<Pick<AdmissionFacts, 'handOver' | 'sentence' | 'transferInFlight'>> {
    const known = await this.knowledge.admissionFacts(transferId, inmateId, isLeased);
    if (known.handOver?.isDispatched && known.handOver.isReceived) return known;
    const pending = await this.arrivals.pending(TOPICS.transferEvents, inmateId, { wait });
    if (pending) return { ...known, transferInFlight: { retryAfterSeconds: pending.retryAfterSeconds, unconsumed: pending.unconsumed } };
    return this.knowledge.admissionFacts(transferId, inmateId, isLeased);
  }

  /** Before each attempt's transaction: the admission sealed, and the place taken or freed in the facility's stream. */
  private async prepare(
    command: Command<CustodyCommandType>,
    { decided }: Decision<CustodyEvent, Custody>,
    metadata: EventMetadata,
    eventId: (index: number) => string,
  ): Promise<Prepared> {
    const events = toNewEvents(await this.seal(decided), metadata, eventId);
    const effect = placeEffect(decided, command.data.occurredAt);
    if (!effect) return { events };
    const placeStream = facilityStream(command.data.facilityId);
    const loaded = await this.facilities.load(placeStream);
    const facilityEvents = toNewEvents(facilityDecider.decide(effect, loaded.state), metadata, eventId, events.length);
    return { events, also: [{ stream: placeStream, events: facilityEvents, expectedRevision: loaded.revision ?? 'no_stream' }] };
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
