import { randomUUID } from 'node:crypto';
import { currentVersion, EXAMPLES, findMessage, subjectAttribute, subjectOf, type EventType } from '@custody/contracts';
import type { LedgerEvent } from '../ledger/entry';

/**
 * Histories for tests: events of the contract's examples (Belgium → Albania under ETS 112,
 * Denmark's leased places in Gjilan), about a person of the test's choosing, at given instants.
 */
export class History {
  readonly events: LedgerEvent[] = [];

  constructor(
    readonly inmateId: string = randomUUID(),
    readonly transferId: string = randomUUID(),
    readonly facilityId: string = randomUUID(),
  ) {}

  /** An event of the examples with this history's ids and the given fields; recorded when it happened unless said. */
  add(type: EventType, occurredAt: string, fields: Record<string, unknown> = {}, recordedAt: string = occurredAt): LedgerEvent {
    const example = EXAMPLES[type] as Record<string, unknown>;
    const data: Record<string, unknown> = { ...example, ...fields };
    for (const [name, value] of [['inmateId', this.inmateId], ['transferId', this.transferId], ['facilityId', this.facilityId]] as const) {
      if (name in example && !(name in fields)) data[name] = value;
    }
    if (type === 'ReceivingStateDecisionRecorded' && !('facilityId' in fields)) data.facilityId = this.facilityId;
    // A field given as undefined is left out, as it would be on the wire.
    for (const [name, value] of Object.entries(data)) if (value === undefined) delete data[name];
    const subject = subjectOf(type, data)!;
    const event: LedgerEvent = {
      id: randomUUID(),
      type,
      schemaVersion: currentVersion(type),
      subject: subjectAttribute(subject),
      occurredAt,
      recordedAt,
      correlationId: this.transferId,
      data,
    };
    this.events.push(event);
    return event;
  }

  /**
   * The events as the services' relays publish them: each with its publisher (source) and its
   * place in the publisher's stream, as the services name their streams (intake `inmate-<id>`,
   * transfer `transfer-<id>`, custody `custody-<id>` and `facility-<id>`), revisions in the order
   * given. `internal` lists events after which the publisher recorded that many internal events
   * (never published): the revisions they take are passed over, as on the wire.
   */
  revisioned(events: LedgerEvent[] = this.events, internal: Map<LedgerEvent, number> = new Map()): LedgerEvent[] {
    const heads = new Map<string, { revision: number; previous: number }>();
    return events.map((event) => {
      const source = findMessage(event.type)!.source;
      const stream = this.streamOf(source, event.subject);
      const head = heads.get(stream) ?? { revision: -1, previous: -1 };
      const revision = head.revision + 1;
      heads.set(stream, { revision: revision + (internal.get(event) ?? 0), previous: revision });
      return { ...event, source, stream, streamRevision: revision, streamPrevious: head.previous };
    });
  }

  /** The stream a service keeps an event of this history in. */
  streamOf(source: string, subject: string): string {
    if (source === '/custody/intake') return `inmate-${this.inmateId}`;
    if (source === '/custody/transfer') return `transfer-${this.transferId}`;
    return subject.startsWith('facility/') ? `facility-${this.facilityId}` : `custody-${this.inmateId}`;
  }

  /** The events with ledger positions in the order given (the order they reached the ledger). */
  positioned(events: LedgerEvent[] = this.events): Array<LedgerEvent & { position: number }> {
    return events.map((e, position) => ({ ...e, position }));
  }
}

/** Belgium sends an Albanian national to Albania under ETS 112: registered, dispatched, received, admitted. */
export function belgiumToAlbania(history = new History()): History {
  history.add('InmateRegistered', '2026-01-10T08:00:00Z');
  history.add('TransferRequested', '2026-01-20T10:00:00Z');
  history.add('ConsentRecorded', '2026-01-25T10:00:00Z');
  history.add('CustodyDispatched', '2026-04-14T06:00:00Z');
  history.add('CustodyReceived', '2026-04-14T11:30:00Z');
  history.add('InmateAdmitted', '2026-04-14T13:00:00Z', { governingState: 'AL' });
  return history;
}
