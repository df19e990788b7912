import { Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { CommandRejection } from '@custody/contracts';
import { PostgresEventStore } from '@custody/event-store';
import { deterministicId } from '@custody/event-sourcing';
import { IntakeConfig } from '../config';
import { InmateCommands } from '../inmate/inmate.commands';
import { retentionPolicyOf, type RetentionPolicy } from './retention-period';
import { retentionStatus, type RetentionStatus } from './retention';

/** What one run of the retention job did. */
export interface RetentionRun {
  asOf: string;
  /** Persons erased by this run (each also in the destruction log). */
  erased: Array<{ inmateId: string; eventIds: string[] }>;
  /** Due, but a legal hold stands. */
  held: Array<{ inmateId: string; legalHolds: string[] }>;
  /** Due, but the erasure was refused (e.g. a hold placed meanwhile). */
  refused: Array<{ inmateId: string; code: string }>;
}

/** The events after which a person may be due: the final release. */
const RELEASE_EVENTS = ['DomesticReleaseRecorded', 'EnforcementEnded'];

/**
 * The retention job (Rule 16): lists who is due (the final release plus the sending state's
 * period has passed, data not erased), skips those under a legal hold and erases the others
 * through the ordinary write path, so that each destruction is in the destruction log and on the
 * topic. Runs at start and every RETENTION_SCAN_INTERVAL_MS (0: never on its own). Each erasure's
 * command id is derived from the person, so that two instances running at once erase once.
 */
@Injectable()
export class RetentionJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('RetentionJob');
  private readonly policy: RetentionPolicy;
  private timer?: NodeJS.Timeout;
  private running?: Promise<RetentionRun>;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly commands: InmateCommands,
    private readonly config: IntakeConfig,
  ) {
    this.policy = retentionPolicyOf(config);
  }

  onApplicationBootstrap(): void {
    const interval = this.config.RETENTION_SCAN_INTERVAL_MS;
    if (interval <= 0) return;
    const tick = () => {
      this.run().catch((error: Error) => this.logger.error(`retention run failed: ${error.message}`));
    };
    this.timer = setInterval(tick, interval);
    this.timer.unref();
    setImmediate(tick);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** Every released person whose data is not erased, with the day it may be; `isDue` on `asOf`. */
  async statuses(asOf: string): Promise<RetentionStatus[]> {
    const released = new Set<string>();
    for await (const event of this.store.readAll({ filter: { categories: ['inmate'], eventTypes: RELEASE_EVENTS } })) {
      released.add(event.streamName.slice('inmate-'.length));
    }
    const statuses: RetentionStatus[] = [];
    for (const inmateId of released) {
      const { state } = await this.commands.load(inmateId);
      const status = retentionStatus(state, this.policy, asOf);
      if (status) statuses.push(status);
    }
    return statuses.sort((a, b) => a.erasableOn.localeCompare(b.erasableOn) || a.inmateId.localeCompare(b.inmateId));
  }

  /** The persons due on `asOf`, those under a legal hold included (marked). */
  async due(asOf: string): Promise<RetentionStatus[]> {
    return (await this.statuses(asOf)).filter((status) => status.isDue);
  }

  /** One run: erases every person due now and not held. A run already under way is joined, not doubled. */
  run(): Promise<RetentionRun> {
    this.running ??= this.runOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runOnce(): Promise<RetentionRun> {
    const asOf = new Date().toISOString();
    const result: RetentionRun = { asOf, erased: [], held: [], refused: [] };
    for (const status of await this.due(asOf)) {
      if (status.legalHolds.length > 0) {
        result.held.push({ inmateId: status.inmateId, legalHolds: status.legalHolds });
        continue;
      }
      const commandId = deterministicId(`retention/${status.inmateId}`);
      try {
        const accepted = await this.commands.execute(
          {
            type: 'ErasePersonalData',
            data: {
              commandId, occurredAt: asOf, inmateId: status.inmateId,
              explanation: `Retention job: released on ${status.releasedOn}, retention ${status.retentionPeriod} of ${status.sendingState} ran out on ${status.erasableOn}.`,
            },
          },
          { correlationId: commandId, causationId: commandId, occurredAt: asOf, actor: { state: status.sendingState, system: 'intake-retention-job' } },
          commandId,
        );
        if (accepted.eventIds.length > 0) result.erased.push({ inmateId: status.inmateId, eventIds: accepted.eventIds });
      } catch (error) {
        if (!(error instanceof CommandRejection)) throw error;
        result.refused.push({ inmateId: status.inmateId, code: error.code });
      }
    }
    this.logger.log(`retention run as of ${asOf}: ${result.erased.length} erased, ${result.held.length} held by a legal hold, ${result.refused.length} refused`);
    return result;
  }
}
