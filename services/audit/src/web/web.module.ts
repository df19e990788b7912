import { Module } from '@nestjs/common';
import { JurisdictionModule } from '../jurisdiction/jurisdiction.module';
import { LedgerModule } from '../ledger/ledger.module';
import { AuditorController } from './auditor.controller';
import { FacilityDirectory } from './facility-directory';
import { UiController } from './ui.controller';

/** The auditor's page (/ui/) and the JSON reads it draws (/auditor/…). */
@Module({
  imports: [LedgerModule, JurisdictionModule],
  controllers: [UiController, AuditorController],
  providers: [FacilityDirectory],
})
export class WebModule {}
