import { Module } from '@nestjs/common';
import { JurisdictionModule } from '../jurisdiction/jurisdiction.module';
import { FindingsController } from './findings.controller';
import { FindingsService } from './findings.service';

/** Invariant checks and their findings: background and on-demand checks, `GET /findings`, rebuild and digest. */
@Module({
  imports: [JurisdictionModule],
  controllers: [FindingsController],
  providers: [FindingsService],
  exports: [FindingsService],
})
export class FindingsModule {}
