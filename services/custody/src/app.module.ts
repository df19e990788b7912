import { Module, type DynamicModule } from '@nestjs/common';
import { AccessLogModule, HealthModule, SecurityModule } from '@custody/platform';
import type { CustodyConfig } from './config';
import { CustodyModule } from './custody/custody.module';
import { FacilityModule } from './facility/facility.module';
import { CustodyMessagingModule } from './messaging.module';
import { ProjectorHost } from './store/projector.host';
import { DATABASE_POOL, StoreModule } from './store/store.module';

/** The custody service: facilities and each admitted person's custody. */
@Module({})
export class AppModule {
  static forConfig(config: CustodyConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SecurityModule.forRoot(config),
        AccessLogModule.forRoot({ service: 'custody', schema: config.DATABASE_SCHEMA, pool: DATABASE_POOL }),
        HealthModule.forService('custody'),
        StoreModule.forConfig(config),
        FacilityModule,
        CustodyModule,
        ...(config.KAFKA === 'on' ? [CustodyMessagingModule.forConfig(config)] : []),
      ],
      providers: [ProjectorHost],
    };
  }
}
