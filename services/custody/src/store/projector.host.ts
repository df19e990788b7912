import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Pool } from 'pg';
import { PostgresEventStore } from '@custody/event-store';
import { CheckpointedProjector } from '@custody/platform';
import type { CustodyConfig } from '../config';
import { CustodyProjection } from '../custody/custody.projection';
import { FacilityProjection } from '../facility/facility.projection';
import { CUSTODY_CONFIG, DATABASE_POOL } from './store.module';

/** Runs the read models' projector with the application (stopped before the database closes). */
@Injectable()
export class ProjectorHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly projector: CheckpointedProjector;

  constructor(
    store: PostgresEventStore,
    @Inject(DATABASE_POOL) pool: Pool,
    @Inject(CUSTODY_CONFIG) config: CustodyConfig,
    facilities: FacilityProjection,
    custody: CustodyProjection,
  ) {
    this.projector = new CheckpointedProjector({
      name: 'custody-read-models', store, pool, schema: config.DATABASE_SCHEMA, projections: [facilities, custody],
    });
  }

  onApplicationBootstrap(): void {
    this.projector.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.projector.stop();
  }
}
