import { Module } from '@nestjs/common';
import { PostgresEventStore } from '@custody/event-store';
import { JurisdictionModule } from '../jurisdiction/jurisdiction.module';
import { TimelineController } from '../timeline/timeline.controller';
import { AuditConfig } from '../config';
import { AuditLedger } from './audit-ledger';
import { trustedKeysOf } from './trusted-keys';
import { ChainerService } from './chainer.service';
import { CheckpointService } from './checkpoint.service';
import { LedgerConsumer } from './ledger.consumer';
import { LedgerController } from './ledger.controller';
import { LedgerRepository } from './ledger.repository';

/** The ledger: Kafka in, the chainer, signed checkpoints, and the auditor's reads. */
@Module({
  imports: [JurisdictionModule],
  // LedgerConsumer is a controller: the Kafka transport routes to its @EventPattern handlers.
  controllers: [LedgerController, TimelineController, LedgerConsumer],
  providers: [
    ChainerService,
    CheckpointService,
    {
      provide: AuditLedger,
      inject: [LedgerRepository, PostgresEventStore, CheckpointService, AuditConfig],
      useFactory: (repository: LedgerRepository, store: PostgresEventStore, checkpoints: CheckpointService, config: AuditConfig) =>
        new AuditLedger(repository, store, trustedKeysOf(config, checkpoints.key)),
    },
  ],
  exports: [AuditLedger, ChainerService, CheckpointService],
})
export class LedgerModule {}
