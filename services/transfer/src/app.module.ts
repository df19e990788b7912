import { Module, type DynamicModule } from '@nestjs/common';
import { TOPICS } from '@custody/contracts';
import { contractDecoder, TopicNames } from '@custody/messaging';
import { commandDecoder } from '@custody/security';
import { TransferConfig } from './config';
import { Clock, OffsetClock } from './deadlines/clock';
import { transferStore } from './store/store.module';
import { TransferModule } from './transfer/transfer.module';
import { TRANSFER_MESSAGE_RIGHTS } from './transfer/transfer.rights';

/** The transfer service: the service's skeleton (security, store, Kafka, health) and the case module. */
@Module({})
export class AppModule {
  static forRoot(config: TransferConfig, options: { clock?: Clock } = {}): DynamicModule {
    // The ministries' signatures of commands (COMMAND_SIGNATURES), checked before any handler; built
    // here, so that signatures required without a key stop the service naming COMMAND_SIGNERS.
    const topicNames = new TopicNames(config.KAFKA_TOPIC_PREFIX);
    const decoder = commandDecoder(config, contractDecoder(topicNames), topicNames.physical(TOPICS.transferCommands), TRANSFER_MESSAGE_RIGHTS);
    const messaging = {
      consumed: [TOPICS.transferCommands, TOPICS.intakeEvents, TOPICS.facilityEvents],
      produced: [TOPICS.transferEvents, TOPICS.commandResults],
      commandsTopic: TOPICS.transferCommands,
      decoder,
    };
    return {
      module: AppModule,
      imports: [
        transferStore(config, messaging, options.clock ?? (config.CLOCK_OFFSET_MS ? new OffsetClock(config.CLOCK_OFFSET_MS) : undefined)),
        TransferModule,
      ],
    };
  }
}
