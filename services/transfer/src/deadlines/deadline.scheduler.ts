import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandRejection, type DeadlineKind } from '@custody/contracts';
import { deterministicId } from '@custody/event-sourcing';
import { TransferConfig } from '../config';
import { TransferTables } from '../store/transfer-tables';
import { TransferCommands } from '../transfer/transfer.commands';
import { Clock } from './clock';

/**
 * Rule 7: a deadline that passes without the act is recorded as `DeadlineMissed`, once. The
 * deadlines are durable (the `transfer_deadlines` table, kept from the events); the scheduler
 * scans it on the injected clock and sends RecordMissedDeadline with a command id derived from
 * (case, deadline, due date). The decider records a deadline as missed only while it is open at
 * that due date, and the append carries the expected revision: two instances, a restart or a
 * second scan append nothing more.
 */
@Injectable()
export class DeadlineScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('DeadlineScheduler');
  private timer?: NodeJS.Timeout;
  private scanning?: Promise<number>;

  constructor(
    private readonly tables: TransferTables,
    private readonly commands: TransferCommands,
    private readonly clock: Clock,
    private readonly config: TransferConfig,
  ) {}

  onApplicationBootstrap(): void {
    const tick = () => {
      this.timer = setTimeout(async () => {
        await this.scanOnce().catch((error: Error) => this.logger.error(`deadline scan failed: ${error.message}`));
        if (this.timer) tick();
      }, this.config.DEADLINE_SCAN_INTERVAL_MS);
    };
    tick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.scanning?.catch(() => undefined);
  }

  /** Records every deadline that passed by now; returns how many it recorded. One scan at a time. */
  scanOnce(): Promise<number> {
    this.scanning ??= this.scan().finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  private async scan(): Promise<number> {
    const { rows } = await this.tables.pool.query<{ transfer_id: string; inmate_id: string; kind: DeadlineKind; due_at: string }>(
      `SELECT transfer_id, inmate_id, kind, due_at FROM ${this.tables.s}.transfer_deadlines WHERE status = 'open' AND due < $1 ORDER BY due LIMIT 500`,
      [this.clock.now()],
    );
    let recorded = 0;
    for (const row of rows) {
      const commandId = deterministicId(`deadline-missed/${row.transfer_id}/${row.kind}/${row.due_at}`);
      try {
        // The deadline was missed the moment it passed: that is when it happened.
        const { events } = await this.commands.execute(
          {
            type: 'RecordMissedDeadline',
            data: { commandId, occurredAt: row.due_at, transferId: row.transfer_id, inmateId: row.inmate_id, deadline: row.kind, dueAt: row.due_at },
          },
          { correlationId: commandId, causationId: commandId, occurredAt: row.due_at, actor: { system: 'transfer-deadline-scheduler' } },
        );
        recorded += events.length;
      } catch (error) {
        if (!(error instanceof CommandRejection)) throw error;
        this.logger.warn(`deadline ${row.kind} of ${row.transfer_id} not recorded: ${error.code}`);
      }
    }
    return recorded;
  }
}
