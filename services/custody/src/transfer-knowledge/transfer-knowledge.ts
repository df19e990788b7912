import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { AdaptedSentence, Sentence } from '@custody/contracts';
import type { PostgresTransaction } from '@custody/event-store';
import type { AdmissionFacts } from '../custody/custody.decider';
import type { KnownSentence } from '../custody/sentence';
import type { CustodyConfig } from '../config';
import { quoted } from '../store/read-model.schema';
import { CUSTODY_CONFIG, DATABASE_POOL } from '../store/store.module';

interface CaseRow {
  transfer_id: string;
  inmate_id: string;
  facility_id: string | null;
  reservation_id: string | null;
  adapted_sentence: AdaptedSentence | null;
  dispatched_at: Date | null;
  received_at: Date | null;
  received_at_facility_id: string | null;
}

/**
 * What the custody service learns from the transfer and intake services' events: each transfer
 * case's hand-over (Rule 11), the reservation it holds, the receiving state's adapted sentence,
 * and the sending state's sentence. Written in the consumer's inbox transaction; read when a
 * person is admitted.
 */
@Injectable()
export class TransferKnowledge {
  private readonly s: string;

  constructor(
    @Inject(CUSTODY_CONFIG) config: CustodyConfig,
    @Inject(DATABASE_POOL) private readonly pool: Pool,
  ) {
    this.s = quoted(config.DATABASE_SCHEMA);
  }

  /** Records facts of a transfer case (only the columns given change). */
  async noteCase(tx: PostgresTransaction, transferId: string, inmateId: string, facts: Partial<Record<CaseColumn, unknown>>): Promise<void> {
    const columns = Object.keys(facts) as CaseColumn[];
    const values = columns.map((c) => (c === 'adapted_sentence' ? JSON.stringify(facts[c]) : facts[c]));
    const assignments = columns.map((c, i) => `${c} = $${i + 3}`);
    await tx.query(
      `INSERT INTO ${this.s}.transfer_cases (transfer_id, inmate_id${columns.map((c) => `, ${c}`).join('')})
       VALUES ($1, $2${columns.map((_, i) => `, $${i + 3}`).join('')})
       ON CONFLICT (transfer_id) DO UPDATE SET updated_at = now()${assignments.map((a) => `, ${a}`).join('')}`,
      [transferId, inmateId, ...values],
    );
  }

  /** The reservation a case holds at a facility, if any. */
  async reservationOf(transferId: string): Promise<{ facilityId: string; reservationId: string } | undefined> {
    const { rows } = await this.pool.query<CaseRow>(`SELECT * FROM ${this.s}.transfer_cases WHERE transfer_id = $1`, [transferId]);
    const row = rows[0];
    return row?.facility_id && row.reservation_id ? { facilityId: row.facility_id, reservationId: row.reservation_id } : undefined;
  }

  /** The sending and receiving states of a case, as far as its TransferRequested was seen. */
  async statesOf(transferId: string): Promise<{ sendingState?: string; receivingState?: string }> {
    const { rows } = await this.pool.query<{ sending_state: string | null; receiving_state: string | null }>(
      `SELECT sending_state, receiving_state FROM ${this.s}.transfer_cases WHERE transfer_id = $1`,
      [transferId],
    );
    const row = rows[0];
    return { ...(row?.sending_state ? { sendingState: row.sending_state } : {}), ...(row?.receiving_state ? { receivingState: row.receiving_state } : {}) };
  }

  /** Rule 19: the facility a return takes the person from, and the state they go back to; undefined for any other case. */
  async returnOf(tx: PostgresTransaction, transferId: string): Promise<{ fromFacilityId: string; receivingState?: string } | undefined> {
    const { rows } = await tx.query<{ return_from_facility_id: string | null; receiving_state: string | null }>(
      `SELECT return_from_facility_id, receiving_state FROM ${this.s}.transfer_cases WHERE transfer_id = $1 AND return_of IS NOT NULL`,
      [transferId],
    );
    const row = rows[0];
    return row?.return_from_facility_id ? { fromFacilityId: row.return_from_facility_id, ...(row.receiving_state ? { receivingState: row.receiving_state } : {}) } : undefined;
  }

  /** The sending state's sentence of a person, as intake recorded it (the latest). */
  async noteSentence(tx: PostgresTransaction, inmateId: string, sentence: Sentence, occurredAt: string): Promise<void> {
    await tx.query(
      `INSERT INTO ${this.s}.inmate_sentences (inmate_id, sentence, occurred_at) VALUES ($1, $2, $3)
       ON CONFLICT (inmate_id) DO UPDATE SET sentence = EXCLUDED.sentence, occurred_at = EXCLUDED.occurred_at
       WHERE ${this.s}.inmate_sentences.occurred_at <= EXCLUDED.occurred_at`,
      [inmateId, JSON.stringify(sentence), occurredAt],
    );
  }

  /** The hand-over and sentence facts an admission needs. */
  async admissionFacts(transferId: string, inmateId: string, isLeased: boolean): Promise<Pick<AdmissionFacts, 'handOver' | 'sentence'>> {
    const [cases, sentences] = await Promise.all([
      this.pool.query<CaseRow>(`SELECT * FROM ${this.s}.transfer_cases WHERE transfer_id = $1`, [transferId]),
      this.pool.query<{ sentence: Sentence }>(`SELECT sentence FROM ${this.s}.inmate_sentences WHERE inmate_id = $1`, [inmateId]),
    ]);
    const row = cases.rows[0];
    const handOver = row
      ? {
          transferId: row.transfer_id,
          inmateId: row.inmate_id,
          isDispatched: row.dispatched_at !== null,
          isReceived: row.received_at !== null,
          ...(row.received_at_facility_id ? { receivedAtFacilityId: row.received_at_facility_id } : {}),
          ...(row.received_at ? { receivedAt: new Date(row.received_at).toISOString() } : {}),
        }
      : undefined;
    return { ...(handOver ? { handOver } : {}), ...knownSentence(isLeased, row?.adapted_sentence ?? undefined, sentences.rows[0]?.sentence) };
  }
}

export type CaseColumn =
  | 'legal_basis' | 'sending_state' | 'receiving_state' | 'facility_id' | 'reservation_id' | 'adapted_sentence'
  | 'dispatched_at' | 'received_at' | 'received_at_facility_id' | 'ended' | 'return_of' | 'return_from_facility_id';

/**
 * The sentence to serve: under a lease the sending state's sentence continues; after a transfer
 * of enforcement, the receiving state's adapted sentence, or the imposed one when it was not adapted.
 */
export function knownSentence(isLeased: boolean, adapted: AdaptedSentence | undefined, imposed: Sentence | undefined): { sentence?: KnownSentence } {
  if (!isLeased && adapted && adapted.measure === 'custodial') {
    return { sentence: { source: 'adapted', kind: adapted.kind, ...(adapted.length ? { length: adapted.length } : {}), daysDeducted: adapted.daysDeducted } };
  }
  if (imposed) {
    return {
      sentence: {
        source: 'sending-state',
        kind: imposed.kind,
        ...(imposed.length ? { length: imposed.length } : {}),
        enforcementStartDate: imposed.enforcementStartDate,
        preTrialDays: imposed.preTrialDays,
      },
    };
  }
  return {};
}
