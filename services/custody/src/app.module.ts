import { Module, type DynamicModule } from '@nestjs/common';
import type { CustodyConfig } from './config';
import { CustodyModule } from './custody/custody.module';
import { FacilityModule } from './facility/facility.module';
import { custodyMessaging, CustodyMessagingModule } from './messaging.module';
import { ProjectorHost } from './store/projector.host';
import { custodyStore } from './store/store.module';

/** The custody service: facilities and each admitted person's custody. */
@Module({})
export class AppModule {
  static forConfig(config: CustodyConfig): DynamicModule {
    const kafka = config.KAFKA === 'on';
    return {
      module: AppModule,
      imports: [
        custodyStore(config, kafka ? custodyMessaging(config) : undefined),
        FacilityModule,
        CustodyModule,
        ...(kafka ? [CustodyMessagingModule.forConfig()] : []),
      ],
      providers: [ProjectorHost],
    };
  }
}
