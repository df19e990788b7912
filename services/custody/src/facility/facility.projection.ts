import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { GlobalEvent, PostgresTransaction } from '@custody/event-store';
import type { Projection } from '@custody/platform';
import type { CustodyConfig } from '../config';
import { quoted } from '../store/read-model.schema';
import { CUSTODY_CONFIG, DATABASE_POOL } from '../store/store.module';

type Data = Record<string, unknown> & { facilityId: string };

/**
 * The occupancy read model, kept from the facility streams: per facility its capacity, occupied
 * and reserved places; each reservation and refusal; and a row per change (occupancy over time).
 * Requests refused before any facility decided (`reservation-*` streams) are refusals too.
 */
@Injectable()
export class FacilityProjection implements Projection {
  readonly categories = ['facility', 'reservation'];
  private readonly s: string;

  constructor(
    @Inject(CUSTODY_CONFIG) config: CustodyConfig,
    @Inject(DATABASE_POOL) private readonly pool: Pool,
  ) {
    this.s = quoted(config.DATABASE_SCHEMA);
  }

  /** Applies one event of a `facility-*` stream, in the projector's transaction. */
  async apply(event: GlobalEvent, tx: PostgresTransaction): Promise<void> {
    const d = event.data as Data;
    const at = event.metadata.occurredAt;
    const s = this.s;
    switch (event.type) {
      case 'FacilityRegistered': {
        const lease = d.lease as { lesseeState: string; treatyId: string } | undefined;
        await tx.query(
          `INSERT INTO ${s}.facilities (facility_id, name, country, operating_state, jurisdiction, lessee_state, treaty_id, capacity, units, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (facility_id) DO NOTHING`,
          [d.facilityId, d.name, d.country, d.operatingState, d.jurisdiction, lease?.lesseeState ?? null, lease?.treatyId ?? null, d.capacity, JSON.stringify(d.units ?? []), at],
        );
        break;
      }
      case 'FacilityCapacityChanged':
        await tx.query(`UPDATE ${s}.facilities SET capacity = $2, updated_at = $3 WHERE facility_id = $1`, [d.facilityId, d.capacity, at]);
        break;
      case 'PlaceReserved':
        await tx.query(
          `INSERT INTO ${s}.facility_reservations (reservation_id, facility_id, transfer_id, inmate_id, status, expires_at, reserved_at)
           VALUES ($1, $2, $3, $4, 'held', $5, $6)`,
          [d.reservationId, d.facilityId, d.transferId, d.inmateId, d.expiresAt, at],
        );
        await tx.query(`UPDATE ${s}.facilities SET reserved = reserved + 1, updated_at = $2 WHERE facility_id = $1`, [d.facilityId, at]);
        break;
      case 'ReservationRefused':
        await tx.query(
          `INSERT INTO ${s}.facility_refusals (facility_id, reservation_id, event_id, transfer_id, inmate_id, code, reason, refused_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
          [d.facilityId, d.reservationId, event.id, d.transferId, d.inmateId, d.code, d.reason, at],
        );
        return;
      case 'ReservationReleased':
      case 'ReservationExpired':
        await this.endReservation(tx, d, event.type === 'ReservationReleased' ? 'released' : 'expired', at);
        break;
      case 'PlaceOccupied':
        if (d.reservationId) await this.endReservation(tx, d, 'used', at);
        await tx.query(`UPDATE ${s}.facilities SET occupied = occupied + 1, updated_at = $2 WHERE facility_id = $1`, [d.facilityId, at]);
        break;
      case 'PlaceVacated':
        await tx.query(`UPDATE ${s}.facilities SET occupied = occupied - 1, updated_at = $2 WHERE facility_id = $1`, [d.facilityId, at]);
        break;
      default:
        return;
    }
    await tx.query(
      `INSERT INTO ${s}.facility_occupancy_history (facility_id, event_id, position, event_type, occurred_at, capacity, occupied, reserved)
       SELECT facility_id, $2, $3, $4, $5, capacity, occupied, reserved FROM ${s}.facilities WHERE facility_id = $1
       ON CONFLICT (event_id) DO NOTHING`,
      [d.facilityId, event.id, event.position.toString(), event.type, at],
    );
  }

  private async endReservation(tx: PostgresTransaction, d: Data, status: string, at: string): Promise<void> {
    const ended = await tx.query(
      `UPDATE ${this.s}.facility_reservations SET status = $2, ended_at = $3 WHERE reservation_id = $1 AND status = 'held'`,
      [d.reservationId, status, at],
    );
    if (ended.rowCount) {
      await tx.query(`UPDATE ${this.s}.facilities SET reserved = reserved - 1, updated_at = $2 WHERE facility_id = $1`, [d.facilityId, at]);
    }
  }

  /** Every facility with its occupancy; given `states`, only those these states operate or lease. */
  async facilities(states?: string[]): Promise<FacilityView[]> {
    const { rows } = states
      ? await this.pool.query<FacilityRow>(
          `SELECT * FROM ${this.s}.facilities WHERE operating_state = ANY ($1) OR lessee_state = ANY ($1) ORDER BY name, facility_id`,
          [states],
        )
      : await this.pool.query<FacilityRow>(`SELECT * FROM ${this.s}.facilities ORDER BY name, facility_id`);
    return rows.map(toView);
  }

  /** One facility's occupancy now, its reservations, refusals and occupancy over time; undefined when unknown. */
  async occupancy(facilityId: string): Promise<OccupancyView | undefined> {
    const { rows } = await this.pool.query<FacilityRow>(`SELECT * FROM ${this.s}.facilities WHERE facility_id = $1`, [facilityId]);
    if (rows.length === 0) return undefined;
    const [reservations, refusals, history] = await Promise.all([
      this.pool.query(
        `SELECT reservation_id AS "reservationId", transfer_id AS "transferId", inmate_id AS "inmateId", status,
                expires_at AS "expiresAt", reserved_at AS "reservedAt", ended_at AS "endedAt"
         FROM ${this.s}.facility_reservations WHERE facility_id = $1 ORDER BY reserved_at, reservation_id`,
        [facilityId],
      ),
      this.pool.query<{ code: string; count: string }>(
        `SELECT code, count(*) AS count FROM ${this.s}.facility_refusals WHERE facility_id = $1 GROUP BY code ORDER BY code`,
        [facilityId],
      ),
      this.pool.query(
        `SELECT occurred_at AS "at", event_type AS "cause", capacity, occupied, reserved, capacity - occupied - reserved AS "free"
         FROM ${this.s}.facility_occupancy_history WHERE facility_id = $1 ORDER BY occurred_at, position`,
        [facilityId],
      ),
    ]);
    return {
      ...toView(rows[0]),
      reservations: reservations.rows.map(isoDates),
      refusals: Object.fromEntries(refusals.rows.map((r) => [r.code, Number(r.count)])),
      overTime: history.rows.map(isoDates),
    };
  }

  /** Held reservations whose hold ran out by `asOf` (for the expiry timer). */
  async expiredHolds(asOf: Date, limit = 100): Promise<Array<{ facilityId: string; reservationId: string }>> {
    const { rows } = await this.pool.query<{ facilityId: string; reservationId: string }>(
      `SELECT facility_id AS "facilityId", reservation_id AS "reservationId" FROM ${this.s}.facility_reservations
       WHERE status = 'held' AND expires_at <= $1 ORDER BY expires_at LIMIT $2`,
      [asOf.toISOString(), limit],
    );
    return rows;
  }
}

interface FacilityRow {
  facility_id: string;
  name: string;
  country: string;
  operating_state: string;
  jurisdiction: string;
  lessee_state: string | null;
  treaty_id: string | null;
  capacity: number;
  occupied: number;
  reserved: number;
  units: unknown[];
  updated_at: Date;
}

export interface FacilityView {
  facilityId: string;
  name: string;
  country: string;
  operatingState: string;
  jurisdiction: string;
  lease?: { lesseeState: string; treatyId: string };
  /** Whose law governs the persons held here: the lessee under a lease, otherwise the operating state. */
  governingState: string;
  capacity: number;
  occupied: number;
  reserved: number;
  free: number;
  units: unknown[];
  updatedAt: string;
}

export interface OccupancyView extends FacilityView {
  reservations: Record<string, unknown>[];
  refusals: Record<string, number>;
  overTime: Record<string, unknown>[];
}

function toView(row: FacilityRow): FacilityView {
  return {
    facilityId: row.facility_id,
    name: row.name,
    country: row.country,
    operatingState: row.operating_state,
    jurisdiction: row.jurisdiction,
    ...(row.lessee_state && row.treaty_id ? { lease: { lesseeState: row.lessee_state, treatyId: row.treaty_id } } : {}),
    governingState: row.lessee_state ?? row.operating_state,
    capacity: row.capacity,
    occupied: row.occupied,
    reserved: row.reserved,
    free: row.capacity - row.occupied - row.reserved,
    units: row.units,
    updatedAt: row.updated_at.toISOString(),
  };
}

function isoDates(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
}
