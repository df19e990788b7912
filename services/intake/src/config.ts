import { IsIn, IsInt, Matches, Max, Min } from 'class-validator';
import { ServiceConfig } from '@custody/platform';
import { IsRetentionPeriod, IsRetentionPeriods } from './personal-data/retention-period';

/** The intake service's configuration, read from environment variables at start-up (the variables every service reads: ServiceConfig). */
export class IntakeConfig extends ServiceConfig {
  /** HTTP port. */
  override PORT = 3101;

  /** The schema that holds the service's events, inbox, relay checkpoint and read model. */
  override DATABASE_SCHEMA = 'intake';

  override KAFKA_CLIENT_ID = 'intake';

  /** The consumer group of the service (commands and the transfer and custody events). */
  override KAFKA_GROUP_ID = 'intake';

  /** Attempts in all when another writer changed the inmate's record at the same time. */
  @IsInt()
  @Min(1)
  @Max(50)
  COMMAND_MAX_ATTEMPTS = 5;

  /** Whether this instance keeps the search read model (turn off on extra instances if wished). */
  @IsIn(['true', 'false'])
  PROJECTION_ENABLED: 'true' | 'false' = 'true';

  /**
   * The master key that wraps each person's data key (crypto-shredding): base64 of 32 random
   * bytes. Required; never logged. Losing it makes every person's personal fields unreadable.
   */
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'PERSONAL_DATA_MASTER_KEY must be the base64 of 32 random bytes (e.g. openssl rand -base64 32)' })
  PERSONAL_DATA_MASTER_KEY = '';

  /** The name of the master key, stored beside each wrapped data key (to tell keys apart when rotating). */
  @Matches(/^[A-Za-z0-9._:-]{1,64}$/, { message: 'PERSONAL_DATA_MASTER_KEY_ID must be 1 to 64 letters, digits, ".", "_", ":" or "-"' })
  PERSONAL_DATA_MASTER_KEY_ID = 'master-1';

  /** Retention after the final release, per sending state: JSON, e.g. {"BE":"P10Y","DK":"P5Y6M"} (ISO 8601 years, months, days). */
  @IsRetentionPeriods()
  RETENTION_PERIODS = '{}';

  /** Retention after the final release for a sending state RETENTION_PERIODS does not name. */
  @IsRetentionPeriod()
  RETENTION_DEFAULT_PERIOD = 'P10Y';

  /** How often the retention job lists who is due and erases them (milliseconds; 0 turns the job off). */
  @IsInt()
  @Min(0)
  RETENTION_SCAN_INTERVAL_MS = 86_400_000;
}
