import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { AuditorController } from './auditor.controller';
import { FacilityDirectory } from './facility-directory';
import { UiController } from './ui.controller';

/** The auditor's page (/ui/) and the JSON reads it draws (/auditor/…). */
@Module({
  imports: [LedgerModule],
  controllers: [UiController, AuditorController],
  providers: [FacilityDirectory],
})
export class WebModule {}
