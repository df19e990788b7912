import { Module, type DynamicModule } from '@nestjs/common';
import { TOPICS } from '@custody/contracts';
import { TopicNames } from '@custody/messaging';
import { commandDecoder } from '@custody/security';
import { IntakeConfig } from './config';
import { InmateModule } from './inmate/inmate.module';
import { INTAKE_MESSAGE_RIGHTS } from './inmate/inmate.rights';
import { intakeDecoder } from './inmate/intake-decoder';
import { PersonalDataModule } from './personal-data/personal-data.module';
import { ScreeningModule } from './screening/screening.module';
import { SearchModule } from './search/search.module';
import { intakeStore } from './store/store.module';

@Module({})
export class AppModule {
  static forRoot(config: IntakeConfig): DynamicModule {
    // The ministries' signatures of commands (COMMAND_SIGNATURES), checked before any handler; built
    // here, so that signatures required without a key stop the service naming COMMAND_SIGNERS.
    const names = new TopicNames(config.KAFKA_TOPIC_PREFIX);
    const decoder = commandDecoder(config, intakeDecoder(names), names.physical(TOPICS.intakeCommands), INTAKE_MESSAGE_RIGHTS);
    return {
      module: AppModule,
      imports: [
        // Kafka: our commands and the transfer and custody events in, our events and command results out.
        intakeStore(config, {
          consumed: [TOPICS.intakeCommands, TOPICS.transferEvents, TOPICS.facilityEvents],
          produced: [TOPICS.intakeEvents, TOPICS.commandResults],
          commandsTopic: TOPICS.intakeCommands,
          decoder,
        }),
        InmateModule,
        SearchModule,
        ScreeningModule,
        PersonalDataModule,
      ],
    };
  }
}
