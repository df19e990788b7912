import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { ADMISSION_PERSONAL_FIELDS } from '@custody/contracts';
import type { GlobalEvent, PostgresTransaction } from '@custody/event-store';
import { daysBetween, remainingTime, type IsoDate } from '@custody/legal';
import { type Projection } from '@custody/platform';
import { openFields, PersonalDataKeys } from '@custody/personal-data';
import type { CustodyConfig } from '../config';
import { quoted } from '../store/read-model.schema';
import { CUSTODY_CONFIG, DATABASE_POOL } from '../store/store.module';
import { custodyDecider, type Custody, type CustodyEvent, type SentenceNoted } from './custody.decider';

interface CustodyDocument {
  state: Custody;
  governedBy?: 'sending-state' | 'receiving-state';
  sentence?: NonNullable<SentenceNoted['data']['sentence']>;
  admittedAt?: string;
  /** The admission record as stored: its identity and health facts encrypted (opened only when read). */
  admission?: unknown;
  reports: Array<{ type: string; occurredAt: string; eventId: string }>;
  timeline: Array<{ type: string; occurredAt: string; recordedAt: string }>;
}

/** The reports the receiving state owes the sending state (Rule 13). */
const REPORTS = new Set(['SentenceCompleted', 'InmateEscaped', 'ConditionalReleaseGranted', 'PardonOrAmnestyGranted', 'InmateCannotBeFound']);

/** Each person's custody as a document: where they are, whose law governs them, the release date, and the timeline. */
@Injectable()
export class CustodyProjection implements Projection {
  readonly categories = ['custody'];
  private readonly s: string;

  constructor(
    @Inject(CUSTODY_CONFIG) config: CustodyConfig,
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    private readonly keys: PersonalDataKeys,
  ) {
    this.s = quoted(config.DATABASE_SCHEMA);
  }

  async apply(event: GlobalEvent, tx: PostgresTransaction): Promise<void> {
    const data = event.data as { inmateId: string; facilityId: string };
    const { rows } = await tx.query<{ document: CustodyDocument }>(`SELECT document FROM ${this.s}.custody_persons WHERE inmate_id = $1`, [data.inmateId]);
    const before: CustodyDocument = rows[0]?.document ?? { state: custodyDecider.initialState(), reports: [], timeline: [] };
    const custodyEvent = { type: event.type, schemaVersion: event.schemaVersion, data: event.data } as CustodyEvent;
    const document: CustodyDocument = {
      ...(custodyEvent.type === 'InmateAdmitted' ? { reports: [], timeline: before.timeline } : before),
      state: custodyDecider.evolve(before.state, custodyEvent),
      timeline: [...before.timeline, { type: event.type, occurredAt: event.metadata.occurredAt, recordedAt: event.recordedAt }],
    };
    if (custodyEvent.type === 'InmateAdmitted') {
      document.admittedAt = custodyEvent.data.admission.admittedAt;
      document.admission = custodyEvent.data.admission;
    }
    if (custodyEvent.type === 'SentenceToServeNoted') {
      document.governedBy = custodyEvent.data.governedBy;
      document.sentence = custodyEvent.data.sentence;
    }
    if (REPORTS.has(event.type)) document.reports = [...document.reports, { type: event.type, occurredAt: event.metadata.occurredAt, eventId: event.id }];
    await tx.query(
      `INSERT INTO ${this.s}.custody_persons (inmate_id, facility_id, document, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (inmate_id) DO UPDATE SET facility_id = EXCLUDED.facility_id, document = EXCLUDED.document, updated_at = EXCLUDED.updated_at`,
      [data.inmateId, data.facilityId, JSON.stringify(document), event.metadata.occurredAt],
    );
  }

  /**
   * A person's custody as of `today`: undefined when the person was never admitted here. The
   * admission record's personal fields are decrypted with the person's data key, or `null` with
   * `isPersonalDataErased` once the key was destroyed (Rule 16).
   */
  async person(inmateId: string, today: IsoDate): Promise<Record<string, unknown> | undefined> {
    const { rows } = await this.pool.query<{ document: CustodyDocument }>(`SELECT document FROM ${this.s}.custody_persons WHERE inmate_id = $1`, [inmateId]);
    const document = rows[0]?.document;
    if (!document || document.state.status === 'none') return undefined;
    const { state, sentence } = document;
    const releaseOn = state.releaseOn;
    const opened = document.admission === undefined
      ? { data: { admission: null }, isErased: false }
      : openFields({ admission: document.admission }, ADMISSION_PERSONAL_FIELDS, inmateId, await this.keys.access(inmateId));
    return {
      inmateId: state.inmateId,
      facilityId: state.facilityId,
      transferId: state.transferId,
      status: state.status,
      whereabouts: state.whereabouts ?? null,
      cell: state.cell ?? null,
      absence: state.absence ?? null,
      law: {
        governingState: state.governingState,
        governedBy: document.governedBy,
        explanation:
          document.governedBy === 'sending-state'
            ? `Held under a lease: the sentence and law of ${state.governingState} (the sending state) apply.`
            : `The receiving state ${state.governingState} enforces the sentence under its own law.`,
      },
      admittedAt: document.admittedAt,
      admission: (opened.data as { admission: unknown }).admission,
      isPersonalDataErased: opened.isErased,
      sentence: sentence ?? null,
      releaseOn: releaseOn ?? null,
      remaining: !sentence || state.status !== 'in-custody' || state.isSentenceCompleted
        ? null
        : releaseOn && releaseOn !== sentence.releaseOn
          ? { isIndeterminate: false, days: Math.max(0, daysBetween(today, releaseOn)), releaseOn }
          : remainingTime({ length: sentence.length, startedOn: sentence.startedOn, preTrialDays: sentence.preTrialDays, isFinal: true, offences: [] }, today),
      isConditionallyReleased: state.isConditionallyReleased,
      isSentenceCompleted: state.isSentenceCompleted,
      isReportedNotFound: state.isReportedNotFound,
      reportsToSendingState: document.reports,
      timeline: document.timeline,
    };
  }
}
