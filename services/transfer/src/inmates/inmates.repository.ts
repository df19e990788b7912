import { Injectable } from '@nestjs/common';
import type { IntakeEvent } from '@custody/contracts';
import { TransferTables, type Queryable } from '../store/transfer-tables';
import { emptyInmateRecord, evolveInmate, type InmateRecord } from './inmate-record';

/** The inmate facts this service keeps from intake events (table `inmates`). */
@Injectable()
export class InmatesRepository {
  constructor(private readonly tables: TransferTables) {}

  async find(inmateId: string, on: Queryable = this.tables.pool): Promise<InmateRecord | undefined> {
    const { rows } = await on.query<{ record: InmateRecord }>(`SELECT record FROM ${this.tables.s}.inmates WHERE inmate_id = $1`, [inmateId]);
    return rows[0]?.record;
  }

  /** The inmate's record and open case (table `active_transfers`) in one round trip: what a command is decided on. */
  async findWithOpenCase(inmateId: string, on: Queryable = this.tables.pool): Promise<{ record?: InmateRecord; activeTransferId?: string }> {
    const { rows } = await on.query<{ record: InmateRecord | null; transfer_id: string | null }>(
      `SELECT (SELECT record FROM ${this.tables.s}.inmates WHERE inmate_id = $1) AS record,
              (SELECT transfer_id FROM ${this.tables.s}.active_transfers WHERE inmate_id = $1) AS transfer_id`,
      [inmateId],
    );
    return { ...(rows[0].record ? { record: rows[0].record } : {}), ...(rows[0].transfer_id ? { activeTransferId: rows[0].transfer_id } : {}) };
  }

  /** Folds an intake event into the inmate's record, in the caller's (inbox) transaction. */
  async apply(tx: Queryable, event: IntakeEvent & { data: { inmateId: string } }): Promise<void> {
    const { inmateId } = event.data;
    const { rows } = await tx.query<{ record: InmateRecord }>(`SELECT record FROM ${this.tables.s}.inmates WHERE inmate_id = $1 FOR UPDATE`, [inmateId]);
    const record = evolveInmate(rows[0]?.record ?? emptyInmateRecord(inmateId), event);
    await tx.query(
      `INSERT INTO ${this.tables.s}.inmates (inmate_id, record) VALUES ($1, $2)
       ON CONFLICT (inmate_id) DO UPDATE SET record = EXCLUDED.record, updated_at = now()`,
      [inmateId, JSON.stringify(record)],
    );
  }
}
