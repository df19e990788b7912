import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import type { CustodyReceivedPayload, PlacementDecidedPayload, ReceivingStateDecisionRecordedPayload, ReturnRequestedPayload, TransferRequestedPayload } from '@custody/contracts';
import { migrateSchema, migrationSet, type PostgresTransaction } from '@custody/event-store';
import { IntakeConfig } from '../config';
import { POOL } from '../store/store.module';

/** The cases intake has seen on the transfer service's topic: enough to corroborate a hand-over. */
export const TRANSFER_CASES_MIGRATIONS = migrationSet('intake-transfer-cases', ['transfer_cases', (s) => `
  CREATE TABLE ${s}.transfer_cases (
    transfer_id uuid PRIMARY KEY,
    inmate_id uuid NOT NULL,
    sending_state text NOT NULL,
    receiving_state text NOT NULL,
    is_recognised boolean NOT NULL DEFAULT false
  )`], ['returns (Rule 19): the case a return undoes', (s) => `
  ALTER TABLE ${s}.transfer_cases ADD COLUMN IF NOT EXISTS return_of uuid`]);

/**
 * Facts cross-checked (docs/security.md, "facts from other services"): a `CustodyReceived` changes
 * a person's enforcement, and with it which states may read their record (Rule 12), so intake
 * applies it only when it names a case intake saw requested for this person by their sending
 * state, recognised by the receiving state that now says it holds them. The cases come from the
 * same topic and key as the hand-over (the person), so they always arrive before it.
 */
@Injectable()
export class TransferCases implements OnModuleInit {
  private readonly schema: string;

  constructor(
    @Inject(POOL) private readonly pool: Pool,
    private readonly config: IntakeConfig,
  ) {
    this.schema = `"${config.DATABASE_SCHEMA}"`;
  }

  async onModuleInit(): Promise<void> {
    await migrateSchema(this.pool, this.config.DATABASE_SCHEMA, TRANSFER_CASES_MIGRATIONS);
  }

  /** A case requested (TransferRequested), in the inbox transaction. */
  async requested(tx: PostgresTransaction, request: TransferRequestedPayload): Promise<void> {
    await tx.query(
      `INSERT INTO ${this.schema}.transfer_cases (transfer_id, inmate_id, sending_state, receiving_state) VALUES ($1, $2, $3, $4) ON CONFLICT (transfer_id) DO NOTHING`,
      [request.transferId, request.inmateId, request.sendingState, request.receivingState],
    );
  }

  /** The receiving state's decision on a case (ReceivingStateDecisionRecorded). */
  async decided(tx: PostgresTransaction, decision: ReceivingStateDecisionRecordedPayload): Promise<void> {
    await tx.query(`UPDATE ${this.schema}.transfer_cases SET is_recognised = $3 WHERE transfer_id = $1 AND inmate_id = $2`, [
      decision.transferId, decision.inmateId, decision.decision === 'recognised',
    ]);
  }

  /**
   * The lessee's placement decision on a lease case (PlacementDecided, Rule 18): the case is
   * accepted as a recognised one is, since under a lease there is nothing for the host to recognise.
   */
  async placed(tx: PostgresTransaction, placement: PlacementDecidedPayload): Promise<void> {
    await tx.query(`UPDATE ${this.schema}.transfer_cases SET is_recognised = true WHERE transfer_id = $1 AND inmate_id = $2`, [placement.transferId, placement.inmateId]);
  }

  /**
   * A return decided (ReturnRequested, Rule 19): a case of its own, from the state responsible for
   * the person to the state that sentenced them, accepted by the decision that opened it.
   */
  async returnRequested(tx: PostgresTransaction, request: ReturnRequestedPayload): Promise<void> {
    await tx.query(
      `INSERT INTO ${this.schema}.transfer_cases (transfer_id, inmate_id, sending_state, receiving_state, is_recognised, return_of)
       VALUES ($1, $2, $3, $4, true, $5) ON CONFLICT (transfer_id) DO NOTHING`,
      [request.transferId, request.inmateId, request.sendingState, request.receivingState, request.returnOf],
    );
  }

  /** Whether the case is a return (Rule 19). */
  async isReturn(tx: PostgresTransaction, transferId: string): Promise<boolean> {
    const { rows } = await tx.query<{ return_of: string | null }>(`SELECT return_of FROM ${this.schema}.transfer_cases WHERE transfer_id = $1`, [transferId]);
    return rows[0]?.return_of != null;
  }

  /** Why a hand-over cannot be believed, or undefined when it names a recognised case of this person and its receiving state. */
  async uncorroborated(tx: PostgresTransaction, received: CustodyReceivedPayload, sendingState: string | undefined): Promise<string | undefined> {
    const { rows } = await tx.query<{ inmate_id: string; sending_state: string; receiving_state: string; is_recognised: boolean; return_of: string | null }>(
      `SELECT inmate_id, sending_state, receiving_state, is_recognised, return_of FROM ${this.schema}.transfer_cases WHERE transfer_id = $1`,
      [received.transferId],
    );
    const known = rows[0];
    if (!known) return `names transfer ${received.transferId}, which intake never saw requested`;
    if (known.inmate_id !== received.inmateId) return `names transfer ${received.transferId}, which is another person's case`;
    // Rule 19: a return goes back to the person's sending state.
    if (known.return_of != null && sendingState !== undefined && known.receiving_state !== sendingState) return `names a return to ${known.receiving_state}, not to the person's sending state ${sendingState}`;
    if (known.return_of == null && sendingState !== undefined && known.sending_state !== sendingState) return `names a case of ${known.sending_state}, not of the person's sending state ${sendingState}`;
    if (known.receiving_state !== received.receivedBy.state) return `says ${received.receivedBy.state} received the person; the case's receiving state is ${known.receiving_state}`;
    if (!known.is_recognised) return `names transfer ${received.transferId}, which the receiving state has not recognised (nor, under a lease, the lessee placed)`;
    return undefined;
  }
}
