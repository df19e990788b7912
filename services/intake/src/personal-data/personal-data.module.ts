import { Module } from '@nestjs/common';
import { InmateModule } from '../inmate/inmate.module';
import { PersonalDataController } from './personal-data.controller';
import { RetentionJob } from './retention.job';

/** Rule 16: erasure, legal holds, the retention job and the destruction log (the keys and the sealing store are in the store module). */
@Module({
  imports: [InmateModule],
  controllers: [PersonalDataController],
  providers: [RetentionJob],
})
export class PersonalDataModule {}
