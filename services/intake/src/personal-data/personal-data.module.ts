import { Module } from '@nestjs/common';
import { InmateModule } from '../inmate/inmate.module';
import { PersonalDataController } from './personal-data.controller';

/** Rule 16: erasure, legal holds and the destruction log (the keys and the sealing store are in the store module). */
@Module({
  imports: [InmateModule],
  controllers: [PersonalDataController],
})
export class PersonalDataModule {}
