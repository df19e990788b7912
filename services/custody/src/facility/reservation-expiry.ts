import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Pool } from 'pg';
import { CommandRejection } from '@custody/contracts';
import { commandScope, deterministicId } from '@custody/event-sourcing';
import { PeriodicJob } from '@custody/platform';
import type { CustodyConfig } from '../config';
import { CUSTODY_CONFIG, DATABASE_POOL } from '../store/store.module';
import { FacilityCommands } from './facility.commands';
import { FacilityProjection } from './facility.projection';
import { custodyEventIds } from '../ids';

const EXPIRY_ACTOR = { system: 'custody-reservation-expiry' };

/**
 * The expiry timer: every RESERVATION_EXPIRY_SWEEP_MS it sends ExpireReservation, carrying the
 * time, for each held place whose hold ran out. The decider checks the time; a place used or
 * released meanwhile is simply not expired. 0 turns it off; one instance sweeps at a time (a
 * sweep's commands are safe twice, the lock only spares the work).
 */
@Injectable()
export class ReservationExpiry implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly job: PeriodicJob<number>;

  constructor(
    private readonly commands: FacilityCommands,
    private readonly readModel: FacilityProjection,
    @Inject(CUSTODY_CONFIG) config: CustodyConfig,
    @Inject(DATABASE_POOL) pool: Pool,
  ) {
    this.job = new PeriodicJob({
      name: 'reservation expiry sweep',
      intervalMs: config.RESERVATION_EXPIRY_SWEEP_MS,
      lock: { pool, key: `${config.DATABASE_SCHEMA}.reservation-expiry` },
      run: () => this.sweep(new Date()),
    });
  }

  onApplicationBootstrap(): void {
    this.job.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.job.stop();
  }

  /** Expires every held place whose hold ran out by `now`; returns how many expired. */
  async sweep(now: Date): Promise<number> {
    const occurredAt = now.toISOString();
    let expired = 0;
    for (const { facilityId, reservationId } of await this.readModel.expiredHolds(now)) {
      const commandId = deterministicId(`expire/${reservationId}`);
      try {
        await this.commands.execute(
          { type: 'ExpireReservation', data: { commandId, occurredAt, facilityId, reservationId } },
          { correlationId: commandId, occurredAt, actor: EXPIRY_ACTOR },
          custodyEventIds(commandScope(commandId, EXPIRY_ACTOR)),
        );
        expired += 1;
      } catch (error) {
        if (!(error instanceof CommandRejection)) throw error;
      }
    }
    return expired;
  }
}
