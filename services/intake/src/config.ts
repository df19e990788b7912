import { IsIn } from 'class-validator';
import { PersonalDataConfig } from '@custody/personal-data';
import { WholeNumber } from '@custody/config';
import { IsRetentionPeriod, IsRetentionPeriods } from './personal-data/retention-period';

/** The intake service's configuration, read from environment variables at start-up (the variables every service reads, and the master key of persons' data keys: PersonalDataConfig). */
export class IntakeConfig extends PersonalDataConfig {
  constructor() {
    super({ PORT: 3101, DATABASE_SCHEMA: 'intake', KAFKA_CLIENT_ID: 'intake', KAFKA_GROUP_ID: 'intake' });
  }

  /**
   * Attempts in all (the first included) when another writer changed the inmate's record at the
   * same time, over HTTP and Kafka alike; no layer retries on top of them.
   */
  @WholeNumber(1, 50)
  COMMAND_MAX_ATTEMPTS = 10;

  /** Whether this instance keeps the search read model (turn off on extra instances if wished). */
  @IsIn(['true', 'false'])
  PROJECTION_ENABLED: 'true' | 'false' = 'true';

  /** Retention after the final release, per sending state: JSON, e.g. {"BE":"P10Y","DK":"P5Y6M"} (ISO 8601 years, months, days). */
  @IsRetentionPeriods()
  RETENTION_PERIODS = '{}';

  /** Retention after the final release for a sending state RETENTION_PERIODS does not name. */
  @IsRetentionPeriod()
  RETENTION_DEFAULT_PERIOD = 'P10Y';

  /** How often the retention job lists who is due and erases them (milliseconds; 0 turns the job off). */
  @WholeNumber(0)
  RETENTION_SCAN_INTERVAL_MS = 86_400_000;
}
