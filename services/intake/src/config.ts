import { IsIn, IsInt, Max, Min } from 'class-validator';
import { ServiceConfig } from '@custody/platform';

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
}
