import { Module } from '@nestjs/common';
import { InmateModule } from '../inmate/inmate.module';
import { ScreeningController } from './screening.controller';

@Module({ imports: [InmateModule], controllers: [ScreeningController] })
export class ScreeningModule {}
