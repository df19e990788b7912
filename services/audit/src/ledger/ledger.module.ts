import { Module } from '@nestjs/common';
import { PostgresEventStore } from '@custody/event-store';
import { Arrivals } from '@custody/platform';
import { parsePublisherKeys } from '@custody/security';
import { JurisdictionModule } from '../jurisdiction/jurisdiction.module';
import { TimelineController } from '../timeline/timeline.controller';
import { AuditConfig } from '../config';
import { AuditLedger } from './audit-ledger';
import { trustedKeysOf } from './trusted-keys';
import { ChainerService } from './chainer.service';
import { CheckpointService } from './checkpoint.service';
import { LEDGER_TOPICS, LedgerConsumer } from './ledger.consumer';
import { LedgerController } from './ledger.controller';
import { LedgerRepository } from './ledger.repository';
import { LedgerVerificationService } from './verification.service';

/** The ledger: Kafka in, the chainer, signed checkpoints, and the auditor's reads. */
@Module({
  imports: [JurisdictionModule],
  // LedgerConsumer is a controller: the Kafka transport routes to its @EventPattern handlers.
  controllers: [LedgerController, TimelineController, LedgerConsumer],
  providers: [
    ChainerService,
    CheckpointService,
    LedgerVerificationService,
    {
      provide: AuditLedger,
      inject: [LedgerRepository, PostgresEventStore, CheckpointService, AuditConfig, Arrivals],
      useFactory: (repository: LedgerRepository, store: PostgresEventStore, checkpoints: CheckpointService, config: AuditConfig, arrivals: Arrivals) =>
        new AuditLedger(repository, store, trustedKeysOf(config, checkpoints.key), async (inmateId) => {
          // The person's partition on each events topic the ledger records (docs/adr/0012-not-yet-known-here.md).
          for (const topic of LEDGER_TOPICS) {
            const pending = await arrivals.pending(topic, inmateId, { wait: true });
            if (pending) return { topic, unconsumed: pending.unconsumed, retryAfterSeconds: pending.retryAfterSeconds };
          }
          return undefined;
        }, parsePublisherKeys(config.EVENT_PUBLISHER_KEYS), config.NOT_YET_KNOWN_WAIT_MS),
    },
  ],
  exports: [AuditLedger, ChainerService, CheckpointService, LedgerVerificationService],
})
export class LedgerModule {}
