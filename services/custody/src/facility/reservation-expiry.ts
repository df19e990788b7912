import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandRejection } from '@custody/contracts';
import { deterministicId } from '@custody/event-sourcing';
import type { CustodyConfig } from '../config';
import { CUSTODY_CONFIG } from '../store/store.module';
import { FacilityCommands } from './facility.commands';
import { FacilityProjection } from './facility.projection';

/**
 * The expiry timer: every RESERVATION_EXPIRY_SWEEP_MS it sends ExpireReservation, carrying the
 * time, for each held place whose hold ran out. The decider checks the time; a place used or
 * released meanwhile is simply not expired.
 */
@Injectable()
export class ReservationExpiry implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ReservationExpiry');
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<number>;

  constructor(
    private readonly commands: FacilityCommands,
    private readonly readModel: FacilityProjection,
    @Inject(CUSTODY_CONFIG) private readonly config: CustodyConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.RESERVATION_EXPIRY_SWEEP_MS === 0) return;
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep(new Date())
        .catch((error: unknown) => {
          this.logger.warn(`expiry sweep failed: ${(error as Error).message}`);
          return 0;
        })
        .finally(() => (this.sweeping = undefined));
    }, this.config.RESERVATION_EXPIRY_SWEEP_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
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
          { correlationId: commandId, occurredAt, actor: { system: 'custody-reservation-expiry' } },
          (i) => deterministicId(`${commandId}/${i}`),
        );
        expired += 1;
      } catch (error) {
        if (!(error instanceof CommandRejection)) throw error;
      }
    }
    return expired;
  }
}
