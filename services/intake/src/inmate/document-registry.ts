import { Injectable } from '@nestjs/common';
import { CommandRejection, type FieldProblem, type IdentityDocument, REJECTIONS, type StateCode } from '@custody/contracts';
import { PostgresEventStore, type EventMetadata, type ExpectedRevision } from '@custody/event-store';
import { commandScope, type StreamReader, type StreamStore } from '@custody/event-sourcing';
import { PersonalDataKeys } from '@custody/personal-data';
import { intakeEventIds } from '../ids';

/**
 * One person, one record: each identity document a sending state registers is held by one inmate.
 * Each document has its own stream, `inmatedocument-<state>-<kind>-<issuing state>-<hash>`; holding
 * it is an append with the revision the stream was read at ('no_stream' for a new document), in
 * the same transaction as the inmate's events. Two registrations racing for a document: the
 * second append waits for the first transaction and fails on the revision, so only one commits.
 * The number is compared without case, spaces or hyphens (`BA 123-4` is `ba1234`), and only its
 * blind index is kept (HMAC-SHA-256 under a key of its own, stored wrapped by the master key):
 * stream names end up in logs, document numbers must not, and a plain hash of a number would let
 * anyone who reads the database or the logs confirm a guessed number, also after the person's
 * erasure.
 */
export const DOCUMENT_HELD = 'InmateDocumentHeld';
/** The purpose of the documents' blind-index key (its key is stored, so a rotation of the master key keeps every stream name). */
export const DOCUMENT_INDEX = 'identity-document';
export const DOCUMENT_RELEASED = 'InmateDocumentReleased';

export function documentStream(sendingState: StateCode, document: IdentityDocument, index: (value: string) => string): string {
  const number = document.number.normalize('NFKC').replace(/[\s-]+/g, '').toUpperCase();
  const hash = index(`${document.kind}\u0000${document.issuingState}\u0000${number}`).slice(0, 40);
  return `inmatedocument-${sendingState}-${document.kind}-${document.issuingState}-${hash}`;
}

interface Step {
  stream: string;
  expectedRevision: ExpectedRevision;
  type: typeof DOCUMENT_HELD | typeof DOCUMENT_RELEASED;
  document: IdentityDocument;
}

/** What holding the documents takes: appends planned from what was read (empty when nothing changes). */
export interface DocumentPlan {
  inmateId: string;
  sendingState: StateCode;
  steps: Step[];
}

@Injectable()
export class DocumentRegistry {
  constructor(
    private readonly store: PostgresEventStore,
    private readonly keys: PersonalDataKeys,
  ) {}

  private streamOf(sendingState: StateCode, document: IdentityDocument): string {
    return documentStream(sendingState, document, (value) => this.keys.blindIndex(DOCUMENT_INDEX, value));
  }

  /**
   * Plans holding `documents` for the inmate (and letting go of `previous` ones no longer
   * listed). Refuses with INMATE_ALREADY_REGISTERED, naming the inmate that holds a document
   * and listing each document already held. The document streams are read through `reader` (a
   * consumer's transaction, which sees a document held earlier in its batch).
   */
  async plan(
    inmateId: string,
    sendingState: StateCode,
    documents: IdentityDocument[],
    previous: IdentityDocument[] = [],
    reader: StreamReader = this.store,
  ): Promise<DocumentPlan> {
    const wanted = new Map(documents.map((d, index) => [this.streamOf(sendingState, d), { document: d, index }]));
    const dropped = new Map(previous.map((d) => [this.streamOf(sendingState, d), d]).filter(([stream]) => !wanted.has(stream as string)) as Array<[string, IdentityDocument]>);
    const steps: Step[] = [];
    const problems: FieldProblem[] = [];
    let existingInmateId: string | undefined;
    for (const [stream, { document, index }] of wanted) {
      const holder = await this.holder(stream, reader);
      if (holder.inmateId === inmateId) continue;
      if (holder.inmateId !== undefined) {
        existingInmateId ??= holder.inmateId;
        problems.push({ path: `identity.documents.${index}`, problem: `this ${document.kind} is already registered for inmate ${holder.inmateId}` });
        continue;
      }
      steps.push({ stream, expectedRevision: holder.revision ?? 'no_stream', type: DOCUMENT_HELD, document });
    }
    if (existingInmateId !== undefined) {
      throw new CommandRejection('INMATE_ALREADY_REGISTERED', REJECTIONS.INMATE_ALREADY_REGISTERED.message, { existingInmateId }, problems);
    }
    for (const [stream, document] of dropped) {
      const holder = await this.holder(stream, reader);
      if (holder.inmateId === inmateId) steps.push({ stream, expectedRevision: holder.revision!, type: DOCUMENT_RELEASED, document });
    }
    // One order for every writer, so that two transactions never wait for each other in a cycle.
    steps.sort((a, b) => a.stream.localeCompare(b.stream));
    return { inmateId, sendingState, steps };
  }

  /** Appends the plan through the unit of work; a document taken meanwhile fails the whole transaction. */
  async hold(writer: StreamStore, plan: DocumentPlan, commandId: string, metadata: EventMetadata): Promise<void> {
    for (const step of plan.steps) {
      const { kind, issuingState } = step.document;
      await writer.appendToStream(step.stream, [{
        id: intakeEventIds(commandScope(commandId, metadata.actor))(step.stream),
        type: step.type,
        schemaVersion: 1,
        data: { inmateId: plan.inmateId, sendingState: plan.sendingState, kind, issuingState },
        metadata,
      }], { expectedRevision: step.expectedRevision });
    }
  }

  /** Who holds the document now, and the stream's revision. */
  private async holder(stream: string, reader: StreamReader): Promise<{ inmateId?: string; revision?: number }> {
    let inmateId: string | undefined;
    let revision: number | undefined;
    for await (const event of reader.readStream(stream)) {
      revision = event.revision;
      inmateId = event.type === DOCUMENT_HELD ? (event.data as { inmateId: string }).inmateId : undefined;
    }
    return { inmateId, revision };
  }
}
