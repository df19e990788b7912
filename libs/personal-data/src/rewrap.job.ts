import { Injectable, Logger, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { PeriodicJob, ServiceMetrics } from '@custody/platform';
import { PersonalDataKeys, type MasterKeyUsage } from './data-keys';

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
const count = (usage: { dataKeys: number; indexKeys: number }) => `${plural(usage.dataKeys, 'data key')} and ${plural(usage.indexKeys, 'blind-index key')}`;

/**
 * The rewrap after a rotation of the master key, in the background once the service has started
 * (intake and custody, each in its own schema). It logs how many keys each retired master key
 * still wraps, moves them under the current one ({@link PersonalDataKeys.rewrapRetired}) and says
 * when a retired key wraps none any more and can be removed from the configuration. Keys wrapped
 * by a master key the service does not hold are reported at every start (they cannot be read).
 * Stopped between two batches before the application shuts down, so that the pool closes after it.
 * `custody_personal_data_keys_under_retired_master_key` shows what remains, by retired key.
 */
@Injectable()
export class MasterKeyRewrapJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('MasterKeyRewrap');
  private readonly job: PeriodicJob<void>;

  constructor(
    private readonly keys: PersonalDataKeys,
    @Optional() metrics?: ServiceMetrics,
  ) {
    this.job = new PeriodicJob({ name: 'master key rewrap', intervalMs: 0, runAtStart: true, run: (signal) => this.run(signal) });
    if (metrics && keys.retiredMasterKeyIds.length > 0) {
      new Gauge({
        name: 'custody_personal_data_keys_under_retired_master_key',
        help: 'Keys (persons\' data keys and blind-index keys) still wrapped by a retired master key; 0 when it can be removed',
        labelNames: ['master_key_id'],
        registers: [metrics.registry],
        async collect() {
          const usage = await keys.masterKeyUsage().catch(() => []);
          for (const retired of usage.filter((u) => u.role === 'retired')) this.set({ master_key_id: retired.masterKeyId }, retired.dataKeys + retired.indexKeys);
        },
      });
    }
  }

  onApplicationBootstrap(): void {
    this.job.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.job.stop();
  }

  /** One pass: report, rewrap, report what remains. */
  async run(signal?: AbortSignal): Promise<void> {
    const unknown = (usage: MasterKeyUsage[]) => usage.filter((u) => u.role === 'unknown' && u.dataKeys + u.indexKeys > 0);
    const before = await this.keys.masterKeyUsage();
    for (const usage of unknown(before)) {
      this.logger.error(`${count(usage)} are wrapped by master key ${usage.masterKeyId}, which this service does not hold: they cannot be read until it is listed in PERSONAL_DATA_RETIRED_MASTER_KEYS`);
    }
    const retired = before.filter((u) => u.role === 'retired');
    if (retired.length === 0) return;
    for (const usage of retired) this.logger.log(`${count(usage)} are wrapped by retired master key ${usage.masterKeyId}: rewrapping them under the current master key`);

    const run = await this.keys.rewrapRetired({ signal });
    this.logger.log(`${count(run)} rewrapped under the current master key${run.isStopped ? ' before the service stopped' : ''}`);
    if (run.isStopped) return;
    for (const usage of (await this.keys.masterKeyUsage()).filter((u) => u.role === 'retired')) {
      if (usage.dataKeys + usage.indexKeys === 0) {
        this.logger.log(`no data key is wrapped by master key ${usage.masterKeyId} any more: it can be removed from PERSONAL_DATA_RETIRED_MASTER_KEYS`);
      } else {
        this.logger.warn(`${count(usage)} are still wrapped by master key ${usage.masterKeyId} (another instance may be rewrapping them; otherwise restart to try again)`);
      }
    }
  }
}
